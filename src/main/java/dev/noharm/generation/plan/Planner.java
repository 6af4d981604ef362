package dev.noharm.generation.plan;

import dev.noharm.benchmark.BenchmarkOption;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.PromptBuilder;
import dev.noharm.generation.RunSpec;
import dev.noharm.generation.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Plans a run, without Spark and without calling anything: from a run spec, the models it names and the
 * cases of a dataset version, the stages of typed work items. Stage 1 is every solo model's answers and every
 * team advisor's (the same work, paid once); each later stage is one review step of the teams whose chains
 * reach it, planned from the answers the previous stage stored. What is already finished is for the caller
 * to subtract ({@link Stage#pending}); how the calls are made is a {@code CallStrategy}'s business.
 */
public final class Planner {
    private final RunSpec spec;
    private final Map<String, ModelSpec> models;
    private final PlanInputs inputs;
    private final Map<String, String> prompts = new LinkedHashMap<>();

    /** {@code models}: every model the spec names, by registry id (validated by the caller). */
    public Planner(RunSpec spec, Map<String, ModelSpec> models, PlanInputs inputs) {
        this.spec = spec;
        this.models = Map.copyOf(models);
        this.inputs = inputs;
        for (String caseId : inputs.caseText().keySet()) {
            for (PromptBuilder.Variant variant : spec.variants().values()) {
                prompts.put(AnswerItem.promptKey(caseId, variant.name()),
                        PromptBuilder.prompt(variant, inputs.caseText().get(caseId), options(caseId)));
            }
        }
    }

    public String datasetVersion() {
        return inputs.datasetVersion();
    }

    /** The answer stage's prompts, one per (case, variant), keyed by {@link AnswerItem#promptKey}. */
    public Map<String, String> sharedPrompts() {
        return java.util.Collections.unmodifiableMap(prompts);
    }

    /** Stage 1: every solo model's answers, then every team advisor's (an advisor's answer that a solo run also asks for is one item). */
    public Stage answers() {
        Map<String, WorkItem> items = new LinkedHashMap<>();
        for (RunSpec.ModelRun run : spec.models()) {
            ModelSpec model = model(run.model());
            forEachSlot(run.samples(), run.promptVariants(), (caseId, sample, variant) -> {
                AnswerItem item = answer(model, caseId, sample, variant);
                items.putIfAbsent(item.workKey(), item);
            });
        }
        Map<ChainSlot, String> chainKeys = new LinkedHashMap<>();
        for (RunSpec.TeamRun team : spec.teams()) {
            ModelSpec advisor = model(team.advisor());
            forEachSlot(team.samples(), spec.promptVariants(), (caseId, sample, variant) -> {
                AnswerItem item = answer(advisor, caseId, sample, variant);
                items.putIfAbsent(item.workKey(), item);
                chainKeys.put(new ChainSlot(team.id(), caseId, sample, variant), item.workKey());
            });
        }
        return new Stage(Stage.Kind.ANSWERS, 1, new ArrayList<>(items.values()), chainKeys, List.of());
    }

    /** The stored answers the stage after {@code previous} reviews: the chain keys of the teams that reach it. */
    public Set<String> reviewInputs(Stage previous) {
        Set<String> keys = new LinkedHashSet<>();
        for (RunSpec.TeamRun team : teamsReaching(previous.number() + 1)) {
            previous.chainKeys().forEach((slot, key) -> {
                if (slot.teamId().equals(team.id())) {
                    keys.add(key);
                }
            });
        }
        return keys;
    }

    /**
     * The review stage after {@code previous}, or empty when no team's chain is that long. A slot whose
     * previous answer is not in {@code answers} (its call failed, or was never made) is blocked, and stays
     * blocked at every later stage.
     */
    public Optional<Stage> reviews(Stage previous, Map<String, PriorAnswer> answers) {
        int stage = previous.number() + 1;
        List<RunSpec.TeamRun> teams = teamsReaching(stage);
        if (teams.isEmpty()) {
            return Optional.empty();
        }
        List<WorkItem> items = new ArrayList<>();
        Map<ChainSlot, String> chainKeys = new LinkedHashMap<>();
        List<ChainSlot> blocked = new ArrayList<>();
        for (RunSpec.TeamRun team : teams) {
            RunSpec.Reviewer reviewer = team.reviewers().get(stage - 2);
            ModelSpec reviewerModel = model(reviewer.model());
            List<ModelSpec> members = team.members().stream().map(this::model).toList();
            String displayName = String.join(" + ", members.stream().map(ModelSpec::displayName).toList());
            String providers = String.join(" + ", members.stream().map(m -> m.provider().wireName()).toList());
            String organizations = String.join(" + ", members.stream().map(ModelSpec::organization).toList());
            previous.blocked().stream().filter(slot -> slot.teamId().equals(team.id())).forEach(blocked::add);
            for (Map.Entry<ChainSlot, String> entry : previous.chainKeys().entrySet()) {
                ChainSlot slot = entry.getKey();
                if (!slot.teamId().equals(team.id())) {
                    continue;
                }
                PriorAnswer answer = answers.get(entry.getValue());
                if (answer == null) {
                    blocked.add(slot);
                    continue;
                }
                String prompt = PromptBuilder.reviewPrompt(reviewer.role(), inputs.caseText().get(slot.caseId()), options(slot.caseId()),
                        answer.responseText());
                String promptHash = WorkKeys.promptHash(prompt);
                String key = WorkKeys.review(inputs.datasetVersion(), reviewerModel, slot.caseId(), slot.sampleIndex(),
                        slot.promptVariant(), promptHash, team.id(), stage, entry.getValue());
                items.add(new ReviewItem(key, reviewerModel.id(), slot.caseId(), slot.sampleIndex(), slot.promptVariant(), promptHash,
                        prompt, new ReviewItem.ChainPosition(team.id(), stage, team.reviewers().size() + 1, team.condition(),
                                displayName, providers, organizations, entry.getValue(), answer.chainLatencyMs())));
                chainKeys.put(slot, key);
            }
        }
        return Optional.of(new Stage(Stage.Kind.REVIEWS, stage, items, chainKeys, blocked));
    }

    /** The free-text answers of the answer stage, which the judges judge: their work keys. */
    public Set<String> judgeInputs(Stage answers) {
        Set<String> keys = new LinkedHashSet<>();
        for (WorkItem item : answers.items()) {
            if (item instanceof AnswerItem answer && answer.task() == Task.FREE_TEXT) {
                keys.add(answer.workKey());
            }
        }
        return keys;
    }

    /**
     * The judging stage: one call per (free-text answer of {@code answers}, judge), or empty when the run has no
     * judges or no free-text answers. An answer that is not in {@code plans} (its call failed or was never made)
     * cannot be judged yet; it is counted in {@link Stage#blocked} once per judge.
     */
    public Optional<Stage> judgments(Stage answers, Map<String, PriorAnswer> plans) {
        Set<String> judged = judgeInputs(answers);
        if (spec.judges().isEmpty() || judged.isEmpty()) {
            return Optional.empty();
        }
        List<WorkItem> items = new ArrayList<>();
        List<ChainSlot> blocked = new ArrayList<>();
        for (WorkItem item : answers.items()) {
            if (!judged.contains(item.workKey())) {
                continue;
            }
            PriorAnswer plan = plans.get(item.workKey());
            for (String judgeId : spec.judges()) {
                if (plan == null) {
                    blocked.add(new ChainSlot(JUDGE_SLOT + judgeId, item.caseId(), item.sampleIndex(), item.promptVariant()));
                    continue;
                }
                items.add(judge(model(judgeId), item, plan.responseText()));
            }
        }
        // Numbered after the longest team chain: the judges come after every answer stage.
        int lastAnswerStage = 1 + spec.teams().stream().mapToInt(t -> t.reviewers().size()).max().orElse(0);
        return Optional.of(new Stage(Stage.Kind.JUDGMENTS, lastAnswerStage + 1, items, Map.of(), blocked));
    }

    /** A judge's longest possible prompt on a case (the plan cut at its limit), to bound the cost of judging a plan not yet written. */
    public int maxJudgePromptChars(String caseId) {
        return PromptBuilder.judgePrompt(inputs.caseText().get(caseId), options(caseId), "x".repeat(PromptBuilder.MAX_JUDGED_CHARS + 1))
                .length();
    }

    /** The judge of a blocked judging slot. */
    public static String judgeOf(ChainSlot slot) {
        return slot.teamId().substring(JUDGE_SLOT.length());
    }

    private static final String JUDGE_SLOT = "judge:";

    private JudgeItem judge(ModelSpec judge, WorkItem answer, String plan) {
        String prompt = PromptBuilder.judgePrompt(inputs.caseText().get(answer.caseId()), options(answer.caseId()), plan);
        String promptHash = WorkKeys.promptHash(prompt);
        return new JudgeItem(WorkKeys.judgment(inputs.datasetVersion(), judge, answer.workKey(), promptHash), judge.id(), answer.caseId(),
                answer.sampleIndex(), answer.promptVariant(), promptHash, prompt, answer.workKey());
    }

    /** The reviewer of a blocked slot at {@code stage}, and the longest prompt it could be sent there (for upper bounds). */
    public BlockedReview blockedReview(int stage, ChainSlot slot) {
        RunSpec.TeamRun team = spec.teams().stream().filter(t -> t.id().equals(slot.teamId())).findFirst().orElseThrow();
        RunSpec.Reviewer reviewer = team.reviewers().get(stage - 2);
        String longest = PromptBuilder.reviewPrompt(reviewer.role(), inputs.caseText().get(slot.caseId()), options(slot.caseId()),
                "x".repeat(PromptBuilder.MAX_REVIEWED_CHARS + 1));
        return new BlockedReview(model(reviewer.model()), longest.length());
    }

    /** A review that cannot be planned yet: who would make it, and its longest possible prompt in characters. */
    public record BlockedReview(ModelSpec reviewer, int maxPromptChars) {}

    private AnswerItem answer(ModelSpec model, String caseId, int sample, String variant) {
        String promptHash = WorkKeys.promptHash(prompts.get(AnswerItem.promptKey(caseId, variant)));
        return new AnswerItem(WorkKeys.answer(inputs.datasetVersion(), model, caseId, sample, variant, promptHash), model.id(),
                caseId, sample, variant, promptHash, spec.variant(variant).task());
    }

    private List<RunSpec.TeamRun> teamsReaching(int stage) {
        return spec.teams().stream().filter(t -> t.reviewers().size() + 1 >= stage).toList();
    }

    private interface SlotAction {
        void accept(String caseId, int sample, String variant);
    }

    /** Every (case, sample, variant), in that nesting order: the order items are planned and reported in. */
    private void forEachSlot(int samples, List<String> variants, SlotAction action) {
        for (String caseId : inputs.caseText().keySet()) {
            for (int sample = 1; sample <= samples; sample++) {
                for (String variant : variants) {
                    action.accept(caseId, sample, variant);
                }
            }
        }
    }

    private List<BenchmarkOption> options(String caseId) {
        return inputs.optionsByCase().getOrDefault(caseId, List.of());
    }

    ModelSpec model(String id) {
        ModelSpec model = models.get(id);
        if (model == null) {
            throw new IllegalArgumentException("model '" + id + "' is not among the run's validated models");
        }
        return model;
    }
}
