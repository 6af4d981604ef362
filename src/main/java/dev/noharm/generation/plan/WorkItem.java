package dev.noharm.generation.plan;

import java.io.Serializable;
import java.util.Map;

/**
 * One model call to make. Its work key identifies the work itself (what is asked of which model version
 * with which parameters), not the run that asked for it, so a rerun or another run never pays for it again.
 * Each kind of stage has its kind of item.
 */
public sealed interface WorkItem extends Serializable permits AnswerItem, ReviewItem, JudgeItem {
    String workKey();

    String modelId();

    String caseId();

    int sampleIndex();

    String promptVariant();

    /** What the call asks: stored with the generation. */
    dev.noharm.generation.Task task();

    /** {@link WorkKeys#promptHash} of the prompt, stored with the generation. */
    String promptHash();

    /** The prompt; items of the answer stage share theirs through {@code sharedPrompts} (one per case and variant). */
    String prompt(Map<String, String> sharedPrompts);
}
