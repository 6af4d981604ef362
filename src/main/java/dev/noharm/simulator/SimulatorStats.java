package dev.noharm.simulator;

import java.util.Map;

/**
 * What the simulator served. {@code maxPerMinute} is, per model, the most requests it accepted in any
 * 60-second window: the number to compare with a model's requests-per-minute limit. {@code batchesCreated} and
 * {@code batchRequests}: provider batches created and the requests they held (what a provider's batch API would bill).
 */
public record SimulatorStats(
        long received,
        long served,
        long rateLimited,
        long serverErrors,
        long hangs,
        long malformed,
        long truncated,
        long badBodies,
        long notFound,
        Map<String, Long> acceptedPerModel,
        Map<String, Long> maxPerMinute,
        long batchesCreated,
        long batchRequests) {

    /** Requests that reached a model (everything but 429s and unknown models): what a provider would bill. */
    public long accepted() {
        return acceptedPerModel.values().stream().mapToLong(Long::longValue).sum();
    }
}
