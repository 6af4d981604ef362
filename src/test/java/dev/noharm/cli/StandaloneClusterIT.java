package dev.noharm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.lake.Lake;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.simulator.SimulatorStats;
import dev.noharm.testing.GenerationFixture;
import dev.noharm.testing.LakeTables;
import dev.noharm.testing.LoopbackPorts;
import dev.noharm.testing.SparkTestSession;
import dev.noharm.testing.SubmitProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on a real Spark standalone cluster on this machine: a Master and two Workers as separate
 * JVMs, executors in their own JVMs, {@code submit.sh} submitting the thin cluster jar through a Spark
 * "distribution" made of Spark's own jars. Checks the results, that the requests-per-minute limit held
 * across executors as the simulator counted it, that killing an executor with SIGKILL in the middle of
 * generation loses and duplicates nothing, and that the fake key given to the executors appears in no
 * output, log or event log.
 */
@ExtendWith(SparkTestSession.class)
class StandaloneClusterIT {
    private static final String FAKE_KEY = "sk-noharm-cluster-FAKE-KEY-90c1e4";
    private static final int RPM = 150;
    /** The Java running the tests (17), not whatever `java` is first on the PATH. */
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final int SAMPLES = 12; // x 20 cases = 240 calls at 150 per minute: ~96 s

    private static List<String> moduleOptions() {
        return Arrays.stream(System.getProperty("spark.java.opens", "").trim().split("\\s+")).filter(s -> !s.isBlank()).toList();
    }

    /** SPARK_HOME: Spark's jars (copied by the build) and a bin/spark-submit that runs Spark's own SparkSubmit. */
    private static Path sparkHome(Path work) throws IOException {
        Path home = Files.createDirectories(work.resolve("spark-home"));
        Files.createSymbolicLink(home.resolve("jars"), Path.of("target/spark-home/jars").toAbsolutePath());
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path submit = bin.resolve("spark-submit");
        Files.writeString(submit, "#!/usr/bin/env bash\nexec " + JAVA + " " + String.join(" ", moduleOptions())
                + " -cp \"$SPARK_HOME/jars/*\" org.apache.spark.deploy.SparkSubmit \"$@\"\n");
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private static Process daemon(Path work, Path sparkHome, String name, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx512m"));
        command.addAll(moduleOptions());
        command.addAll(List.of("-cp", sparkHome.resolve("jars") + "/*", mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home")); // executors: the same Java 17
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return builder.start();
    }

    private static void awaitWorkers(int uiPort, int workers) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + uiPort + "/json/")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (last.replace(" ", "").contains("\"aliveworkers\":" + workers)) {
                    return;
                }
            } catch (IOException notYet) {
                // the Master's UI is not up yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("workers did not register: " + last);
    }

    private static List<ProcessHandle> executors() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                .toList();
    }

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void generationOnAStandaloneClusterKeepsTheLimitAndSurvivesAnExecutorKill(SparkSession spark, @TempDir Path work) throws Exception {
        Path sparkHome = sparkHome(work);
        int masterPort = LoopbackPorts.free();
        int uiPort = LoopbackPorts.free();
        String master = "spark://127.0.0.1:" + masterPort;
        List<Process> daemons = new ArrayList<>();
        var sample = new BenchmarkReader().read(BenchmarkSource.bundledSample());
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(150, 0.3).withRpm(RPM), sample, 0)) {
            daemons.add(daemon(work, sparkHome, "master", "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", Integer.toString(masterPort), "--webui-port", Integer.toString(uiPort)));
            for (int w = 1; w <= 2; w++) {
                daemons.add(daemon(work, sparkHome, "worker" + w, "org.apache.spark.deploy.worker.Worker", master,
                        "--host", "127.0.0.1", "--cores", "2", "--memory", "2g", "--webui-port", Integer.toString(LoopbackPorts.free()),
                        "--work-dir", Files.createDirectories(work.resolve("worker" + w)).toString()));
            }
            awaitWorkers(uiPort, 2);

            Path events = Files.createDirectories(work.resolve("events"));
            String lake = work.resolve("lake").toUri().toString();
            Files.writeString(work.resolve("models.yaml"), "models:\n"
                    + "  - id: careful\n    display_name: Cluster careful model\n    provider: openai-compatible\n"
                    + "    base_url: " + sim.baseUrl() + "\n    model_name: careful-cluster\n    model_version: \"1\"\n"
                    + "    api_key_env: NOHARM_CLUSTER_KEY\n"
                    + "    params: {temperature: 0.0, max_output_tokens: 512, seed: 11, timeout_seconds: 10}\n"
                    + "    limits: {requests_per_minute: " + RPM + ", max_concurrent: 8}\n"
                    + "    price: {input_per_million: 2.0, output_per_million: 10.0}\n");
            Path spec = work.resolve("spec.yaml");
            Files.writeString(spec, "run_id: cluster-it\nregistry: " + work.resolve("models.yaml") + "\nmodels:\n"
                    + "  - {model: careful, samples: " + SAMPLES + "}\n"
                    + "commit: {every_results: 5, every_seconds: 2}\nconcurrency_per_task: 4\nprogress_seconds: 5\n");
            List<String> cluster = List.of("--master", master, "--executor-memory", "1g", "--total-executor-cores", "4",
                    "--conf", "spark.executorEnv.NOHARM_CLUSTER_KEY=" + FAKE_KEY,
                    "--conf", "spark.eventLog.enabled=true", "--conf", "spark.eventLog.dir=" + events.toUri());
            Map<String, String> env = Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.13",
                    "SPARK_LOCAL_IP", "127.0.0.1", "NOHARM_CLUSTER_KEY", FAKE_KEY, "JAVA_HOME", System.getProperty("java.home"));

            // Ingest is an ordinary Spark write, checked elsewhere: done in this JVM (50 s on the cluster, 12 s as a
            // local submit.sh), so the cluster's time goes to what only it shows: executors under one limit, one killed, scoring.
            GenerationFixture.ingest(new Lake(spark, lake), BenchmarkSource.bundledSample());

            List<String> generate = concat(List.of("generate", "--spec", spec.toString(), "--lake", lake), cluster);
            long generateStarted = System.nanoTime();
            Process first = SubmitProcess.start(work, env, generate);
            // Kill one executor (SIGKILL) once a third of the calls are served; Spark relaunches it and retries its tasks.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (sim.stats().served() < 80 && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            List<ProcessHandle> executors = executors();
            assertEquals(2, executors.size(), "one executor per worker: " + executors);
            long servedAtKill = sim.stats().served();
            executors.get(0).destroyForcibly();
            assertTrue(first.waitFor(8, TimeUnit.MINUTES), "generate finished");
            assertEquals(0, first.exitValue(), SubmitProcess.stderrTail(work));
            System.out.printf("submit.sh generate: %.1f s%n", (System.nanoTime() - generateStarted) / 1e9);
            String generated = Files.readString(work.resolve("stdout.txt"));
            // The driver heard of the loss: the killed executor got no more permits, and those it held were freed early.
            assertTrue(generated.contains("generate: Spark lost executor"), "the run reported the lost executor: " + generated);

            int planned = 20 * SAMPLES;
            assertEquals(planned, LakeTables.workKeys(work.resolve("lake")).size(), "every item has a row: nothing lost");
            assertEquals(planned, LakeTables.generationRows(work.resolve("lake")), "and only one: nothing duplicated");
            SimulatorStats stats = sim.stats();
            assertTrue(servedAtKill < planned, "the kill came mid-run (" + servedAtKill + " of " + planned + ")");
            // Only calls in flight on the killed executor (2 tasks x 4) and its uncommitted batch (<= 5 per task) repeat.
            assertTrue(stats.served() >= planned && stats.served() <= planned + 2 * (4 + 5), "calls: " + stats.served());
            assertEquals(0, stats.rateLimited(), "the limiter kept both executors under the server's limit");
            assertTrue(stats.maxPerMinute().get("careful-cluster") <= RPM, "at most " + RPM + " in any minute: " + stats);
            assertTrue(stats.maxPerMinute().get("careful-cluster") >= RPM * 0.8, "and the limit was used: " + stats);
            assertEquals(java.util.Set.of("Bearer " + FAKE_KEY), sim.authorizations(), "executors sent the key from their environment");
            // The retried tasks' repeated calls are counted as calls, never as more items than were planned.
            GenerationFixture.assertProgressCountsEachItemOnce(generated, planned);
            assertTrue(Pattern.compile("(?m)^careful +" + planned + " +0 ").matcher(generated).find(),
                    "the summary counts each item once: " + generated);

            assertEquals(0, run(work, env, concat(List.of("score", "--lake", lake), cluster)), SubmitProcess.stderrTail(work));
            String out = Files.readString(work.resolve("stdout.txt"));
            assertTrue(out.contains("1 responders, " + planned + " responses (0 parse failures)"), "scored on the cluster: " + out);

            // Every file of the run: the lake, submit.sh's output, Master and Worker logs, each executor's
            // stdout/stderr under the workers' folders, and the event logs.
            int searched = 0;
            try (Stream<Path> walk = Files.walk(work)) {
                for (Path file : walk.filter(Files::isRegularFile).filter(p -> !p.startsWith(sparkHome)).toList()) {
                    String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                    assertFalse(text.contains(FAKE_KEY), "the key leaked into " + file);
                    searched++;
                }
            }
            try (Stream<Path> logs = Files.list(events)) {
                assertTrue(logs.findAny().isPresent(), "event logs were written and searched");
            }
            try (Stream<Path> executorLogs = Files.walk(work.resolve("worker1"))) {
                assertTrue(executorLogs.anyMatch(p -> p.getFileName().toString().equals("stderr")), "executor logs were searched");
            }
            assertTrue(searched > 20, "searched " + searched + " files");
        } finally {
            for (Process p : daemons) {
                p.destroyForcibly();
            }
            executors().forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static int run(Path work, Map<String, String> env, List<String> args) throws Exception {
        return SubmitProcess.run(work, env, 6, args);
    }
}
