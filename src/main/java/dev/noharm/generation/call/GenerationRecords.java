package dev.noharm.generation.call;

import dev.noharm.generation.CallMode;
import dev.noharm.generation.Generation;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.plan.JudgeItem;
import dev.noharm.generation.plan.ReviewItem;
import dev.noharm.generation.plan.WorkItem;
import dev.noharm.generation.provider.ChatResult;
import java.time.Instant;

/**
 * A finished call as the {@link Generation} it is stored as, the same for every call strategy: what was asked (the
 * item, the model, who ran it), what came back or why it failed, what it cost at the price of its call mode, and the
 * item's place in a team chain or the answer a judge judged.
 */
public final class GenerationRecords {
    private GenerationRecords() {}

    /** Who made the call: the run, the stage's job, the dataset version. */
    public record Caller(String runId, String jobId, String datasetVersion) {}

    /** How the call went: when, attempts, 429 waits, the last attempt's latency. */
    public record Timing(Instant startedAt, Instant finishedAt, int attempts, int rateLimitWaits, long latencyMs) {}

    public static Generation of(Caller caller, WorkItem item, ModelSpec model, CallMode mode, Timing timing, ChatResult result,
            Generation.Failure failure) {
        Generation.Work work = new Generation.Work(caller.runId(), model.id(), item.workKey(), caller.jobId(), caller.datasetVersion(),
                model.modelVersion(), model.modelName(), model.displayName(), model.provider().wireName(), model.organization(),
                item.caseId(), item.sampleIndex(), item.promptVariant(), item.promptHash(), model.params().toJson(), item.task().wireName());
        Generation.Answer answer = result == null ? null : new Generation.Answer(result.text(), result.finishReason());
        Generation.Usage usage = Generation.Usage.NONE;
        if (result != null) {
            Long in = result.inputTokens() < 0 ? null : result.inputTokens();
            Long out = result.outputTokens() < 0 ? null : result.outputTokens();
            Double cost = in == null || out == null ? null
                    : mode == CallMode.BATCH ? model.price().batchCost(in, out) : model.price().cost(in, out);
            usage = new Generation.Usage(in, out, result.reasoningTokens() < 0 ? null : result.reasoningTokens(), cost);
        }
        Generation.Outcome outcome = new Generation.Outcome(timing.latencyMs(), timing.attempts(), timing.rateLimitWaits(),
                failure == null ? Generation.OK : Generation.ERROR, failure, timing.startedAt(), timing.finishedAt());
        Generation.TeamLineage team = null;
        if (item instanceof ReviewItem review) {
            ReviewItem.ChainPosition chain = review.chain();
            team = new Generation.TeamLineage(chain.teamId(), chain.stage(), chain.teamSize(), chain.condition(), chain.displayName(),
                    chain.providers(), chain.organizations(), chain.reviewedKey(), chain.latencyBeforeMs() + timing.latencyMs());
        }
        Generation.JudgeLineage judge = item instanceof JudgeItem judgeItem ? new Generation.JudgeLineage(judgeItem.judgedWorkKey()) : null;
        return new Generation(work, answer, usage, outcome, team, judge, mode.wireName());
    }
}
