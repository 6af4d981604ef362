package dev.noharm.generation;

import java.io.Serializable;

/**
 * One model call to make: a model, a case, a sample index and a prompt variant. The work key identifies
 * the work itself, not the run that asked for it, so a rerun (or another run) never pays for it again.
 */
public record WorkItem(String workKey, String modelId, String caseId, int sampleIndex, String promptVariant,
        String promptHash) implements Serializable {

    public static WorkItem of(String datasetVersion, ModelSpec model, String caseId, int sampleIndex, String variant,
            String promptHash) {
        String key = PromptBuilder.sha256(String.join("\u0000", datasetVersion, model.id(), model.modelVersion(),
                model.params().toJson(), caseId, Integer.toString(sampleIndex), variant, promptHash)).substring(0, 32);
        return new WorkItem(key, model.id(), caseId, sampleIndex, variant, promptHash);
    }

    /** Where the prompt for this item is kept in the broadcast map of prompts. */
    public String promptKey() {
        return promptKey(caseId, promptVariant);
    }

    public static String promptKey(String caseId, String variant) {
        return caseId + "\u0000" + variant;
    }
}
