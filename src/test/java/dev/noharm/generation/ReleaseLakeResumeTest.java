package dev.noharm.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Migration;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.testing.ReleaseLake;
import dev.noharm.testing.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A lake written by an earlier release, migrated, resumes: everything it paid for is found, only its failed items are called. */
@ExtendWith(SparkTestSession.class)
class ReleaseLakeResumeTest {
    @Test
    void rerunningTheReleasesSpecCallsOnlyWhatFailedThen(SparkSession spark, @TempDir Path tmp) throws Exception {
        Path fixture = ReleaseLake.copyTo(tmp.resolve("fixture"));
        Lake lake = new Lake(spark, fixture.resolve("lake").toString());
        new Migration(lake).from(fixture.resolve("lake").toString());
        var benchmark = new BenchmarkReader().read(BenchmarkSource.folder(fixture.resolve("bench").toString(), new Configuration()));
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(5, 0.2), benchmark, 0)) {
            // The model that was down then is up now: its 4 failed items are the only work left.
            ModelRegistry registry = ModelRegistry.parse(Files.readString(fixture.resolve("models.yaml")), "models.yaml",
                    name -> sim.baseUrl());
            RunSpec spec = RunSpec.parse(Files.readString(fixture.resolve("spec.yaml")), "spec.yaml");
            StringWriter out = new StringWriter();
            // The spec says latest; the release's generations are on its first dataset version (a second came later).
            GenerateJob.Result result = new GenerateJob(lake, spec, "spec.yaml", registry, name -> null, new PrintWriter(out, true),
                    new GenerationSettings.CommandLine(null, ReleaseLake.FIRST_VERSION, null)).run();
            assertEquals(36, result.planned(), out.toString());
            assertEquals(32, result.alreadyDone());
            assertEquals(4, result.attempted());
            assertEquals(4, sim.stats().accepted(), "nothing paid for by the old release was called again");
            assertTrue(out.toString().contains("models: 20 items planned, 16 already done, 4 to call"), out.toString());
            assertTrue(out.toString().contains("team stage 2: 8 items planned, 8 already done, 0 to call"), out.toString());
        }
    }
}
