package dev.noharm.generation.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.PromptBuilder;
import dev.noharm.generation.RunModels;
import dev.noharm.generation.RunSpec;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.GenerationFixture;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The planner on its own: no Spark, no lake, no calls. */
class PlannerTest {
    @TempDir
    Path tmp;

    private static final String TEAM = """
            teams:
              - id: trio
                samples: 2
                advisor: a
                reviewers:
                  - {role: Guardian, model: g}
                  - {role: Steward, model: s}
            """;

    private Planner planner(RunSpec spec) {
        ModelRegistry registry = GenerationFixture.registry(
                GenerationFixture.model("a", "a", "http://127.0.0.1:1/v1", 600, 4, ""),
                GenerationFixture.model("b", "b", "http://127.0.0.1:1/v1", 600, 4, ""),
                GenerationFixture.model("g", "g", "http://127.0.0.1:1/v1", 600, 4, ""),
                GenerationFixture.model("s", "s", "http://127.0.0.1:1/v1", 600, 4, ""));
        Map<String, ModelSpec> models = RunModels.resolve(spec, "test-spec.yaml", registry, name -> null, false);
        var benchmark = new BenchmarkReader().read(BenchmarkSource.folder(BenchmarkFixture.tiny().writeTo(tmp.resolve("bench")).toString(),
                new Configuration()));
        return new Planner(spec, models, PlanInputs.of(benchmark));
    }

    @Test
    void theAnswerStageHasEveryModelCaseSampleAndVariantOnceAndAnAdvisorsCallIsTheSoloCall() {
        Map<String, Integer> samples = new java.util.LinkedHashMap<>();
        samples.put("a", 2);
        samples.put("b", 1);
        Planner planner = planner(GenerationFixture.spec("r", samples, "prompt_variants: [standard, concise]\n" + TEAM));
        Stage stage = planner.answers();
        // a: 2 cases x 2 samples x 2 variants = 8, b: 2 x 1 x 2 = 4; the team's advisor a (2 samples) adds nothing.
        assertEquals(12, stage.items().size());
        assertEquals(12, WorkKeysTest.keys(stage.items()).size());
        assertEquals(8, stage.chainKeys().size(), "2 cases x 2 samples x 2 variants of the team");
        assertTrue(WorkKeysTest.keys(stage.items()).containsAll(stage.chainKeys().values()));
        AnswerItem first = (AnswerItem) stage.items().get(0);
        assertEquals(List.of("a", "c1", 1, "standard"), List.of(first.modelId(), first.caseId(), first.sampleIndex(), first.promptVariant()));
        String prompt = first.prompt(planner.sharedPrompts());
        assertTrue(prompt.startsWith("You are the specialist") && prompt.contains("Case one. What next?\n1: Medication: Drug A\n"), prompt);
        assertEquals(WorkKeys.promptHash(prompt), first.promptHash());
        assertEquals(4, planner.sharedPrompts().size(), "one prompt per case and variant, shared by every sample and model");
    }

    @Test
    void judgesComeAfterTheLongestChainInAStageAndJobOfTheirOwn() {
        // g reviews in the team and judges the plans of b: its files must never share a stage's job id.
        Planner planner = planner(RunSpec.parse("run_id: r\nregistry: test-registry.yaml\nmodels: [{model: b, task: free_text}]\n"
                + "judges: [{model: g}, {model: s}]\n" + TEAM, "test-spec.yaml"));
        Stage answers = planner.answers();
        assertEquals(Set.of("b"), answers.items().stream().filter(i -> i.task() == dev.noharm.generation.Task.FREE_TEXT)
                .map(WorkItem::modelId).collect(java.util.stream.Collectors.toSet()));
        Map<String, PriorAnswer> plans = new HashMap<>();
        planner.judgeInputs(answers).forEach(key -> plans.put(key, new PriorAnswer(key, "Assessment.\n1. Drug A", 10)));
        Stage judges = planner.judgments(answers, plans).orElseThrow();
        assertEquals(4, judges.number(), "after the advisor (1), the guardian (2) and the steward (3)");
        assertEquals(2 * 2, judges.items().size(), "two plans (one per case), two judges");
        Stage guardians = planner.reviews(answers, Map.of()).orElseThrow();
        Stage stewards = planner.reviews(guardians, Map.of()).orElseThrow();
        assertEquals(4, Set.of(answers.jobId("J"), guardians.jobId("J"), stewards.jobId("J"), judges.jobId("J")).size());
        JudgeItem judge = (JudgeItem) judges.items().get(0);
        assertTrue(planner.judgeInputs(answers).contains(judge.judgedWorkKey()));
        assertTrue(judge.prompt().contains("1: Medication: Drug A") && judge.prompt().contains("1. Drug A"), judge.prompt());
    }

    @Test
    void reviewsBuildOnThePreviousAnswersAndAMissingAnswerBlocksTheRestOfItsChain() {
        Planner planner = planner(GenerationFixture.spec("r", Map.of(), TEAM));
        Stage advisors = planner.answers();
        assertEquals(4, advisors.items().size());
        assertEquals(advisors.chainKeys().values().stream().toList().stream().distinct().toList(),
                List.copyOf(planner.reviewInputs(advisors)));

        // Every advisor answered but (c2, sample 2): its review is blocked.
        Map<String, PriorAnswer> answers = new HashMap<>();
        advisors.chainKeys().forEach((slot, key) -> {
            if (!(slot.caseId().equals("c2") && slot.sampleIndex() == 2)) {
                answers.put(key, new PriorAnswer(key, "ADVISOR " + slot.caseId() + "/" + slot.sampleIndex(), 100));
            }
        });
        Stage guardians = planner.reviews(advisors, answers).orElseThrow();
        assertEquals(2, guardians.number());
        assertEquals(3, guardians.items().size());
        assertEquals(List.of(new ChainSlot("trio", "c2", 2, "standard")), guardians.blocked());
        ReviewItem review = (ReviewItem) guardians.items().get(0);
        assertEquals("g", review.modelId());
        assertTrue(review.prompt().contains("safety reviewer") && review.prompt().endsWith("Your colleague's grades:\nADVISOR c1/1\n"),
                review.prompt());
        ChainSlot c1s1 = new ChainSlot("trio", "c1", 1, "standard");
        assertEquals(new ReviewItem.ChainPosition("trio", 2, 3, "Advisor + Guardian + Steward",
                "Test model a + Test model g + Test model s", "openai-compatible + openai-compatible + openai-compatible",
                "Lab a + Lab g + Lab s", advisors.chainKeys().get(c1s1), 100), review.chain());
        assertEquals(guardians.chainKeys().get(c1s1), review.workKey());

        // The steward stage: the slot blocked before stays blocked; one guardian failed too.
        Map<String, PriorAnswer> guardianAnswers = new HashMap<>();
        guardians.chainKeys().forEach((slot, key) -> {
            if (!slot.caseId().equals("c2")) {
                guardianAnswers.put(key, new PriorAnswer(key, "GUARDIAN " + slot.caseId(), 250));
            }
        });
        Stage stewards = planner.reviews(guardians, guardianAnswers).orElseThrow();
        assertEquals(2, stewards.items().size());
        assertEquals(2, stewards.blocked().size());
        assertEquals(250, ((ReviewItem) stewards.items().get(0)).chain().latencyBeforeMs(), "the chain's latency so far");
        assertTrue(planner.reviews(stewards, Map.of()).isEmpty(), "no team has a fourth stage");
    }

    @Test
    void aModelReviewingItselfGetsADifferentKeyAtEveryStage() {
        Planner planner = planner(GenerationFixture.spec("r", Map.of(),
                "teams:\n  - {id: self, samples: 1, advisor: a, reviewers: [{role: Guardian, model: a}]}\n"));
        Stage advisors = planner.answers();
        Map<String, PriorAnswer> answers = new HashMap<>();
        advisors.chainKeys().values().forEach(k -> answers.put(k, new PriorAnswer(k, "same text", 1)));
        Stage reviews = planner.reviews(advisors, answers).orElseThrow();
        assertEquals(2, reviews.items().size());
        for (WorkItem item : reviews.items()) {
            assertTrue(!WorkKeysTest.keys(advisors.items()).contains(item.workKey()));
        }
        assertNotEquals(reviews.items().get(0).workKey(), reviews.items().get(1).workKey());
    }

    @Test
    void aCutReviewedAnswerKeepsTheReviewPromptWithinItsBound() {
        Planner planner = planner(GenerationFixture.spec("r", Map.of(), TEAM));
        Stage advisors = planner.answers();
        Map<String, PriorAnswer> answers = new HashMap<>();
        advisors.chainKeys().values().forEach(k -> answers.put(k, new PriorAnswer(k, "y".repeat(100_000), 1)));
        Stage guardians = planner.reviews(advisors, answers).orElseThrow();
        for (WorkItem item : guardians.items()) {
            ChainSlot slot = new ChainSlot("trio", item.caseId(), item.sampleIndex(), item.promptVariant());
            String prompt = item.prompt(Map.of());
            assertTrue(prompt.contains("[... cut]"));
            assertEquals(planner.blockedReview(2, slot).maxPromptChars(), prompt.length(), "the longest possible review prompt");
            assertTrue(prompt.length() < PromptBuilder.MAX_REVIEWED_CHARS + 3_000);
        }
    }
}
