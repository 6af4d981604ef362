package dev.noharm.generation.plan;

import dev.noharm.benchmark.BenchmarkOption;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.PromptBuilder;
import dev.noharm.generation.RunSpec;
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
            for (String variant : spec.promptVariants()) {
                prompts.put(AnswerItem.promptKey(caseId, variant),
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
            forEachSlot(run.samples(), (caseId, sample, variant) -> {
                AnswerItem item = answer(model, caseId, sample, variant);
                items.putIfAbsent(item.workKey(), item);
            });
        }
        Map<ChainSlot, String> chainKeys = new LinkedHashMap<>();
        for (RunSpec.TeamRun team : spec.teams()) {
            ModelSpec advisor = model(team.advisor());
            forEachSlot(team.samples(), (caseId, sample, variant) -> {
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
                caseId, sample, variant, promptHash);
    }

    private List<RunSpec.TeamRun> teamsReaching(int stage) {
        return spec.teams().stream().filter(t -> t.reviewers().size() + 1 >= stage).toList();
    }

    private interface SlotAction {
        void accept(String caseId, int sample, String variant);
    }

    /** Every (case, sample, variant), in that nesting order: the order items are planned and reported in. */
    private void forEachSlot(int samples, SlotAction action) {
        for (String caseId : inputs.caseText().keySet()) {
            for (int sample = 1; sample <= samples; sample++) {
                for (String variant : spec.promptVariants()) {
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
