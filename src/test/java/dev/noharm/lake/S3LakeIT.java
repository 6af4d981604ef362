package dev.noharm.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.cli.Main;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.testing.GenerationFixture;
import dev.noharm.testing.LoopbackPorts;
import dev.noharm.testing.SparkTestSession;
import dev.noharm.testing.SubmitProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline (ingest, generate against the simulator, import, score, export, report) on an
 * {@code s3a://} lake served by s3proxy, a real S3-protocol server started on loopback as its own process,
 * with the catalog that makes commits atomic there (Iceberg's JDBC catalog on an SQLite file), and the same
 * on a local lake (run in this JVM: it is the reference, not what is under test): the exported results must be equal. Then a score stopped after three of its tables
 * leaves the previous score whole: readers, the export and SQL all still see it.
 */
@ExtendWith(SparkTestSession.class)
class S3LakeIT {
    private static final String BUCKET = "noharm-it";

    private static Process startS3Proxy(Path work, int port) throws Exception {
        Path data = Files.createDirectories(work.resolve("s3data"));
        Files.createDirectories(data.resolve(BUCKET)); // the filesystem backend: a folder is a bucket
        Path props = work.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=noharm-it-access",
                "s3proxy.credential=noharm-it-secret",
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data,
                ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process proxy = new ProcessBuilder(java, "-jar", Path.of("target/it-tools/s3proxy.jar").toAbsolutePath().toString(),
                "--properties", props.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("s3proxy.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                new Socket("127.0.0.1", port).close();
                return proxy;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        proxy.destroyForcibly();
        throw new AssertionError("s3proxy did not start: " + Files.readString(work.resolve("s3proxy.log")));
    }

    private static List<String> s3Conf(int port, Path catalog) {
        List<String> conf = new ArrayList<>();
        for (String setting : List.of(
                "fs.s3a.endpoint=http://127.0.0.1:" + port,
                "fs.s3a.path.style.access=true",
                "fs.s3a.connection.ssl.enabled=false",
                "fs.s3a.endpoint.region=us-east-1",
                "fs.s3a.aws.credentials.provider=org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
                "fs.s3a.access.key=noharm-it-access",
                "fs.s3a.secret.key=noharm-it-secret")) {
            conf.add("--conf");
            conf.add("spark.hadoop." + setting);
        }
        conf.addAll(List.of("--conf", "spark.noharm.catalog.type=jdbc", "--conf", "spark.noharm.catalog.uri=jdbc:sqlite:" + catalog));
        return conf;
    }

    private static List<List<String>> steps(String lake, Path spec, Path responses, boolean report) {
        List<List<String>> steps = new ArrayList<>(List.of(
                List.of("ingest", "--sample"),
                List.of("generate", "--spec", spec.toString()),
                List.of("import", "--responses", responses.toString()),
                List.of("score", "--controls"),
                List.of("export", "--format", "long", "--out", lake + "/exports/leaderboard.csv")));
        if (report) {
            steps.add(List.of("report", "--out", lake + "/report"));
        }
        return steps;
    }

    /** Every step of the pipeline on the S3 lake, each as its own submit.sh, as a user would. */
    private static void pipelineOnS3(Path work, String lake, List<String> conf, Path spec, Path responses) throws Exception {
        for (List<String> step : steps(lake, spec, responses, true)) {
            assertEquals(0, submit(work, lake, conf, step), "submit.sh " + String.join(" ", step) + " on " + lake + ":\n"
                    + SubmitProcess.stderrTail(work));
        }
    }

    /** The same steps on a local lake, in this JVM's Spark session: the reference the S3 run must equal. */
    private static void pipelineInProcess(String lake, Path spec, Path responses) {
        for (List<String> step : steps(lake, spec, responses, false)) {
            List<String> args = new ArrayList<>(step);
            args.addAll(List.of("--lake", lake));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
            assertEquals(0, code, String.join(" ", step) + " on " + lake + ":\n" + out + err);
        }
    }

    private static int submit(Path work, String lake, List<String> conf, List<String> step) throws Exception {
        List<String> args = new ArrayList<>(step);
        args.addAll(List.of("--lake", lake));
        args.addAll(conf);
        return SubmitProcess.run(work, Map.of(), 5, args);
    }

    /** The CSV a {@code sql --format csv} query printed last (stdout accumulates every step's output). */
    private static String lastCsv(Path work, String header) throws IOException {
        String out = Files.readString(work.resolve("stdout.txt"));
        return out.substring(out.lastIndexOf(header));
    }

    /** The data rows other than Runtime (timing differs from run to run); the header is checked on its own. */
    private static List<String> withoutRuntime(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        assertEquals("Model,Team,Condition,Harm,Metric,trials,mean,sd,se,ci,Format,Cases,Grading,Type,Label,Provider", lines.get(0));
        return lines.subList(1, lines.size()).stream().filter(line -> !line.contains(",Runtime,")).sorted().toList();
    }

    /**
     * Row for row the same leaderboard: the same keys (responder, condition, metric, grading, ...) and trials,
     * and numbers equal up to floating-point summation order (Spark may add partial sums in another order
     * when the files are split differently).
     */
    private static void assertSameResults(List<String> local, List<String> s3) {
        java.util.Map<String, String[]> byKey = new java.util.TreeMap<>();
        for (String line : local) {
            String[] f = line.split(",", -1);
            byKey.put(key(f), f);
        }
        assertEquals(local.size(), s3.size(), "row count");
        for (String line : s3) {
            String[] f = line.split(",", -1);
            String[] expected = byKey.get(key(f));
            assertTrue(expected != null, "a row the local run does not have: " + line);
            assertEquals(expected[5], f[5], "trials of " + key(f));
            for (int i = 6; i <= 9; i++) {
                if (expected[i].isEmpty() || f[i].isEmpty()) {
                    assertEquals(expected[i], f[i], "column " + i + " of " + key(f));
                } else {
                    assertEquals(Double.parseDouble(expected[i]), Double.parseDouble(f[i]), 1e-9, "column " + i + " of " + key(f));
                }
            }
        }
    }

    private static String key(String[] f) {
        return String.join("|", f[0], f[1], f[2], f[3], f[4], f[10], f[11], f[12], f[13], f[14], f[15]);
    }

    @Test
    void theWholePipelineOnS3EqualsTheLocalRun(SparkSession spark, @TempDir Path work) throws Exception {
        var sample = new BenchmarkReader().read(BenchmarkSource.bundledSample());
        int port = LoopbackPorts.free();
        Process proxy = startS3Proxy(work, port);
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(5, 0.2), sample, 0)) {
            Files.writeString(work.resolve("models.yaml"), "models:\n"
                    + GenerationFixture.model("careful", "careful-s3", sim.baseUrl(), 6000, 8, "")
                    + GenerationFixture.model("omitter", "omitter-s3", sim.baseUrl(), 6000, 8, ""));
            Path spec = work.resolve("spec.yaml");
            Files.writeString(spec, "run_id: s3-it\nregistry: " + work.resolve("models.yaml") + "\nmodels:\n"
                    + "  - {model: careful, samples: 2}\n  - {model: omitter, samples: 2}\n"
                    + "commit: {every_results: 10, every_seconds: 2}\nconcurrency_per_task: 4\nprogress_seconds: 5\n");
            String c1 = sample.cases().get(0).caseId();
            String c2 = sample.cases().get(1).caseId();
            Path responses = work.resolve("physician.jsonl");
            Files.writeString(responses, String.join("\n",
                    "{\"responder\": \"physician-01\", \"trial\": 1, \"case_id\": \"" + c1 + "\", \"response\": [{\"Option\": 1, \"GradeAI\": \"Appropriate\"}]}",
                    "{\"responder\": \"physician-01\", \"trial\": 1, \"case_id\": \"" + c2 + "\", \"response\": \"[{\\\"Option\\\": 2, \\\"GradeAI\\\": \\\"Appropriate\\\"}]\"}",
                    ""));

            Path localLake = work.resolve("local-lake");
            pipelineInProcess(localLake.toString(), spec, responses);
            int callsForLocal = (int) sim.stats().served();

            String s3Lake = "s3a://" + BUCKET + "/lake";
            List<String> conf = s3Conf(port, work.resolve("s3-catalog.sqlite"));
            pipelineOnS3(work, s3Lake, conf, spec, responses);
            assertEquals(2 * callsForLocal, sim.stats().served(), "the S3 run made the same calls, once each");

            Path bucketLake = work.resolve("s3data").resolve(BUCKET).resolve("lake");
            List<String> local = withoutRuntime(localLake.resolve("exports/leaderboard.csv"));
            List<String> s3 = withoutRuntime(bucketLake.resolve("exports/leaderboard.csv"));
            assertTrue(local.size() > 50, "a real leaderboard: " + local.size() + " rows");
            assertSameResults(local, s3);
            assertTrue(local.stream().anyMatch(l -> l.startsWith("physician-01,")), "the imported physician is scored");
            assertTrue(Files.readString(bucketLake.resolve("report/index.html")).contains("Test model careful"), "report written to S3");
            try (Stream<Path> tables = Files.list(bucketLake.resolve("warehouse/noharm"))) {
                List<String> names = tables.map(p -> p.getFileName().toString()).sorted().toList();
                assertTrue(names.containsAll(List.of("cases", "decisions", "generations", "metrics", "responses", "score_runs")), names.toString());
            }
            try (Stream<Path> data = Files.walk(bucketLake.resolve("warehouse/noharm/generations/data"))) {
                assertTrue(data.anyMatch(p -> p.toString().endsWith(".parquet")), "the generations' data files are in the bucket");
            }

            // A score stopped after three of its tables: committed, never complete. The previous score stays whole.
            List<String> stopped = new ArrayList<>(conf);
            stopped.addAll(List.of("--conf", "spark.noharm.chaos.stopScoreAfterTables=3"));
            assertEquals(1, submit(work, s3Lake, stopped, List.of("score")), "the stopped score fails");
            assertEquals(0, submit(work, s3Lake, conf, List.of("export", "--format", "long", "--out", s3Lake + "/exports/after-stop.csv")),
                    SubmitProcess.stderrTail(work));
            assertEquals(s3, withoutRuntime(bucketLake.resolve("exports/after-stop.csv")), "readers see the previous score, all of it");
            assertEquals(0, submit(work, s3Lake, conf, List.of("sql", "--format", "csv",
                    "SELECT (SELECT count(DISTINCT score_id) FROM lake.noharm.decisions) AS committed, "
                            + "(SELECT count(DISTINCT score_id) FROM decisions) AS visible, "
                            + "(SELECT count(DISTINCT score_id) FROM lake.noharm.metrics) AS with_metrics")), SubmitProcess.stderrTail(work));
            assertEquals("committed,visible,with_metrics\n2,1,1\n", lastCsv(work, "committed,visible,with_metrics"));
        } finally {
            proxy.destroyForcibly();
        }
    }
}
