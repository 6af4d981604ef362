package dev.noharm.generation.batch;

import static org.apache.spark.sql.functions.col;

import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The {@code batches} table: every provider batch the pipeline submits, as an append-only log of events, each one
 * Iceberg commit. The {@code submitting} event (the batch's work keys) is committed before the provider is asked, and
 * {@code open} (the provider's id) as soon as the provider answers, so a driver that dies at any point leaves enough
 * for the next run to find the batch instead of paying for it again. A batch's state is its latest event.
 */
public final class BatchLedger {

    public enum State {
        /** Committed before the provider was asked: if no {@code open} follows, the next run looks the batch up. */
        SUBMITTING,
        /** The provider has it (its id is known): poll it, collect it. */
        OPEN,
        /** Its results are generations; nothing more to do. */
        COLLECTED,
        /** Cancelled by {@code generate --cancel}; what it had answered was collected, the rest is to do again. */
        CANCELLED,
        /** Never created: the provider refused it, or has no batch of that id; its items are to do again. */
        LOST;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static State of(String wire) {
            return valueOf(wire.toUpperCase(java.util.Locale.ROOT));
        }

        public boolean pending() {
            return this == SUBMITTING || this == OPEN;
        }
    }

    /** One batch as its events say now. */
    public record Batch(String batchId, String runId, String jobId, String datasetVersion, String modelId, String protocol, String stage,
            State state, Instant submittedAt, Instant lastEventAt, String providerBatchId, int requests, List<String> workKeys,
            double reservedUsd, String message) {

        public Batch with(State newState, Instant at, String newProviderId, String newMessage) {
            return new Batch(batchId, runId, jobId, datasetVersion, modelId, protocol, stage, newState, submittedAt, at,
                    newProviderId == null ? providerBatchId : newProviderId, requests, workKeys, reservedUsd, newMessage);
        }
    }

    /** Counts recorded with a batch's last event. */
    public record Counts(int succeeded, int errored, int unfinished) {}

    private final Lake lake;

    public BatchLedger(Lake lake) {
        this.lake = lake;
    }

    /** Commits the {@code submitting} event of a new batch (its work keys and the budget it reserved). */
    public void submitting(Batch batch) {
        append(batch, batch.workKeys(), null);
    }

    /** Commits a later event of {@code batch} (its state, the provider's id, counts when collected). */
    public void record(Batch batch, Counts counts) {
        append(batch, null, counts);
    }

    private void append(Batch b, List<String> workKeys, Counts counts) {
        Row row = RowFactory.create(b.batchId(), b.runId(), b.jobId(), b.datasetVersion(), b.modelId(), b.protocol(), b.stage(),
                b.state().wireName(), Timestamp.from(b.lastEventAt()), b.providerBatchId(), b.requests(),
                workKeys,
                workKeys == null ? null : b.reservedUsd(), counts == null ? null : counts.succeeded(), counts == null ? null : counts.errored(),
                counts == null ? null : counts.unfinished(), b.message());
        lake.append(Tables.BATCHES, lake.spark().createDataFrame(List.of(row), Tables.BATCHES.schema()),
                Map.of("noharm.batch-id", b.batchId(), "noharm.batch-state", b.state().wireName()));
    }

    /** Every batch of the lake (of {@code modelIds}, or all when null), with its current state, oldest first. */
    public List<Batch> batches(Collection<String> modelIds) {
        var rows = lake.read(Tables.BATCHES);
        if (modelIds != null) {
            rows = rows.where(col("model_id").isin(modelIds.toArray()));
        }
        Map<String, List<Row>> byBatch = rows.orderBy("event_at").collectAsList().stream()
                .collect(Collectors.groupingBy(r -> r.<String>getAs("batch_id"), LinkedHashMap::new, Collectors.toList()));
        List<Batch> batches = new ArrayList<>();
        for (List<Row> events : byBatch.values()) {
            Row first = events.get(0);
            Row last = events.get(events.size() - 1);
            String providerId = null;
            for (Row e : events) {
                if (e.getAs("provider_batch_id") != null) {
                    providerId = e.getAs("provider_batch_id");
                }
            }
            List<String> keys = first.getAs("work_keys") == null ? List.of() : first.getList(first.fieldIndex("work_keys"));
            Double reserved = first.getAs("reserved_usd");
            batches.add(new Batch(first.getAs("batch_id"), first.getAs("run_id"), first.getAs("job_id"), first.getAs("dataset_version"),
                    first.getAs("model_id"), first.getAs("protocol"), first.getAs("stage"), State.of(last.getAs("state")),
                    first.<Timestamp>getAs("event_at").toInstant(), last.<Timestamp>getAs("event_at").toInstant(), providerId,
                    first.<Integer>getAs("requests"), List.copyOf(keys), reserved == null ? 0.0 : reserved, last.getAs("message")));
        }
        batches.sort(Comparator.comparing(Batch::submittedAt));
        return batches;
    }

    /** The batches still pending (submitting or open) of {@code modelIds} (all when null). */
    public List<Batch> pending(Collection<String> modelIds) {
        return batches(modelIds).stream().filter(b -> b.state().pending()).toList();
    }

    /** What the run's pending batches reserved: counted against its budget until they are collected. */
    public double pendingReservedUsd(String runId) {
        return pending(null).stream().filter(b -> b.runId().equals(runId)).mapToDouble(Batch::reservedUsd).sum();
    }

    /** Provider ids the lake already accounts for, of one model. */
    public Set<String> knownProviderIds(String modelId) {
        return batches(List.of(modelId)).stream().map(Batch::providerBatchId).filter(java.util.Objects::nonNull).collect(Collectors.toSet());
    }
}
