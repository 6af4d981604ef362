package dev.noharm.generation.plan;

import java.util.Map;

/**
 * A team reviewer's call: the case and the previous stage's answer, to be corrected. The prompt embeds that
 * answer, so it travels with the item.
 */
public record ReviewItem(String workKey, String modelId, String caseId, int sampleIndex, String promptVariant, String promptHash,
        String prompt, ChainPosition chain) implements WorkItem {

    /**
     * Where the review sits in its team's chain: which team, which stage (2 or 3; the advisor's call is stage
     * 1), how the team is named, the generation it reviews, and the chain's latency before this call.
     */
    public record ChainPosition(String teamId, int stage, int teamSize, String condition, String displayName, String providers,
            String organizations, String reviewedKey, long latencyBeforeMs) implements java.io.Serializable {}

    @Override
    public dev.noharm.generation.Task task() {
        return dev.noharm.generation.Task.OPTIONS;
    }

    @Override
    public String prompt(Map<String, String> sharedPrompts) {
        return prompt;
    }
}
