package dev.noharm.generation.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.RunModels;
import dev.noharm.generation.RunSpec;
import dev.noharm.generation.TokenEstimator;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.GenerationFixture;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dry run's bound against what the calls reserve. Each call reserves {@link TokenEstimator#upperBound} of
 * its real prompt; the dry run must never promise less, even for reviews whose input is not written yet.
 */
class DryRunTest {
    @TempDir
    Path tmp;

    private static final String TEAM = """
            teams:
              - {id: pair, samples: 2, advisor: a, reviewers: [{role: Guardian, model: g}, {role: Steward, model: g}]}
            """;

    private Map<String, ModelSpec> models;

    private Planner planner(RunSpec spec) {
        ModelRegistry registry = GenerationFixture.registry(
                GenerationFixture.model("a", "a", "http://127.0.0.1:1/v1", 600, 4, ""),
                GenerationFixture.model("g", "g", "http://127.0.0.1:1/v1", 600, 4, ""));
        models = RunModels.resolve(spec, "test-spec.yaml", registry, name -> null, false);
        var benchmark = new BenchmarkReader().read(BenchmarkSource.folder(BenchmarkFixture.tiny().writeTo(tmp.resolve("bench")).toString(),
                new Configuration()));
        return new Planner(spec, models, PlanInputs.of(benchmark));
    }

    @Test
    void theBoundIsAtLeastWhatEveryCallOfTheRunReserves() {
        Planner planner = planner(GenerationFixture.spec("dry", Map.of("a", 1), TEAM));
        List<DryRun.Estimate> before = DryRun.estimate(planner, Set.of(), keys -> Map.of());
        assertEquals(List.of("a models 4", "g team pair stage 2 4", "g team pair stage 3 4"),
                before.stream().map(e -> e.model() + " " + e.stage() + " " + e.toCall()).toList());

        // Now the run happens: answers of every length, up to far past the review cut.
        Map<String, Double> reserved = new HashMap<>();
        Map<String, PriorAnswer> answers = new HashMap<>();
        Set<String> finished = new HashSet<>();
        Stage stage = planner.answers();
        int n = 0;
        while (true) {
            for (WorkItem item : stage.items()) {
                String label = item instanceof ReviewItem r ? "team " + r.chain().teamId() + " stage " + stage.number() : "models";
                reserved.merge(item.modelId() + " " + label,
                        TokenEstimator.upperBound(models.get(item.modelId()), item.prompt(planner.sharedPrompts()).length()).costUsd(), Double::sum);
                answers.put(item.workKey(), new PriorAnswer(item.workKey(), "z".repeat(n++ % 2 == 0 ? 10 : 60_000), 5));
                finished.add(item.workKey());
            }
            var next = planner.reviews(stage, answers);
            if (next.isEmpty()) {
                break;
            }
            stage = next.get();
        }
        for (DryRun.Estimate e : before) {
            double spent = reserved.get(e.model() + " " + e.stage());
            assertTrue(e.maxCostUsd() >= spent - 1e-12, e + " promised less than the calls reserved: " + spent);
        }
        assertEquals(before.get(0).maxCostUsd(), reserved.get("a models"), 1e-12, "answer prompts are known: the bound is exact");

        // And after the run, nothing is left to call or to pay.
        List<DryRun.Estimate> after = DryRun.estimate(planner, finished, keys -> answers);
        assertTrue(after.stream().allMatch(e -> e.toCall() == 0 && e.maxCostUsd() == 0.0 && e.alreadyDone() == 4), after.toString());
    }

    @Test
    void aKnownReviewIsPricedOnItsRealPrompt() {
        Planner planner = planner(GenerationFixture.spec("dry", Map.of(), TEAM));
        Stage advisors = planner.answers();
        Map<String, PriorAnswer> answers = new HashMap<>();
        advisors.chainKeys().values().forEach(k -> answers.put(k, new PriorAnswer(k, "short", 1)));
        List<DryRun.Estimate> estimates = DryRun.estimate(planner, Set.copyOf(answers.keySet()), keys -> answers);
        DryRun.Estimate guardian = estimates.get(1);
        double exact = planner.reviews(advisors, answers).orElseThrow().items().stream()
                .mapToDouble(i -> TokenEstimator.upperBound(models.get("g"), i.prompt(Map.of()).length()).costUsd()).sum();
        assertEquals(exact, guardian.maxCostUsd(), 1e-12);
        assertTrue(estimates.get(2).maxCostUsd() > guardian.maxCostUsd(), "stage 3 still waits for stage 2: priced at its longest");
    }
}
