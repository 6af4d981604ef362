package dev.noharm.generation.plan;

import dev.noharm.generation.ModelSpec;
import dev.noharm.ids.Ids;

/**
 * The recipes of work keys and prompt hashes: what makes two calls the same work. A key covers the dataset
 * version, the model and its version, every request parameter, the case, the sample, the prompt variant and
 * the prompt's exact text (so the instruction's, a user's own included); a review's key also covers its team,
 * its stage and the generation it reviews; a judgment's, the judge, its version and parameters, the judge
 * prompt's text and the generation it judges.
 * Changing a recipe makes every stored generation look unpaid: {@code WorkKeysTest} pins them.
 */
public final class WorkKeys {
    private WorkKeys() {}

    /** 16 hex digits of the prompt's SHA-256, stored with every generation. */
    public static String promptHash(String prompt) {
        return Ids.sha256Hex(prompt).substring(0, 16);
    }

    public static String answer(String datasetVersion, ModelSpec model, String caseId, int sampleIndex, String variant,
            String promptHash) {
        return key(datasetVersion, model.id(), model.modelVersion(), model.params().toJson(), caseId, Integer.toString(sampleIndex),
                variant, promptHash);
    }

    public static String review(String datasetVersion, ModelSpec reviewer, String caseId, int sampleIndex, String variant,
            String promptHash, String teamId, int stage, String reviewedKey) {
        return key(datasetVersion, reviewer.id(), reviewer.modelVersion(), reviewer.params().toJson(), caseId,
                Integer.toString(sampleIndex), variant, promptHash, teamId, Integer.toString(stage), reviewedKey);
    }

    public static String judgment(String datasetVersion, ModelSpec judge, String judgedKey, String promptHash) {
        return key(datasetVersion, judge.id(), judge.modelVersion(), judge.params().toJson(), "judge", judgedKey, promptHash);
    }

    private static String key(String... parts) {
        return Ids.sha256Hex(String.join("\u0000", parts)).substring(0, 32);
    }
}
