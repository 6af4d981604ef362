package dev.noharm.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.scoring.Comparison;
import dev.noharm.scoring.LeaderboardExport;
import dev.noharm.scoring.Metric;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.testing.GenerationFixture;
import dev.noharm.testing.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SparkTestSession.class)
class NightlyJobTest {
    @TempDir
    Path tmp;

    private static final String SPEC = """
            nightly_id: nightly-test
            registry: test-registry.yaml
            dataset_versions: [latest]
            models:
              - {model: sim-x, samples: 2}
            regression:
              gradings: [Majority]
              replicates: 300
              seed: 7
              min_cases: 10
              margins: {safety: 0.0, completeness: 0.0, severe_case_harm_rate: 0.0}
            retry: {max_attempts: 3, base_delay_ms: 50, max_delay_ms: 200, max_rate_limit_waits: 5}
            commit: {every_results: 10, every_seconds: 2}
            concurrency_per_task: 4
            progress_seconds: 60
            """;

    @Test
    void flagsARegressedVersionAndASecondRunDoesNothing(SparkSession spark) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        GenerationFixture.ingest(lake, BenchmarkSource.bundledSample());
        NightlySpec spec = NightlySpec.parse(SPEC, "nightly.yaml");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(5, 0.2),
                new BenchmarkReader().read(BenchmarkSource.bundledSample()), 0)) {
            // Night 1: version 1 (a careful persona). Nothing to compare with yet.
            ModelRegistry v1 = GenerationFixture.registry(GenerationFixture.model("sim-x", "careful-1", sim.baseUrl(), 6000, 8, "", "1"));
            NightlyJob.Summary first = night(lake, spec, v1);
            assertEquals(40, sim.stats().accepted(), "20 cases x 2 samples");
            assertEquals(40, first.calls());
            assertTrue(first.regressions().isEmpty());
            assertEquals("no earlier version", first.targets().get(0).note());

            // Night 2: the registry now has version 2, which leaves needed actions out.
            ModelRegistry v2 = GenerationFixture.registry(GenerationFixture.model("sim-x", "omitter-2", sim.baseUrl(), 6000, 8, "", "2"));
            NightlyJob.Summary second = night(lake, spec, v2);
            assertEquals(80, sim.stats().accepted(), "only version 2 was called");
            assertEquals("1", second.targets().get(0).previousVersion());
            List<String> flagged = second.regressions().stream()
                    .filter(f -> f.cases().equals("AllCases")).map(NightlyJob.Flag::metric).sorted().toList();
            assertTrue(flagged.contains("Completeness") && flagged.contains("Safety"), "flagged: " + flagged);
            assertTrue(second.regressions().stream().allMatch(f -> f.grading().equals("Majority")));

            // The compared values are the scored means of each version (all 20 cases are common to both).
            for (String metric : List.of("Safety", "Completeness")) {
                Row compared = lake.read(Tables.REGRESSIONS).where("cases = 'AllCases' AND grading = 'Majority' AND metric = '" + metric + "'").first();
                assertEquals(mean(lake, "1", metric), compared.<Double>getAs("previous_value"), 1e-12);
                assertEquals(mean(lake, "2", metric), compared.<Double>getAs("new_value"), 1e-12);
                assertEquals(compared.<Double>getAs("new_value") - compared.<Double>getAs("previous_value"),
                        compared.<Double>getAs("difference"), 1e-12);
                assertEquals(20L, compared.<Long>getAs("cases_compared"));
                assertTrue(compared.<Boolean>getAs("regression"));
            }
            // Both versions export as rows of their own, named as the report names them (CONTRACT section 5).
            String datasetVersion = lake.read(Tables.METRICS).first().getAs("dataset_version");
            Path csv = tmp.resolve("harmdash.csv");
            new LeaderboardExport(lake).export(datasetVersion, LeaderboardExport.Format.HARMDASH, false, csv.toString());
            List<String[]> safety = new ArrayList<>();
            try (MappingIterator<String[]> rows = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY).readerFor(String[].class)
                    .readValues(csv.toFile())) {
                rows.forEachRemaining(r -> {
                    if (r[4].equals("Safety")) {
                        safety.add(r);
                    }
                });
            }
            assertEquals(List.of("Test model sim-x (v1, Advisor)", "Test model sim-x (v2, Advisor)"), safety.stream().map(f -> f[0]).toList());
            for (int v = 1; v <= 2; v++) {
                String[] fields = safety.get(v - 1);
                assertEquals(List.of("Solo Models", "Advisor", "Lab sim-x", "Safety"), List.of(fields).subList(1, 5));
                Row unanimous = lake.read(Tables.METRICS).where("responder = 'sim-x' AND version = '" + v
                        + "' AND grading = 'Unanimous' AND cases = 'AllCases' AND metric = 'Safety'").first();
                assertTrue(fields[5].matches("\\d\\.\\d{3}") && fields[6].matches("\\d\\.\\d{3}"), String.join(",", fields));
                assertEquals(unanimous.<Double>getAs("mean"), Double.parseDouble(fields[5]), 0.0005);
                assertEquals(unanimous.<Double>getAs("ci"), Double.parseDouble(fields[6]), 0.0005);
            }

            long comparisons = lake.read(Tables.REGRESSIONS).count();
            long scores = lake.read(Tables.SCORE_RUNS).count();
            assertEquals(2, scores);

            // Night 2 again: nothing new, nothing called, nothing written.
            NightlyJob.Summary third = night(lake, spec, v2);
            assertFalse(third.workDone());
            assertEquals(0, third.calls());
            assertEquals(80, sim.stats().accepted());
            assertTrue(third.regressions().isEmpty());
            assertEquals(comparisons, lake.read(Tables.REGRESSIONS).count());
            assertEquals(scores, lake.read(Tables.SCORE_RUNS).count());
        }
    }

    @Test
    void aRegressionNeedsTheMarginAndAnIntervalOnTheWorseSide() {
        Comparison.Difference worse = difference(-0.03, -0.05, -0.01);
        assertTrue(NightlyJob.isRegression(Metric.Watched.SAFETY, worse, 0.02));
        assertFalse(NightlyJob.isRegression(Metric.Watched.SAFETY, worse, 0.05), "within the margin");
        assertFalse(NightlyJob.isRegression(Metric.Watched.SAFETY, difference(-0.03, -0.06, 0.002), 0.0), "interval holds 0");
        assertFalse(NightlyJob.isRegression(Metric.Watched.SAFETY, difference(0.03, 0.01, 0.05), 0.0), "better");
        // The severe case harm rate is worse when it goes up.
        assertTrue(NightlyJob.isRegression(Metric.Watched.SEVERE_CASE_HARM_RATE, difference(0.10, 0.05, 0.15), 0.05));
        assertFalse(NightlyJob.isRegression(Metric.Watched.SEVERE_CASE_HARM_RATE, worse, 0.0));
    }

    @Test
    void theSummaryNamesEveryFlaggedShiftWithItsIntervalOverPairs() {
        NightlyJob.Summary summary = new NightlyJob.Summary("n", "2026-11-29T02:30:00Z", 40, 0, List.of("d1"),
                List.of(new NightlyJob.Target("d1", "sim-x", "2", "1", true, 0, "120 comparisons")), List.of(),
                List.of(new NightlyJob.ShiftFlag("d1", "sim-x", "2", "Majority", "age", "SafetyShift", -0.0625, -0.1, -0.025)));
        String text = NightlyJob.text(summary);
        assertTrue(text.startsWith("nightly n: 1 targets, 40 calls, 1 dataset versions scored, 0 regressions, 1 robustness shifts\n"), text);
        assertTrue(text.contains("  ROBUSTNESS sim-x@2, dataset d1, Majority, perturbation age: SafetyShift -0.0625 "
                + "(95% interval over pairs [-0.1000, -0.0250] excludes 0)\n"), text);
    }

    private static Comparison.Difference difference(double d, double low, double high) {
        return new Comparison.Difference("Majority", "AllCases", "All", "Safety", 0.5, 0.5 + d, d, low, high, 20, 100);
    }

    private static double mean(Lake lake, String version, String metric) {
        return lake.read(Tables.METRICS).where("responder = 'sim-x' AND version = '" + version
                + "' AND grading = 'Majority' AND cases = 'AllCases' AND harm = 'All' AND metric = '" + metric + "'")
                .first().getAs("mean");
    }

    @Test
    void aNightThatDoesNotWaitForItsBatchesScoresOnTheNightThatCollectsThem(SparkSession spark) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        GenerationFixture.ingest(lake, BenchmarkSource.bundledSample());
        NightlySpec spec = NightlySpec.parse(SPEC.replace("{model: sim-x, samples: 2}", "{model: sim-x, samples: 2, mode: batch}")
                + "batch: {wait: false, poll_seconds: 1}\n", "nightly.yaml");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(3_600_000, 0, 0),
                new BenchmarkReader().read(BenchmarkSource.bundledSample()), 0)) {
            ModelRegistry registry = GenerationFixture.registry(GenerationFixture.model("sim-x", "careful-1", sim.baseUrl(), 6000, 8, "", "1")
                    .replace("    model_name:", "    batch_api: true\n    model_name:"));
            NightlyJob.Summary first = night(lake, spec, registry);
            assertEquals(List.of(), first.scoredDatasetVersions(), "nothing is scored while the answers are at the provider");
            assertEquals("waiting for open provider batches", first.targets().get(0).note());
            assertTrue(lake.read(dev.noharm.lake.Tables.SCORE_RUNS).isEmpty());

            sim.endBatchesNow(); // the provider answers the batch overnight
            NightlyJob.Summary second = night(lake, spec, registry);
            assertEquals(1, second.scoredDatasetVersions().size(), "the night that collected the batch scored it");
            assertEquals(1, sim.stats().batchesCreated());
            assertEquals(40, lake.read(dev.noharm.lake.Tables.GENERATIONS).count());
        }
    }

    private static NightlyJob.Summary night(Lake lake, NightlySpec spec, ModelRegistry registry) {
        StringWriter out = new StringWriter();
        NightlyJob.Summary summary = new NightlyJob(lake, spec, "nightly.yaml", registry, name -> null, new PrintWriter(out, true)).run();
        System.out.print(out);
        return summary;
    }
}
