package dev.noharm.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.GenerationFixture;
import dev.noharm.testing.ScriptedModelServer;
import dev.noharm.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's budget: every scripted answer costs (100 x $2 + 20 x $10) / 10^6 = $0.0004, and each call
 * reserves far more (prompt characters / 2 as input and all 512 output tokens, about $0.006), so a budget
 * of $0.007 admits only a call or two at a time.
 */
@ExtendWith(SparkTestSession.class)
class GenerateBudgetTest {
    @TempDir
    Path tmp;

    @Test
    void theBudgetStopsNewCallsAndTheRestIsResumable(SparkSession spark) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        GenerationFixture.ingest(lake, BenchmarkSource.folder(BenchmarkFixture.tiny().writeTo(tmp.resolve("bench")).toString(), new Configuration()));
        try (ScriptedModelServer server = new ScriptedModelServer()) {
            ModelRegistry registry = GenerationFixture.registry(GenerationFixture.model("a", "a", server.baseUrl(), 600, 4, ""));
            GenerationFixture.Run first = GenerationFixture.generate(lake, GenerationFixture.spec("budget", Map.of("a", 5), "budget_usd: 0.007\n"),
                    registry, name -> null);
            long calls = server.requests("a").size();
            assertTrue(calls >= 1 && calls < 10, calls + " calls");
            assertEquals(calls, lake.read(Tables.GENERATIONS).count(), "every call stored, nothing stored for the calls not made");
            assertEquals(10 - calls, first.result().overBudget());
            assertTrue(first.output().contains("items not called: the run's budget would have been passed"), first.output());
            assertTrue(spent(lake) <= 0.007 + 1e-12, "spent " + spent(lake));

            // More budget for the same run: only what is left is called; earlier spending counts. What the dry run
            // promises beforehand is at least what those calls reserve.
            RunSpec more = GenerationFixture.spec("budget", Map.of("a", 5), "budget_usd: 1.0\n");
            double promised = new GenerateJob(lake, more, "test-spec.yaml", registry, name -> null, new java.io.PrintWriter(new java.io.StringWriter()))
                    .dryRun().stream().mapToDouble(dev.noharm.generation.plan.DryRun.Estimate::maxCostUsd).sum();
            GenerationFixture.Run second = GenerationFixture.generate(lake, more, registry, name -> null);
            assertTrue(second.output().contains("spent by earlier jobs"), second.output());
            assertEquals(10, server.requests("a").size(), "no item called twice");
            assertEquals(10, lake.read(Tables.GENERATIONS).select("work_key").distinct().count());
            assertEquals(0, second.result().overBudget());
            assertTrue(second.result().reservedUsd() > 0 && second.result().reservedUsd() <= promised + 1e-12,
                    "reserved " + second.result().reservedUsd() + ", dry run promised at most " + promised);
            assertEquals(0.004, spent(lake), 1e-12);
        }
    }

    private static double spent(Lake lake) {
        return lake.read(Tables.GENERATIONS).agg(org.apache.spark.sql.functions.sum("cost_usd")).first().getDouble(0);
    }
}
