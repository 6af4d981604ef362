package dev.noharm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.benchmark.IngestBenchmark;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.scoring.HarmWeights;
import dev.noharm.scoring.ImportResponses;
import dev.noharm.scoring.ScoreJob;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.GenerationFixture;
import dev.noharm.testing.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** sql through the command line, on a lake with a simulated model and an imported physician, scored. */
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlCommandTest {
    private Path tmp;
    private Lake lake;

    private record Outcome(int code, String out, String err) {}

    @BeforeAll
    void scoredLake(SparkSession spark, @TempDir Path dir) throws Exception {
        tmp = dir;
        lake = new Lake(spark, tmp.resolve("lake").toString());
        Path bench = BenchmarkFixture.tiny().writeTo(tmp.resolve("bench"));
        String version = new IngestBenchmark(lake).ingest(BenchmarkSource.folder(bench.toString(), new Configuration())).datasetVersion();
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(5, 0.2),
                new BenchmarkReader().read(BenchmarkSource.folder(bench.toString(), new Configuration())), 0)) {
            ModelRegistry registry = GenerationFixture.registry(GenerationFixture.model("sim-omitter", "omitter-1", sim.baseUrl(), 600, 4, ""));
            GenerationFixture.generate(lake, GenerationFixture.spec("sql", Map.of("sim-omitter", 3), ""), registry, name -> null);
        }
        // The physician recommends c1 option 1 and c2 option 1, nothing else.
        Path responses = tmp.resolve("physician.jsonl");
        Files.write(responses, List.of(
                "{\"responder\":\"dr-a\",\"trial\":1,\"case_id\":\"c1\",\"response\":[{\"Option\":1,\"GradeAI\":\"Appropriate\"}]}",
                "{\"responder\":\"dr-a\",\"trial\":1,\"case_id\":\"c2\",\"response\":[{\"Option\":1,\"GradeAI\":\"Appropriate\"}]}"));
        new ImportResponses(lake).importFile(responses.toString(), version);
        new ScoreJob(lake, HarmWeights.defaults(), new PrintWriter(new StringWriter())).run(List.of());
    }

    private Outcome run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--lake");
        all.add(tmp.resolve("lake").toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void printsAnAlignedTableCsvAndJson() {
        Outcome table = run("sql", "SELECT case_id, option_count AS options FROM cases ORDER BY case_id");
        assertEquals(ExitCode.OK, table.code(), table.err());
        assertEquals("case_id | options\n--------+--------\nc1      |       3\nc2      |       2\n(2 rows)\n", table.out());

        Outcome csv = run("sql", "--format", "csv", "SELECT case_id, text FROM options WHERE option_no = 3");
        assertEquals("case_id,text\nc1,No additional testing or treatment\n", csv.out());

        Outcome json = run("sql", "--format", "json", "SELECT case_id, source FROM cases ORDER BY case_id");
        assertEquals("{\"case_id\":\"c1\",\"source\":\"test fixture\"}\n{\"case_id\":\"c2\",\"source\":null}\n", json.out());
    }

    @Test
    void aBadQueryGetsSparksMessageAndExitCode3() {
        Outcome o = run("sql", "SELECT * FROM no_such_table");
        assertEquals(ExitCode.INVALID_INPUT, o.code());
        assertTrue(o.err().startsWith("error: query: ") && o.err().contains("no_such_table"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace");

        Outcome syntax = run("sql", "SELEC 1");
        assertEquals(ExitCode.INVALID_INPUT, syntax.code());
        assertTrue(syntax.err().contains("PARSE_SYNTAX_ERROR"), syntax.err());
    }

    @Test
    void theQueriesOfTheLakeLayoutDocRun() throws Exception {
        String doc = Files.readString(Path.of("data-lake-layout.md"));
        Matcher blocks = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        List<String> queries = new ArrayList<>();
        while (blocks.find()) {
            queries.add(blocks.group(1));
        }
        assertEquals(8, queries.size());
        Path file = tmp.resolve("doc-queries.sql");
        // The doc names the catalog as a user's session does (lake); this test's lake has its own name in the shared session.
        Files.writeString(file, String.join("\n", queries).replace("lake.noharm.", lake.catalogName() + ".noharm."));
        Outcome o = run("sql", "-f", file.toString(), "--format", "csv");
        assertEquals(ExitCode.OK, o.code(), o.err());

        // The doc's first query selects the latest complete score of each dataset version, as another engine would:
        // as many rows as the metrics view shows. CSV outputs follow each other; the next one starts with its header.
        String second = "case_id,specialty,option_no,text,harm_if_omitted,omitted,responses\n";
        String first = o.out().substring(0, o.out().indexOf(second));
        assertTrue(first.startsWith("dataset_version,score_id,responder,version,display_name,"), first);
        assertEquals(lake.read(Tables.METRICS).count() + 1, first.lines().count());
        // Query 2: c1 option 1 is the only option whose omission is severe (Majority); the omitter's row is
        // there exactly when it left that option out at least once, counted independently from decisions.
        long omitted = lake.read(Tables.DECISIONS)
                .where("responder = 'sim-omitter' AND case_id = 'c1' AND option_no = 1 AND NOT recommended").count();
        String expectedFirst = "case_id,specialty,option_no,text,harm_if_omitted,omitted,responses\n"
                + (omitted > 0 ? "c1,Cardiology,1,Drug A,severe," + omitted + ",3\n" : "");
        assertTrue(o.out().substring(first.length()).startsWith(expectedFirst), o.out());
        // Query 4: the physician recommended c1/1 (rate 1.0) and c2/2 not at all (rate 0.0).
        assertTrue(o.out().contains("responder,specialty,version,severe_case_harm_rate,trials\n"), o.out());
        assertTrue(o.out().contains("case_id,option_no,text,physicians_recommend,models_recommend,gap\n"), o.out());
        assertTrue(o.out().contains("display_name,perturbation,metric,shift,low,high,flagged,flip_rate\n"), o.out());
        assertTrue(o.out().contains("responder,version,judge,compared_with,items,agreement,kappa,in_jury\n"), o.out());
        assertTrue(o.out().contains("checked_at,model_id,previous_version,version,grading,cases,metric,harm,previous,now,low,high\n"), o.out());
        // The batches section's query: this lake's calls were all real-time, counted independently from the table.
        long calls = lake.read(Tables.GENERATIONS).where("status = 'ok' AND model_id = 'sim-omitter'").count();
        assertTrue(o.out().contains("model_id,call_mode,calls,cost_usd\nsim-omitter,realtime," + calls + ","), o.out());
    }

    @Test
    void everyScoreAndTheTablesHistoryStayReachable() {
        // A second score of the same lake: the views show the latest, the tables' full names every score and snapshot.
        String first = lake.read(Tables.SCORE_RUNS).first().getAs("score_id");
        long firstSnapshot = lake.table(Tables.METRICS).currentSnapshot().snapshotId();
        long rowsPerScore = lake.read(Tables.METRICS).count();
        String second = new ScoreJob(lake, HarmWeights.defaults(), new PrintWriter(new StringWriter())).run(List.of()).get(0).scoreId();
        String full = lake.catalogName() + ".noharm.metrics";

        Outcome views = run("sql", "--format", "csv", "SELECT count(DISTINCT score_id) AS scores, max(score_id) AS id FROM metrics");
        assertEquals(ExitCode.OK, views.code(), views.err());
        assertEquals("scores,id\n1," + second + "\n", views.out());
        Outcome all = run("sql", "--format", "csv", "SELECT count(DISTINCT score_id) AS scores, count(*) AS n FROM " + full);
        assertEquals("scores,n\n2," + 2 * rowsPerScore + "\n", all.out());
        Outcome chosen = run("sql", "--format", "csv", "--score-id", first, "SELECT DISTINCT score_id FROM metrics");
        assertEquals("score_id\n" + first + "\n", chosen.out());
        Outcome travel = run("sql", "--format", "csv", "SELECT count(*) AS n, max(score_id) AS id FROM " + full + " VERSION AS OF " + firstSnapshot);
        assertEquals("n,id\n" + rowsPerScore + "," + first + "\n", travel.out());
        Outcome history = run("sql", "--format", "csv", "SELECT count(*) AS n FROM " + full + ".snapshots");
        assertEquals("n\n2\n", history.out(), "one commit per score");
    }
}
