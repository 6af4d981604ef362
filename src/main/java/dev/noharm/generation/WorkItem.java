package dev.noharm.generation;

import java.io.Serializable;

/**
 * One model call to make: a model, a case, a sample index and a prompt variant. The work key identifies
 * the work itself, not the run that asked for it, so a rerun (or another run) never pays for it again.
 */
public record WorkItem(String workKey, String modelId, String caseId, int sampleIndex, String promptVariant,
        String promptHash, String prompt, TeamStage team) implements Serializable {

    /**
     * A reviewer's place in a team: which team, which stage (2 or 3; the advisor's call is stage 1 and is an
     * ordinary generation), how the team is named, the generation it reviews, and the chain's latency so far.
     */
    public record TeamStage(String teamId, int stage, int teamSize, String condition, String displayName, String providers,
            String reviewedKey, long latencyBeforeMs) implements Serializable {}

    public static WorkItem of(String datasetVersion, ModelSpec model, String caseId, int sampleIndex, String variant,
            String promptHash) {
        String key = PromptBuilder.sha256(String.join("\u0000", datasetVersion, model.id(), model.modelVersion(),
                model.params().toJson(), caseId, Integer.toString(sampleIndex), variant, promptHash)).substring(0, 32);
        return new WorkItem(key, model.id(), caseId, sampleIndex, variant, promptHash, null, null);
    }

    /**
     * A review stage. Its key also covers the team, the stage and the reviewed generation's key, so a
     * rerun finds it done, and it differs from the same reviewer's call on a different answer. The prompt
     * (which embeds the reviewed answer) travels with the item.
     */
    public static WorkItem review(String datasetVersion, ModelSpec reviewer, String caseId, int sampleIndex, String variant,
            String prompt, TeamStage team) {
        String promptHash = PromptBuilder.hash(prompt);
        String key = PromptBuilder.sha256(String.join("\u0000", datasetVersion, reviewer.id(), reviewer.modelVersion(),
                reviewer.params().toJson(), caseId, Integer.toString(sampleIndex), variant, promptHash,
                team.teamId(), Integer.toString(team.stage()), team.reviewedKey())).substring(0, 32);
        return new WorkItem(key, reviewer.id(), caseId, sampleIndex, variant, promptHash, prompt, team);
    }

    /** Where the prompt for this item is kept in the broadcast map of prompts. */
    public String promptKey() {
        return promptKey(caseId, promptVariant);
    }

    public static String promptKey(String caseId, String variant) {
        return caseId + "\u0000" + variant;
    }
}
