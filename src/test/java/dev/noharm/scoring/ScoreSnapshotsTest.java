package dev.noharm.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.benchmark.IngestBenchmark;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Maintenance;
import dev.noharm.lake.ScoreChoice;
import dev.noharm.lake.Tables;
import dev.noharm.teams.Controls;
import dev.noharm.teams.DerivedResponders;
import dev.noharm.teams.Ensembles;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Scores as snapshots: each score is whole or invisible, earlier ones stay readable, and a plain score repeats the last one's settings. */
@ExtendWith(SparkTestSession.class)
class ScoreSnapshotsTest {
    private static Lake lake(SparkSession spark, Path tmp) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        String version = new IngestBenchmark(lake).ingest(BenchmarkSource.folder(BenchmarkFixture.tiny().writeTo(tmp.resolve("bench")).toString(),
                new Configuration())).datasetVersion();
        Path responses = tmp.resolve("responses.jsonl");
        Files.write(responses, List.of(
                "{\"responder\":\"dr-a\",\"trial\":1,\"case_id\":\"c1\",\"response\":[{\"Option\":1,\"GradeAI\":\"Appropriate\"}]}",
                "{\"responder\":\"dr-a\",\"trial\":1,\"case_id\":\"c2\",\"response\":[{\"Option\":2,\"GradeAI\":\"Appropriate\"}]}",
                "{\"responder\":\"dr-b\",\"trial\":1,\"case_id\":\"c1\",\"response\":[{\"Option\":2,\"GradeAI\":\"Appropriate\"}]}",
                "{\"responder\":\"dr-b\",\"trial\":1,\"case_id\":\"c2\",\"response\":[{\"Option\":1,\"GradeAI\":\"Appropriate\"}]}"));
        new ImportResponses(lake).importFile(responses.toString(), version);
        return lake;
    }

    private static double safety(Lake lake, String responder) {
        return lake.read(Tables.METRICS).where("responder = '" + responder + "' AND grading = 'Majority' AND cases = 'AllCases' AND metric = 'Safety'")
                .first().getDouble(lake.read(Tables.METRICS).schema().fieldIndex("mean"));
    }

    private static long intervals(Lake lake) {
        return lake.read(Tables.METRICS).where("bootstrap_low IS NOT NULL").count();
    }

    @Test
    void everyScoreStaysReadableAStoppedOneIsNeverSeenAndMaintainClearsIt(SparkSession spark, @TempDir Path tmp) throws Exception {
        Lake lake = lake(spark, tmp);
        StringWriter out = new StringWriter();
        String first = new ScoreJob(lake, HarmWeights.defaults(), new PrintWriter(out)).run(List.of()).get(0).scoreId();
        String second = new ScoreJob(lake, HarmWeights.defaults(), new PrintWriter(out), 30, 2).run(List.of()).get(0).scoreId();
        assertNotEquals(first, second);
        // The second score has bootstrap intervals, the first none: each read shows one whole score.
        long rows = lake.read(Tables.METRICS).count();
        assertEquals(0, intervals(lake.withScore(ScoreChoice.of(first))));
        assertEquals(rows, lake.withScore(ScoreChoice.of(first)).read(Tables.METRICS).count());
        assertTrue(intervals(lake) > 0, "readers see the latest score");
        assertEquals(intervals(lake), intervals(lake.withScore(ScoreChoice.of(second))));
        assertEquals(safety(lake.withScore(ScoreChoice.of(first)), "dr-a"), safety(lake, "dr-a"), 0.0);
        assertEquals(2 * rows, lake.readAll(Tables.METRICS).count());
        double drA = safety(lake, "dr-a");
        long decisions = lake.read(Tables.DECISIONS).count();

        // A third score stops after two of its tables: committed, never complete, never seen.
        spark.conf().set(ScoreJob.CHAOS_STOP_AFTER_TABLES, "2");
        try {
            assertThrows(IllegalStateException.class, () -> new ScoreJob(lake, HarmWeights.parse("mild=9"), new PrintWriter(out)).run(List.of()));
        } finally {
            spark.conf().unset(ScoreJob.CHAOS_STOP_AFTER_TABLES);
        }
        assertEquals(3 * decisions, lake.readAll(Tables.DECISIONS).count());
        assertEquals(decisions, lake.read(Tables.DECISIONS).count());
        assertEquals(List.of(second), lake.read(Tables.DECISIONS).select("score_id").distinct().collectAsList().stream()
                .map(r -> r.getString(0)).toList());
        assertEquals(intervals(lake.withScore(ScoreChoice.of(second))), intervals(lake), "the previous score, whole");
        assertEquals(drA, safety(lake, "dr-a"), 0.0);

        // maintain drops what the stopped score left once it is older than the orphan age (0 here), and nothing else.
        var reports = new Maintenance(lake, Clock.systemUTC()).run(new Maintenance.Options(Duration.ofDays(7), 5, Duration.ZERO, 0));
        assertEquals(2 * decisions, lake.readAll(Tables.DECISIONS).count());
        assertTrue(reports.stream().anyMatch(r -> r.table().equals("decisions") && r.scoresDropped() == decisions), reports.toString());
        assertEquals(drA, safety(lake, "dr-a"), 0.0);
        assertEquals(rows, lake.withScore(ScoreChoice.of(first)).read(Tables.METRICS).count(), "the complete scores stay");
    }

    @Test
    void aPlainScoreComputesAgainTheControlsAndEnsemblesOfThePreviousOne(SparkSession spark, @TempDir Path tmp) throws Exception {
        Lake lake = lake(spark, tmp);
        String ensemble = Ensembles.Ensemble.parse("both=union:dr-a,dr-b").spec();
        new ScoreJob(lake, new PrintWriter(new StringWriter()), new ScoreConfig.Given(null, 20, 3L, new Controls(2, 7).spec(), List.of(ensemble)),
                DerivedResponders::fromSpecs).run(List.of());
        StringWriter out = new StringWriter();
        new ScoreJob(lake, new PrintWriter(out, true), ScoreConfig.Given.NOTHING, DerivedResponders::fromSpecs).run(List.of());
        assertTrue(out.toString().contains("as the previous score (") && out.toString().contains("controls:2:7; " + ensemble
                + "; bootstrap 20 replicates, seed 3"), out.toString());
        List<String> responders = lake.read(Tables.METRICS).select("responder").distinct().orderBy("responder").collectAsList().stream()
                .map(r -> r.getString(0)).toList();
        assertEquals(List.of("No Intervention", "Random Intervention", "both", "dr-a", "dr-b"), responders);
        assertTrue(lake.read(Tables.METRICS).where("bootstrap_low IS NOT NULL").count() > 0, "the intervals too");

        // What the command line says wins: the ensemble is dropped, the controls stay.
        new ScoreJob(lake, new PrintWriter(new StringWriter()), new ScoreConfig.Given(null, null, null, null, List.of()),
                DerivedResponders::fromSpecs).run(List.of());
        assertEquals(4, lake.read(Tables.METRICS).select("responder").distinct().count());
    }
}
