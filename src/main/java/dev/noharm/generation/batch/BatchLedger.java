package dev.noharm.generation.batch;

import static org.apache.spark.sql.functions.col;

import dev.noharm.generation.Task;
import dev.noharm.generation.plan.ReviewItem;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The {@code batches} table: every provider batch the pipeline submits, as an append-only log of events, each one
 * Iceberg commit. The {@code submitting} event (the batch's items) is committed before the provider is asked, and
 * {@code open} (the provider's id) as soon as the provider answers, so a driver that dies at any point leaves enough
 * for the next run to find the batch instead of paying for it again.
 *
 * <p>How a batch is read back: its items and reservation from its {@code submitting} row, its provider id from any
 * row that has one, its state from the row with the highest {@code sequence} (each event is the previous one's
 * sequence plus one, whichever driver writes it, so no host's clock decides the order; of two rows with one sequence,
 * a final state wins over {@code open}).
 */
public final class BatchLedger {

    public enum State {
        /** Committed before the provider was asked: if no {@code open} follows, the next run looks the batch up. */
        SUBMITTING,
        /** The provider has it (its id is known): poll it, collect it. */
        OPEN,
        /** Its results are generations (or were already); nothing more to do. */
        COLLECTED,
        /** Never created: the provider refused it, or has no batch of that id; its items are to do again. */
        LOST;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static State of(String wire) {
            return valueOf(wire.toUpperCase(Locale.ROOT));
        }

        public boolean pending() {
            return this == SUBMITTING || this == OPEN;
        }
    }

    /** One batch as its events say now; {@code sequence} is its latest event's. */
    public record Batch(String batchId, int sequence, String runId, String jobId, String datasetVersion, String modelId, String protocol,
            String stage, State state, Instant submittedAt, Instant lastEventAt, String providerBatchId, List<BatchedItem> items,
            double reservedUsd, String message) {

        public Batch {
            items = List.copyOf(items);
        }

        /** A new batch, before the provider hears of it. */
        public static Batch submitting(String batchId, String runId, String jobId, String datasetVersion, String modelId, String protocol,
                String stage, Instant at, List<BatchedItem> items, double reservedUsd) {
            return new Batch(batchId, 0, runId, jobId, datasetVersion, modelId, protocol, stage, State.SUBMITTING, at, at, null, items,
                    reservedUsd, null);
        }

        /** The batch's next event. */
        public Batch next(State newState, Instant at, String newProviderId, String newMessage) {
            return new Batch(batchId, sequence + 1, runId, jobId, datasetVersion, modelId, protocol, stage, newState, submittedAt, at,
                    newProviderId == null ? providerBatchId : newProviderId, items, reservedUsd, newMessage);
        }

        public int requests() {
            return items.size();
        }

        public Set<String> workKeys() {
            return items.stream().map(BatchedItem::workKey).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        }
    }

    /** Counts recorded with a batch's {@code collected} event. */
    public record Counts(int succeeded, int errored, int unfinished) {}

    private final Lake lake;

    public BatchLedger(Lake lake) {
        this.lake = lake;
    }

    /** Commits the {@code submitting} event of a new batch: its items and the budget it reserved. */
    public void submitting(Batch batch) {
        if (batch.sequence() != 0 || batch.state() != State.SUBMITTING) {
            throw new IllegalArgumentException("a batch's first event is submitting, with sequence 0");
        }
        append(batch, true, null);
    }

    /** Commits a later event of {@code batch} (made with {@link Batch#next}); {@code counts} with {@code collected}. */
    public void record(Batch batch, Counts counts) {
        append(batch, false, counts);
    }

    private void append(Batch b, boolean first, Counts counts) {
        List<Row> items = first ? b.items().stream().map(BatchLedger::itemRow).toList() : null;
        Row row = RowFactory.create(b.batchId(), b.sequence(), b.runId(), b.jobId(), b.datasetVersion(), b.modelId(), b.protocol(), b.stage(),
                b.state().wireName(), Timestamp.from(b.lastEventAt()), b.providerBatchId(), b.requests(), items, first ? b.reservedUsd() : null,
                counts == null ? null : counts.succeeded(), counts == null ? null : counts.errored(),
                counts == null ? null : counts.unfinished(), b.message());
        lake.append(Tables.BATCHES, lake.spark().createDataFrame(List.of(row), Tables.BATCHES.schema()),
                Map.of("noharm.batch-id", b.batchId(), "noharm.batch-state", b.state().wireName()));
    }

    private static Row itemRow(BatchedItem i) {
        ReviewItem.ChainPosition c = i.chain();
        return RowFactory.create(i.workKey(), i.caseId(), i.sampleIndex(), i.promptVariant(), i.promptHash(), i.task().wireName(),
                i.judgedWorkKey(), c == null ? null : c.teamId(), c == null ? null : c.stage(), c == null ? null : c.teamSize(),
                c == null ? null : c.condition(), c == null ? null : c.displayName(), c == null ? null : c.providers(),
                c == null ? null : c.organizations(), c == null ? null : c.reviewedKey(), c == null ? null : c.latencyBeforeMs());
    }

    private static BatchedItem item(Row i) {
        ReviewItem.ChainPosition chain = i.getAs("team_id") == null ? null
                : new ReviewItem.ChainPosition(i.getAs("team_id"), i.<Integer>getAs("team_stage"), i.<Integer>getAs("team_size"),
                        i.getAs("team_condition"), i.getAs("team_display_name"), i.getAs("team_providers"), i.getAs("team_organizations"),
                        i.getAs("reviewed_work_key"), i.<Long>getAs("chain_latency_before_ms"));
        return new BatchedItem(i.getAs("work_key"), i.getAs("case_id"), i.<Integer>getAs("sample_index"), i.getAs("prompt_variant"),
                i.getAs("prompt_hash"), Task.valueOf(i.<String>getAs("task").toUpperCase(Locale.ROOT)), i.getAs("judged_work_key"), chain);
    }

    /** Every batch of the lake (of {@code modelIds}, or all when null), as its events say now, oldest first. */
    public List<Batch> batches(Collection<String> modelIds) {
        var rows = lake.read(Tables.BATCHES);
        if (modelIds != null) {
            rows = rows.where(col("model_id").isin(modelIds.toArray()));
        }
        Map<String, List<Row>> byBatch = rows.collectAsList().stream()
                .collect(Collectors.groupingBy(r -> r.<String>getAs("batch_id"), LinkedHashMap::new, Collectors.toList()));
        List<Batch> batches = new ArrayList<>();
        for (List<Row> events : byBatch.values()) {
            // By sequence; two events of one sequence (generate --cancel, which holds no lease, beside a collecting job):
            // a final state wins over open, so a collected batch is never collected again.
            events.sort(Comparator.<Row>comparingInt(r -> r.<Integer>getAs("sequence"))
                    .thenComparing(r -> State.of(r.getAs("state")).pending() ? 0 : 1));
            Row first = events.stream().filter(r -> State.SUBMITTING.wireName().equals(r.getAs("state"))).findFirst().orElse(null);
            if (first == null) {
                continue; // its first event's commit is not visible: nothing was sent for it
            }
            Row last = events.get(events.size() - 1);
            String providerId = events.stream().map(r -> r.<String>getAs("provider_batch_id")).filter(Objects::nonNull).reduce((a, b) -> b)
                    .orElse(null);
            List<BatchedItem> items = new ArrayList<>();
            for (Row i : first.<Row>getList(first.fieldIndex("items"))) {
                items.add(item(i));
            }
            Double reserved = first.getAs("reserved_usd");
            batches.add(new Batch(first.getAs("batch_id"), last.<Integer>getAs("sequence"), first.getAs("run_id"), first.getAs("job_id"),
                    first.getAs("dataset_version"), first.getAs("model_id"), first.getAs("protocol"), first.getAs("stage"),
                    State.of(last.getAs("state")), first.<Timestamp>getAs("event_at").toInstant(), last.<Timestamp>getAs("event_at").toInstant(),
                    providerId, items, reserved == null ? 0.0 : reserved, last.getAs("message")));
        }
        batches.sort(Comparator.comparing(Batch::submittedAt));
        return batches;
    }

    /** The batches still pending (submitting or open) of {@code modelIds} (all when null). */
    public List<Batch> pending(Collection<String> modelIds) {
        return batches(modelIds).stream().filter(b -> b.state().pending()).toList();
    }

    /** The work keys that pending batches of {@code modelIds} on {@code datasetVersion} hold: not to be called again meanwhile. */
    public Set<String> pendingKeys(String datasetVersion, Collection<String> modelIds) {
        return pending(modelIds).stream().filter(b -> b.datasetVersion().equals(datasetVersion)).flatMap(b -> b.workKeys().stream())
                .collect(Collectors.toSet());
    }

    /** What the run's pending batches reserved: counted against its budget until they are collected. */
    public double pendingReservedUsd(String runId) {
        return pending(null).stream().filter(b -> b.runId().equals(runId)).mapToDouble(Batch::reservedUsd).sum();
    }

    /** Provider ids the lake already accounts for, of every model: never adopted by a lookup. */
    public Set<String> knownProviderIds() {
        return batches(null).stream().map(Batch::providerBatchId).filter(Objects::nonNull).collect(Collectors.toSet());
    }
}
