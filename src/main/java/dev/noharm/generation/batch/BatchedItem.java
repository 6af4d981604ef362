package dev.noharm.generation.batch;

import dev.noharm.generation.Task;
import dev.noharm.generation.plan.AnswerItem;
import dev.noharm.generation.plan.JudgeItem;
import dev.noharm.generation.plan.ReviewItem;
import dev.noharm.generation.plan.WorkItem;

/**
 * What the lake keeps of each request of a batch (the {@code batches.items} column): enough to store its result as a
 * generation in any later run, whether or not that run's spec still plans the item. A paid answer is never left at
 * the provider because the spec changed. {@code judgedWorkKey}: a judge's call; {@code chain}: a team reviewer's.
 */
public record BatchedItem(String workKey, String caseId, int sampleIndex, String promptVariant, String promptHash, Task task,
        String judgedWorkKey, ReviewItem.ChainPosition chain) {

    public static BatchedItem of(WorkItem item) {
        if (item instanceof AnswerItem a) {
            return new BatchedItem(a.workKey(), a.caseId(), a.sampleIndex(), a.promptVariant(), a.promptHash(), a.task(), null, null);
        }
        if (item instanceof JudgeItem j) {
            return new BatchedItem(j.workKey(), j.caseId(), j.sampleIndex(), j.promptVariant(), j.promptHash(), Task.JUDGE, j.judgedWorkKey(),
                    null);
        }
        ReviewItem r = (ReviewItem) item;
        return new BatchedItem(r.workKey(), r.caseId(), r.sampleIndex(), r.promptVariant(), r.promptHash(), r.task(), null, r.chain());
    }

    /** The item again, for storing its result (its prompt is not needed for that, and not kept). */
    public WorkItem workItem(String modelId) {
        if (chain != null) {
            return new ReviewItem(workKey, modelId, caseId, sampleIndex, promptVariant, promptHash, "", chain);
        }
        return task == Task.JUDGE ? new JudgeItem(workKey, modelId, caseId, sampleIndex, promptVariant, promptHash, "", judgedWorkKey)
                : new AnswerItem(workKey, modelId, caseId, sampleIndex, promptVariant, promptHash, task);
    }
}
