package dev.noharm.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The order every run-level setting is resolved in: command line, then run spec, then default. */
class GenerationSettingsTest {
    private static RunSpec spec(String extra) {
        return RunSpec.parse("run_id: r\nregistry: models.yaml\nmodels: [{model: a}]\n" + extra, "s.yaml");
    }

    @Test
    void defaultsApplyWhereNothingElseSaysAnything() {
        GenerationSettings s = GenerationSettings.resolve(GenerationSettings.CommandLine.NONE, spec(""), new SparkConf(false));
        assertEquals("./lake", s.lakeUri());
        assertEquals("latest", s.datasetVersion());
        assertEquals(null, s.budgetUsd());
        assertEquals(16, s.concurrencyPerTask());
        assertEquals(10, s.progressSeconds());
        assertEquals(false, s.speculation());
        assertEquals("127.0.0.1", s.driverHost());
        assertEquals(0, s.chaosFailFirstAttemptAfterCommits());
    }

    @Test
    void theSpecWinsOverDefaultsAndTheCommandLineOverTheSpec() {
        RunSpec spec = spec("dataset_version: abc\nbudget_usd: 5\nconcurrency_per_task: 3\nprogress_seconds: 7\nlake: /spec/lake\n");
        GenerationSettings fromSpec = GenerationSettings.resolve(GenerationSettings.CommandLine.NONE, spec, new SparkConf(false));
        assertEquals(java.util.List.of("/spec/lake", "abc", 5.0, 3, 7), java.util.List.of(fromSpec.lakeUri(), fromSpec.datasetVersion(),
                fromSpec.budgetUsd(), fromSpec.concurrencyPerTask(), fromSpec.progressSeconds()));

        SparkConf conf = new SparkConf(false)
                .set("spark.noharm.generate.concurrency_per_task", "9")
                .set("spark.noharm.generate.budget_usd", "2.5")
                .set("spark.speculation", "true")
                .set("spark.driver.host", "10.0.0.7")
                .set(GenerationSettings.CHAOS_FAIL_AFTER_COMMITS, "2");
        GenerationSettings given = GenerationSettings.resolve(new GenerationSettings.CommandLine("/cli/lake", "def", 1.0), spec, conf);
        assertEquals("/cli/lake", given.lakeUri());
        assertEquals("def", given.datasetVersion());
        assertEquals(1.0, given.budgetUsd(), "an option wins over --conf, which wins over the spec");
        assertEquals(9, given.concurrencyPerTask());
        assertEquals(7, given.progressSeconds());
        assertTrue(given.speculation());
        assertEquals("10.0.0.7", given.driverHost());
        assertEquals(2, given.chaosFailFirstAttemptAfterCommits());
    }

    @Test
    void anUnreadableSettingNamesItsKey() {
        SparkConf conf = new SparkConf(false).set("spark.noharm.generate.concurrency_per_task", "many");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GenerationSettings.resolve(GenerationSettings.CommandLine.NONE, spec(""), conf));
        assertEquals("spark.noharm.generate.concurrency_per_task (concurrency_per_task): cannot read \"many\": For input string: \"many\"",
                e.getMessage());
    }
}
