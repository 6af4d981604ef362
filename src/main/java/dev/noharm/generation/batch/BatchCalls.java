package dev.noharm.generation.batch;

import dev.noharm.generation.CallMode;
import dev.noharm.generation.Generation;
import dev.noharm.generation.ItemOutcome;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.TokenEstimator;
import dev.noharm.generation.call.CallStrategy;
import dev.noharm.generation.call.GenerationRecords;
import dev.noharm.generation.call.GenerationSink;
import dev.noharm.generation.call.StageCall;
import dev.noharm.generation.plan.WorkItem;
import dev.noharm.generation.provider.CallFailure;
import dev.noharm.generation.provider.StatusHttpException;
import dev.noharm.generation.ratelimit.RunBudget;
import dev.noharm.ids.Ids;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Calls a stage's items through the providers' batch APIs, from the driver. First it resumes every pending batch in
 * the lake of the stage's models on its dataset version (a killed driver's, an earlier run's, another spec's, last
 * night's): those are paid for or may be, so none of their items is submitted or called again. Then it submits the
 * items no batch holds, for the models whose mode is batch, in batches within each provider's limits; then it polls
 * until every batch has ended and stores every answer a batch holds as a generation ({@code call_mode} {@code batch},
 * at the batch price), whether or not this run still plans it. Every batch is in the ledger before the provider hears
 * of it ({@link BatchLedger}). Requests a batch left unanswered (expired, cancelled) are stored as nothing and stay to
 * do. With waiting off, the stage returns once everything is submitted; the next run collects.
 */
public final class BatchCalls implements CallStrategy {
    /** Collected batches store their results as "partitions" numbered from here, clear of the Spark tasks' partition numbers. */
    private static final int FIRST_COLLECTION_PARTITION = 1_000_000;

    /** Polling and waiting: how often, whether to wait at all, and how a pause is made (tests pass one that does not sleep). */
    public record Polling(Duration every, boolean waitForResults, Pause pause) {}

    /** Waits between polls; interrupted means stop polling (the batches stay open for the next run). */
    public interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    /**
     * What the strategy reads of the run and the lake: which models submit batches; and of one model on one dataset
     * version, the work keys already stored that a batch's collection must not store again (those answered {@code ok}
     * by any call, and those a batch call stored since the given time: an earlier collection of the same batch).
     */
    public record Run(Predicate<String> submitsBatches, StoredKeys storedKeys) {}

    /** The keys a collection must not store again, each with whether it is stored answered (else failed). */
    public interface StoredKeys {
        Map<String, Boolean> of(String datasetVersion, String modelId, Instant batchCallsSince);
    }

    private final BatchLedger ledger;
    private final Function<String, String> environment;
    private final Run run;
    private final Polling polling;
    private final RunBudget budget;
    private final Consumer<ItemOutcome> progress;
    private final BooleanSupplier stopping;
    private final Clock clock;
    private final PrintWriter out;
    private int collected;

    public BatchCalls(BatchLedger ledger, Function<String, String> environment, Run run, Polling polling, RunBudget budget,
            Consumer<ItemOutcome> progress, BooleanSupplier stopping, Clock clock, PrintWriter out) {
        this.ledger = ledger;
        this.environment = environment;
        this.run = run;
        this.polling = polling;
        this.budget = budget;
        this.progress = progress;
        this.stopping = stopping;
        this.clock = clock;
        this.out = out;
    }

    /** A batch being waited for, with its budget reservation (0: none, or an earlier job's, counted when the job began). */
    private record Waiting(BatchLedger.Batch batch, long reservation, BatchProtocol protocol) {}

    /**
     * Runs the stage's batch work: every pending batch of the stage's models on its dataset version is resumed (even
     * when {@code pending} is empty: a paid batch is collected whatever the run plans), and the pending items no batch
     * holds are submitted for the models whose mode is batch. Outcomes are reported for {@code pending} items only.
     */
    @Override
    public void call(StageCall stage, List<WorkItem> pending) {
        new Calling(stage, pending).run();
    }

    /** One stage's batch work and what it tracks while it runs. */
    private final class Calling {
        private final StageCall stage;
        private final Map<String, WorkItem> planned = new LinkedHashMap<>();
        private final Set<String> known;
        private final List<Waiting> waiting = new ArrayList<>();
        private final List<Waiting> lookups = new ArrayList<>();

        Calling(StageCall stage, List<WorkItem> pending) {
            this.stage = stage;
            pending.forEach(i -> planned.put(i.workKey(), i));
            this.known = ledger.knownProviderIds();
        }

        void run() {
            Map<String, List<WorkItem>> byModel = new LinkedHashMap<>();
            planned.values().forEach(item -> byModel.computeIfAbsent(item.modelId(), k -> new ArrayList<>()).add(item));
            Map<String, List<BatchLedger.Batch>> open = new LinkedHashMap<>();
            for (BatchLedger.Batch batch : ledger.pending(stage.models().keySet())) {
                if (batch.datasetVersion().equals(stage.datasetVersion())) {
                    open.computeIfAbsent(batch.modelId(), k -> new ArrayList<>()).add(batch);
                }
            }
            Set<String> models = new java.util.LinkedHashSet<>(open.keySet());
            byModel.keySet().stream().filter(run.submitsBatches()).forEach(models::add);
            for (String modelId : models) {
                ModelSpec model = stage.models().get(modelId);
                BatchProtocol protocol = BatchProtocol.create(model, environment);
                List<Waiting> resumed = new ArrayList<>();
                List<Waiting> unknown = new ArrayList<>();
                for (BatchLedger.Batch batch : open.getOrDefault(modelId, List.of())) {
                    Waiting w = new Waiting(batch, 0, protocol);
                    if (batch.state() == BatchLedger.State.SUBMITTING) {
                        unknown.add(w);
                    } else {
                        out.printf("generate: %s: resuming %s batch %s (%s) of %s: %d requests, submitted %s ago; nothing is submitted again%n",
                                stage.label(), protocol.name(), batch.batchId(), batch.providerBatchId(), model.id(), batch.requests(),
                                age(batch.submittedAt()));
                        resumed.add(w);
                    }
                }
                // A batch whose driver died while creating it is looked up first: found, it is resumed; certainly never
                // created, its items are submitted below; undecided, its items wait for the next lookup.
                // A lost batch's items are submitted just below when the model's mode is batch; else the next run calls them.
                resolveLookups(resumed, unknown, !run.submitsBatches().test(modelId));
                Set<String> held = new HashSet<>();
                resumed.forEach(w -> held.addAll(w.batch().workKeys()));
                unknown.forEach(w -> held.addAll(w.batch().workKeys()));
                waiting.addAll(resumed);
                lookups.addAll(unknown);
                if (run.submitsBatches().test(modelId)) {
                    List<WorkItem> toSubmit = byModel.getOrDefault(modelId, List.of()).stream().filter(i -> !held.contains(i.workKey())).toList();
                    waiting.addAll(submit(stage, model, protocol, toSubmit));
                }
            }
            out.flush();
            if (polling.waitForResults()) {
                poll();
            } else {
                collectEnded(false);
                if (!waiting.isEmpty() || !lookups.isEmpty()) {
                    out.printf("generate: %s: %d batches open; not waiting for them (batch wait is off): the next run collects them%n",
                            stage.label(), waiting.size() + lookups.size());
                }
            }
        }

        /** Reports the outcome of a planned item (items a batch holds that this stage did not plan are not its to count). */
        private void report(ItemOutcome outcome) {
            if (planned.remove(outcome.workKey()) != null) {
                progress.accept(outcome);
            }
        }

        private List<Waiting> submit(StageCall stage, ModelSpec model, BatchProtocol protocol, List<WorkItem> items) {
            List<Waiting> submitted = new ArrayList<>();
            BatchProtocol.Limits limits = protocol.limits();
            List<WorkItem> chunk = new ArrayList<>();
            long bytes = 0;
            double bound = 0;
            for (WorkItem item : items) {
                String prompt = item.prompt(stage.sharedPrompts());
                long size = prompt.getBytes(java.nio.charset.StandardCharsets.UTF_8).length * 2L + 1024; // JSON escaping, the envelope
                if (!chunk.isEmpty() && (chunk.size() >= limits.maxRequests() || bytes + size > limits.maxBytes())) {
                    submitOne(model, protocol, chunk, bound).ifPresent(submitted::add);
                    chunk = new ArrayList<>();
                    bytes = 0;
                    bound = 0;
                }
                chunk.add(item);
                bytes += size;
                bound += TokenEstimator.upperBound(model, prompt.length()).batchCostUsd();
            }
            if (!chunk.isEmpty()) {
                submitOne(model, protocol, chunk, bound).ifPresent(submitted::add);
            }
            return submitted;
        }

        private java.util.Optional<Waiting> submitOne(ModelSpec model, BatchProtocol protocol, List<WorkItem> items, double boundUsd) {
            if (stopping.getAsBoolean()) {
                items.forEach(i -> report(ItemOutcome.stopped(i.workKey(), model.id())));
                return java.util.Optional.empty();
            }
            long reservation = 0;
            if (budget != null) {
                reservation = budget.tryReserve(boundUsd, Long.MAX_VALUE / 4);
                if (reservation == 0) {
                    out.printf(Locale.ROOT, "generate: %s: a batch of %d requests to %s could cost up to $%.4f, more than the budget has left; "
                            + "not submitted (its items stay to do)%n", stage.label(), items.size(), model.id(), boundUsd);
                    items.forEach(i -> report(ItemOutcome.overBudget(i.workKey(), model.id())));
                    return java.util.Optional.empty();
                }
            }
            BatchLedger.Batch batch = BatchLedger.Batch.submitting(Ids.newId(), stage.runId(), stage.jobId(), stage.datasetVersion(),
                    model.id(), protocol.name(), stage.label(), clock.instant(), items.stream().map(BatchedItem::of).toList(), boundUsd);
            ledger.submitting(batch); // before the provider hears of it
            String providerId;
            try {
                providerId = protocol.submit(batch.batchId(), items.stream()
                        .map(i -> new BatchRequest(i.workKey(), i.prompt(stage.sharedPrompts()), i.sampleIndex())).toList());
            } catch (RuntimeException e) {
                CallFailure failure = CallFailure.classify(e);
                boolean refused = refused(e);
                if (refused) {
                    // The provider answered that it would not: no batch was created, nothing is owed.
                    if (budget != null) {
                        budget.settle(reservation, 0.0);
                    }
                    ledger.record(batch.next(BatchLedger.State.LOST, clock.instant(), null, "refused: " + failure.message()), null);
                }
                // Otherwise (a 5xx, a timeout, a broken connection) the batch may exist: its reservation stays, and the next
                // run looks it up before anything of it is submitted again.
                out.printf("generate: %s: submitting a batch of %d requests to %s failed (%s)%s%n", stage.label(), items.size(), model.id(),
                        failure.message(), refused ? "; its items stay to do"
                                : "; the provider may have created it: the next run looks it up before submitting any of its items");
                items.forEach(i -> report(ItemOutcome.stopped(i.workKey(), model.id())));
                return java.util.Optional.empty();
            }
            batch = batch.next(BatchLedger.State.OPEN, clock.instant(), providerId, null);
            ledger.record(batch, null);
            out.printf(Locale.ROOT, "generate: %s: submitted %s batch %s (%s) of %s: %d requests, at most $%.4f at batch prices%n",
                    stage.label(), protocol.name(), batch.batchId(), providerId, model.id(), items.size(), boundUsd);
            out.flush();
            return java.util.Optional.of(new Waiting(batch, reservation, protocol));
        }

        /**
         * Batches a dead driver left {@code submitting}, looked up at the provider: found, they are open (moved to
         * {@code open}); certainly not there, lost (their items to do again: submitted by this stage when it is still
         * submitting, else by the next run); not knowable yet, left in {@code unknown}.
         */
        private void resolveLookups(List<Waiting> open, List<Waiting> unknown, boolean lostItemsWaitForNextRun) {
            for (var it = unknown.iterator(); it.hasNext(); ) {
                Waiting w = it.next();
                BatchLedger.Batch batch = w.batch();
                BatchProtocol.Lookup lookup = w.protocol().find(batch.batchId(), batch.workKeys(), batch.submittedAt(), known);
                if (lookup instanceof BatchProtocol.Found found) {
                    BatchLedger.Batch adopted = batch.next(BatchLedger.State.OPEN, clock.instant(), found.providerBatchId(),
                            "found at the provider after its driver stopped");
                    ledger.record(adopted, null);
                    known.add(found.providerBatchId());
                    out.printf("generate: %s: batch %s of %s, whose driver stopped while submitting it, is %s at the provider; "
                            + "resuming it, nothing is submitted again%n", stage.label(), batch.batchId(), batch.modelId(), found.providerBatchId());
                    open.add(new Waiting(adopted, 0, w.protocol()));
                    it.remove();
                } else if (lookup instanceof BatchProtocol.NotFound) {
                    ledger.record(batch.next(BatchLedger.State.LOST, clock.instant(), null,
                            "the provider has no such batch: it was never created; its items are to do again"), null);
                    out.printf("generate: %s: batch %s of %s was never created at the provider (its driver stopped first); its %d items "
                            + "are to do again%n", stage.label(), batch.batchId(), batch.modelId(), batch.requests());
                    if (lostItemsWaitForNextRun) {
                        batch.workKeys().forEach(k -> report(ItemOutcome.stopped(k, batch.modelId())));
                    }
                    it.remove();
                } else if (lookup instanceof BatchProtocol.Undecided undecided) {
                    out.printf("generate: %s: batch %s of %s: cannot tell yet whether the provider created it (%s); looking again "
                            + "later, submitting none of its items%n", stage.label(), batch.batchId(), batch.modelId(), undecided.why());
                }
            }
        }

        private void poll() {
            Instant nextReport = clock.instant();
            boolean first = true;
            while (!waiting.isEmpty() || !lookups.isEmpty()) {
                if (!first) {
                    resolveLookups(waiting, lookups, true); // the first round's lookups were made as the batches were resumed
                }
                first = false;
                boolean reportNow = !clock.instant().isBefore(nextReport);
                collectEnded(reportNow);
                if (reportNow) {
                    nextReport = clock.instant().plusSeconds(30);
                }
                if (waiting.isEmpty() && lookups.isEmpty()) {
                    return;
                }
                if (stopping.getAsBoolean()) {
                    out.printf("generate: %s: stopping; %d batches stay open at the providers and the next run collects them%n",
                            stage.label(), waiting.size() + lookups.size());
                    return;
                }
                try {
                    polling.pause().pause(polling.every());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        /** Collects the batches that have ended and leaves the rest open, printing each one's progress when {@code report}. */
        private void collectEnded(boolean report) {
            for (var it = waiting.iterator(); it.hasNext(); ) {
                Waiting w = it.next();
                BatchStatus status = w.protocol().status(w.batch().providerBatchId());
                if (status.ended()) {
                    collect(w, status);
                    it.remove();
                } else if (report) {
                    out.printf("generate: %s: batch %s of %s is %s: %d of %d answered (%d failed), submitted %s ago%n", stage.label(),
                            w.batch().providerBatchId(), w.batch().modelId(), status.providerState(),
                            status.succeeded() + status.errored(), status.total(), status.errored(), age(w.batch().submittedAt()));
                    out.flush();
                }
            }
        }

        /**
         * Stores an ended batch's answers as generations: every item it holds, except those the lake has answered
         * {@code ok} since and those an earlier collection of this batch stored (a driver that stopped before marking it
         * collected); then marks it collected.
         */
        private void collect(Waiting w, BatchStatus status) {
            BatchLedger.Batch batch = w.batch();
            ModelSpec model = stage.models().get(batch.modelId());
            Instant now = clock.instant();
            GenerationRecords.Caller caller = new GenerationRecords.Caller(batch.runId(), stage.jobId(), batch.datasetVersion());
            GenerationRecords.Timing timing = new GenerationRecords.Timing(batch.submittedAt(), now, 1, 0,
                    Duration.between(batch.submittedAt(), now).toMillis());
            Map<String, BatchedItem> items = new HashMap<>();
            batch.items().forEach(i -> items.put(i.workKey(), i));
            Map<String, Boolean> stored = run.storedKeys().of(batch.datasetVersion(), batch.modelId(), batch.submittedAt());
            List<Generation> generations = new ArrayList<>();
            Set<String> answered = new LinkedHashSet<>();
            List<ItemOutcome> alreadyStored = new ArrayList<>();
            int succeeded = 0;
            int errored = 0;
            for (BatchResult result : w.protocol().results(batch.providerBatchId())) {
                BatchedItem item = items.get(result.workKey());
                if (item == null || result.kind() == BatchResult.Kind.UNFINISHED || !answered.add(result.workKey())) {
                    continue; // not one of this batch's requests, unanswered, or a repeated line
                }
                if (result.kind() == BatchResult.Kind.SUCCEEDED) {
                    succeeded++;
                } else {
                    errored++;
                }
                Boolean storedOk = stored.get(result.workKey());
                if (storedOk != null) {
                    // Stored by an earlier collection of this batch whose driver stopped before recording it, or answered by
                    // another call: counted with the status the lake has.
                    alreadyStored.add(ItemOutcome.alreadyStored(result.workKey(), batch.modelId(), storedOk));
                } else {
                    generations.add(GenerationRecords.of(caller, item.workItem(batch.modelId()), model, CallMode.BATCH, timing,
                            result.answer(), result.kind() == BatchResult.Kind.SUCCEEDED ? null
                                    : new Generation.Failure(result.errorClass(), result.message(), result.httpStatus())));
                }
            }
            if (!generations.isEmpty()) {
                stage.sink().store(new GenerationSink.TaskAttempt(stage.jobId(), FIRST_COLLECTION_PARTITION + collected++, 0), 0, generations);
            }
            int unfinished = batch.requests() - succeeded - errored;
            double cost = generations.stream().mapToDouble(g -> g.usage().costUsd() == null ? 0.0 : g.usage().costUsd()).sum();
            if (budget != null && w.reservation() != 0) {
                budget.settle(w.reservation(), cost);
            }
            ledger.record(batch.next(BatchLedger.State.COLLECTED, clock.instant(), null, status.providerState()),
                    new BatchLedger.Counts(succeeded, errored, unfinished));
            int unplanned = 0;
            for (Generation g : generations) {
                if (planned.containsKey(g.work().workKey())) {
                    report(ItemOutcome.of(g));
                } else {
                    unplanned++;
                }
            }
            alreadyStored.forEach(this::report);
            for (String key : batch.workKeys()) {
                if (!answered.contains(key)) {
                    report(ItemOutcome.stopped(key, batch.modelId()));
                }
            }
            out.printf(Locale.ROOT, "generate: %s: collected batch %s of %s (%s): %d answered, %d failed, %d unanswered (to do again), "
                    + "$%.4f%s%n", stage.label(), batch.providerBatchId(), batch.modelId(), status.providerState(), succeeded, errored, unfinished,
                    cost, unplanned == 0 ? "" : "; " + unplanned + " of them for items this run does not plan (stored all the same: they were paid for)");
            out.flush();
        }
    }

    /** A definite refusal: a 4xx other than a timeout. A 5xx may come from a gateway after the provider created the batch. */
    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StatusHttpException http) {
                return http.statusCode() / 100 == 4 && http.statusCode() != 408;
            }
        }
        return false;
    }

    private String age(Instant since) {
        Duration d = Duration.between(since, clock.instant());
        return d.toHours() > 0 ? d.toHours() + " h " + d.toMinutesPart() + " min" : d.toMinutes() > 0 ? d.toMinutes() + " min " + d.toSecondsPart() + " s"
                : d.toSeconds() + " s";
    }
}
