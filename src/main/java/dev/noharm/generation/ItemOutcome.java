package dev.noharm.generation;

/**
 * What an executor reports to the driver when an item is finished: the progress line and the end-of-stage
 * summary are made of these. Derived from the stored {@link Generation} (or, for an item found already stored, from
 * the status the lake has), never parsed back from text. A retried task reports the items it calls again a second
 * time; the work key lets the driver count each item once.
 */
public record ItemOutcome(String workKey, String modelId, Status status, int attempts, int rateLimitWaits, long inputTokens, long outputTokens,
        double costUsd, long latencyMs) {

    public enum Status {
        OK,
        FAILED,
        /** Not called: the run's budget would have been passed (the item stays to do). */
        OVER_BUDGET,
        /** Not called: the job was interrupted (the item stays to do). */
        STOPPED
    }

    public static ItemOutcome of(Generation generation) {
        Generation.Usage usage = generation.usage();
        Generation.Outcome outcome = generation.outcome();
        return new ItemOutcome(generation.work().workKey(), generation.work().modelId(), generation.ok() ? Status.OK : Status.FAILED, outcome.attempts(),
                outcome.rateLimitWaits(), usage.inputTokens() == null ? 0 : usage.inputTokens(),
                usage.outputTokens() == null ? 0 : usage.outputTokens(), usage.costUsd() == null ? 0.0 : usage.costUsd(),
                outcome.latencyMs());
    }

    /**
     * An item found already stored with this status (a batch collected again after its results were stored): counted as
     * stored, with no call, since none was made for it now.
     */
    public static ItemOutcome alreadyStored(String workKey, String modelId, boolean ok) {
        return new ItemOutcome(workKey, modelId, ok ? Status.OK : Status.FAILED, 0, 0, 0, 0, 0.0, 0);
    }

    /** Whether this report stands for calls made (and paid for): an answered or failed item with at least one attempt. */
    public boolean called() {
        return (status == Status.OK || status == Status.FAILED) && attempts > 0;
    }

    public static ItemOutcome stopped(String workKey, String modelId) {
        return new ItemOutcome(workKey, modelId, Status.STOPPED, 0, 0, 0, 0, 0.0, 0);
    }

    public static ItemOutcome overBudget(String workKey, String modelId) {
        return new ItemOutcome(workKey, modelId, Status.OVER_BUDGET, 0, 0, 0, 0, 0.0, 0);
    }
}
