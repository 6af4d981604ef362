package dev.noharm.generation.plan;

import java.util.Map;

/**
 * A model's own answer to a case, on the options task or the free-text task (a solo model's call, and a team
 * advisor's, which is the same work). The
 * prompt depends only on the case and the prompt variant, so it travels once per (case, variant) in the
 * shared prompts rather than with every item.
 */
public record AnswerItem(String workKey, String modelId, String caseId, int sampleIndex, String promptVariant, String promptHash,
        dev.noharm.generation.Task task) implements WorkItem {

    @Override
    public String prompt(Map<String, String> sharedPrompts) {
        String prompt = sharedPrompts.get(promptKey(caseId, promptVariant));
        if (prompt == null) {
            throw new IllegalStateException("no shared prompt for case " + caseId + ", variant " + promptVariant);
        }
        return prompt;
    }

    /** Where the prompt of a (case, variant) is kept in the shared prompts. */
    public static String promptKey(String caseId, String variant) {
        return caseId + "\u0000" + variant;
    }
}
