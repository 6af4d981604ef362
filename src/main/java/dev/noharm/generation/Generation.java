package dev.noharm.generation;

import dev.noharm.lake.Nullable;
import dev.noharm.lake.RecordRows;
import dev.noharm.lake.Tables;
import java.io.Serializable;
import java.time.Instant;

/**
 * One finished work item: what was asked, what came back, what it cost, and how the call went. The one
 * type a generation has from the executor that made the call to the lake's {@code generations} table: its
 * components, flattened in order, are the table's columns ({@link #ROWS} checks them against
 * {@link Tables#GENERATIONS} when the class loads). {@code callMode}: {@link CallMode#wireName} (null in rows written
 * before batch calls existed: those were all real-time).
 */
public record Generation(Work work, @Nullable Answer answer, Usage usage, Outcome outcome, @Nullable TeamLineage team,
        @Nullable JudgeLineage judge, @Nullable String callMode) implements Serializable {

    public static final String OK = "ok";
    public static final String ERROR = "error";

    /** The table's rows as this record; fails at class load if the two disagree on any column. */
    public static final RecordRows<Generation> ROWS = RecordRows.of(Tables.GENERATIONS, Generation.class);

    /**
     * What was asked of which model: everything that identifies the work, and the run and job that did it.
     * {@code provider} is the registry's protocol, {@code organization} who made the model (empty when the
     * registry does not know; null in rows written before the column existed). {@code task}: {@link Task#wireName}
     * (null in rows written before free-text plans: those are all {@code options}).
     */
    public record Work(String runId, String modelId, String workKey, String jobId, String datasetVersion, String modelVersion,
            String modelName, String displayName, String provider, @Nullable String organization, String caseId, int sampleIndex, String promptVariant,
            String promptHash, String requestParams, @Nullable String task) implements Serializable {}

    /** The model's answer as stored (hidden reasoning removed) and why it stopped. */
    public record Answer(String responseText, @Nullable String finishReason) implements Serializable {}

    /** Tokens as the provider reported them (empty where it did not) and their cost at the registry's prices. */
    public record Usage(@Nullable Long inputTokens, @Nullable Long outputTokens, @Nullable Long reasoningTokens,
            @Nullable Double costUsd) implements Serializable {
        public static final Usage NONE = new Usage(null, null, null, null);
    }

    /** How the call went: the last attempt's latency, attempts, 429 waits, status and failure, and when. */
    public record Outcome(long latencyMs, int attempts, int rateLimitWaits, String status, @Nullable Failure failure,
            Instant startedAt, Instant finishedAt) implements Serializable {}

    /** Why an item failed after all retries. */
    public record Failure(String errorClass, String errorMessage, @Nullable Integer httpStatus) implements Serializable {}

    /** A team review stage's place in its chain (the advisor's call is an ordinary generation without one). */
    public record TeamLineage(String teamId, int teamStage, int teamSize, String teamCondition, String teamDisplayName,
            String teamProviders, @Nullable String teamOrganizations, String reviewedWorkKey, long chainLatencyMs) implements Serializable {}

    /** A judge's call: the free-text answer it judged (its case, sample and variant are the answer's). */
    public record JudgeLineage(String judgedWorkKey) implements Serializable {}

    public boolean ok() {
        return OK.equals(outcome.status());
    }
}
