package dev.noharm.generation.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.ProviderKind;
import dev.noharm.generation.RunModels;
import dev.noharm.generation.RunSpec;
import dev.noharm.testing.ReleaseLake;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Work keys are what makes a rerun pay for nothing: the planner must give every stored generation the key it
 * was stored under. Checked against the lake release 0.1 wrote (two models, two prompt variants, a 3-agent
 * team), read straight from its Parquet files.
 */
class WorkKeysTest {
    @Test
    void thePlannerGivesEveryGenerationOfAnOlderReleaseItsStoredKeyAndPromptHash() throws Exception {
        var fixture = ReleaseLake.folder();
        RunSpec spec = RunSpec.parse(Files.readString(fixture.resolve("spec.yaml")), "spec.yaml");
        ModelRegistry registry = ModelRegistry.parse(Files.readString(fixture.resolve("models.yaml")), "models.yaml",
                name -> "http://127.0.0.1:1/v1");
        Map<String, ModelSpec> models = RunModels.resolve(spec, "spec.yaml", registry, name -> null, false);
        var benchmark = new BenchmarkReader().read(BenchmarkSource.folder(fixture.resolve("bench").toString(), new Configuration()));
        Planner planner = new Planner(spec, models, PlanInputs.of(benchmark));

        List<Map<String, Object>> stored = ReleaseLake.generations();
        assertEquals(36, stored.size());
        Map<String, PriorAnswer> answers = new HashMap<>();
        Map<String, String> storedHashes = new HashMap<>();
        for (Map<String, Object> row : stored) {
            storedHashes.put((String) row.get("work_key"), (String) row.get("prompt_hash"));
            if ("ok".equals(row.get("status"))) {
                Long chain = (Long) row.get("chain_latency_ms");
                answers.put((String) row.get("work_key"), new PriorAnswer((String) row.get("work_key"), (String) row.get("response_text"),
                        chain != null ? chain : (Long) row.get("latency_ms")));
            }
        }

        Set<String> planned = new HashSet<>();
        Map<String, String> plannedHashes = new HashMap<>();
        Stage stage = planner.answers();
        int stages = 0;
        while (true) {
            stages++;
            assertEquals(List.of(), stage.blocked(), "every reviewed answer is in the old lake");
            for (WorkItem item : stage.items()) {
                planned.add(item.workKey());
                plannedHashes.put(item.workKey(), item.promptHash());
            }
            var next = planner.reviews(stage, answers);
            if (next.isEmpty()) {
                break;
            }
            stage = next.get();
        }
        assertEquals(3, stages);
        assertEquals(storedHashes.keySet(), planned, "the same 36 keys");
        assertEquals(storedHashes, plannedHashes, "and the same prompt hashes");
    }

    @Test
    void aKeyDependsOnTheWorkNotTheRun() {
        ModelSpec model = model(3);
        String key = WorkKeys.answer("v1", model, "c1", 1, "standard", "h");
        assertEquals(key, WorkKeys.answer("v1", model, "c1", 1, "standard", "h"));
        assertEquals(32, key.length());
        assertNotEquals(key, WorkKeys.answer("v1", model, "c1", 2, "standard", "h"));
        assertNotEquals(key, WorkKeys.answer("v2", model, "c1", 1, "standard", "h"));
        assertNotEquals(key, WorkKeys.answer("v1", model(4), "c1", 1, "standard", "h"), "a change of request parameters (the seed) is new work");
        assertNotEquals(key, WorkKeys.answer("v1", model, "c1", 1, "concise", "h"));
        assertNotEquals(key, WorkKeys.answer("v1", model, "c1", 1, "standard", "h2"));
        Set<String> reviews = Set.of(
                WorkKeys.review("v1", model, "c1", 1, "standard", "h", "team", 2, key),
                WorkKeys.review("v1", model, "c1", 1, "standard", "h", "team", 3, key),
                WorkKeys.review("v1", model, "c1", 1, "standard", "h", "other-team", 2, key),
                WorkKeys.review("v1", model, "c1", 1, "standard", "h", "team", 2, "another-reviewed-key"));
        assertEquals(4, reviews.size(), "a review's key covers its team, its stage and what it reviews");
        assertEquals(16, WorkKeys.promptHash("prompt").length());
    }

    private static ModelSpec model(int seed) {
        return new ModelSpec("m1", "Model m1", ProviderKind.OPENAI_COMPATIBLE, "", "m1", "1", "http://127.0.0.1:1/v1",
                new ModelSpec.RequestParams(0.0, 256, seed, "text", 5), new ModelSpec.Limits(60, 0, 4),
                new ModelSpec.Price(1.0, 2.0), null, null);
    }

    static Set<String> keys(List<WorkItem> items) {
        return items.stream().map(WorkItem::workKey).collect(Collectors.toSet());
    }
}
