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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Calls a stage's items through the providers' batch APIs, from the driver: first it resumes the lake's pending
 * batches that hold any of the items (a killed driver, an earlier run, yesterday's nightly), then submits the rest in
 * batches within each provider's limits, one model at a time, then polls until every batch has ended and stores its
 * results as generations ({@code call_mode} {@code batch}, priced at the batch price). Every batch is in the ledger
 * before the provider hears of it ({@link BatchLedger}); requests a batch left unanswered (expired, cancelled) are
 * stored as nothing and stay to do. With {@code wait} off, the stage returns once everything is submitted; the next
 * run collects.
 */
public final class BatchCalls implements CallStrategy {
    /** Polling and waiting: how often, whether to wait at all, and how a pause is made (tests pass one that does not sleep). */
    public record Polling(Duration every, boolean waitForResults, Pause pause) {}

    /** Waits between polls; interrupted means stop polling (the batches stay open for the next run). */
    public interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    private final BatchLedger ledger;
    private final Function<String, String> environment;
    private final Polling polling;
    private final RunBudget budget;
    private final Consumer<ItemOutcome> progress;
    private final BooleanSupplier stopping;
    private final Clock clock;
    private final PrintWriter out;
    private int collected;

    public BatchCalls(BatchLedger ledger, Function<String, String> environment, Polling polling, RunBudget budget,
            Consumer<ItemOutcome> progress, BooleanSupplier stopping, Clock clock, PrintWriter out) {
        this.ledger = ledger;
        this.environment = environment;
        this.polling = polling;
        this.budget = budget;
        this.progress = progress;
        this.stopping = stopping;
        this.clock = clock;
        this.out = out;
    }

    /** A batch being waited for, with the items it answers and its budget reservation (0: none, or an earlier job's). */
    private record Waiting(BatchLedger.Batch batch, Map<String, WorkItem> items, long reservation, BatchProtocol protocol) {}

    @Override
    public void call(StageCall stage, List<WorkItem> pending) {
        if (pending.isEmpty()) {
            return;
        }
        Map<String, List<WorkItem>> byModel = new LinkedHashMap<>();
        pending.forEach(item -> byModel.computeIfAbsent(item.modelId(), k -> new ArrayList<>()).add(item));
        List<Waiting> waiting = new ArrayList<>();
        for (Map.Entry<String, List<WorkItem>> entry : byModel.entrySet()) {
            ModelSpec model = stage.models().get(entry.getKey());
            BatchProtocol protocol = BatchProtocol.create(model, environment);
            waiting.addAll(resume(stage, model, protocol, entry.getValue()));
            Set<String> covered = new HashSet<>();
            waiting.forEach(w -> covered.addAll(w.items().keySet()));
            List<WorkItem> toSubmit = entry.getValue().stream().filter(i -> !covered.contains(i.workKey())).toList();
            if (!stopping.getAsBoolean()) {
                waiting.addAll(submit(stage, model, protocol, toSubmit));
            }
        }
        if (polling.waitForResults()) {
            poll(stage, waiting);
        } else if (!waiting.isEmpty()) {
            out.printf("generate: %s: %d batches open; not waiting for them (batch wait is off): the next run collects them%n",
                    stage.label(), waiting.size());
        }
    }

    /** The model's pending batches in the lake that hold any of {@code items}; a batch whose id was never recorded is looked up. */
    private List<Waiting> resume(StageCall stage, ModelSpec model, BatchProtocol protocol, List<WorkItem> items) {
        Map<String, WorkItem> byKey = new HashMap<>();
        items.forEach(i -> byKey.put(i.workKey(), i));
        List<Waiting> resumed = new ArrayList<>();
        for (BatchLedger.Batch batch : ledger.pending(List.of(model.id()))) {
            Map<String, WorkItem> answers = new LinkedHashMap<>();
            batch.workKeys().stream().filter(byKey::containsKey).forEach(k -> answers.put(k, byKey.get(k)));
            if (!batch.datasetVersion().equals(stage.datasetVersion())) {
                continue;
            }
            if (answers.isEmpty()) {
                if (batch.stage().equals(stage.label()) && batch.state() == BatchLedger.State.OPEN) {
                    // Every item it answers is stored: a driver stored its results and stopped before saying so.
                    ledger.record(batch.with(BatchLedger.State.COLLECTED, clock.instant(), null, "its results were stored by an earlier job"),
                            null);
                }
                continue;
            }
            if (batch.state() == BatchLedger.State.SUBMITTING) {
                var found = protocol.find(batch.batchId(), batch.requests(), batch.submittedAt(), ledger.knownProviderIds(model.id()));
                if (found.isEmpty()) {
                    ledger.record(batch.with(BatchLedger.State.LOST, clock.instant(), null,
                            "the provider has no batch of this id: it was never created; its items are to do again"), null);
                    out.printf("generate: batch %s of %s was never created at the provider (its driver stopped first); its %d items are to do%n",
                            batch.batchId(), model.id(), batch.requests());
                    continue;
                }
                batch = batch.with(BatchLedger.State.OPEN, clock.instant(), found.get(), "found at the provider after its driver stopped");
                ledger.record(batch, null);
            }
            out.printf(Locale.ROOT, "generate: resuming %s batch %s (%s) of %s: %d requests, submitted %s ago; nothing is submitted again%n",
                    protocol.name(), batch.batchId(), batch.providerBatchId(), model.id(), batch.requests(), age(batch.submittedAt()));
            resumed.add(new Waiting(batch, answers, 0, protocol));
        }
        return resumed;
    }

    private List<Waiting> submit(StageCall stage, ModelSpec model, BatchProtocol protocol, List<WorkItem> items) {
        List<Waiting> submitted = new ArrayList<>();
        BatchProtocol.Limits limits = protocol.limits();
        List<WorkItem> chunk = new ArrayList<>();
        long bytes = 0;
        double bound = 0;
        for (WorkItem item : items) {
            String prompt = item.prompt(stage.sharedPrompts());
            long size = prompt.getBytes(java.nio.charset.StandardCharsets.UTF_8).length * 2L + 1024; // JSON escaping, the request's envelope
            if (!chunk.isEmpty() && (chunk.size() >= limits.maxRequests() || bytes + size > limits.maxBytes())) {
                submitted.add(submitOne(stage, model, protocol, chunk, bound));
                chunk = new ArrayList<>();
                bytes = 0;
                bound = 0;
            }
            chunk.add(item);
            bytes += size;
            bound += TokenEstimator.upperBound(model, prompt.length()).batchCostUsd();
        }
        if (!chunk.isEmpty()) {
            submitted.add(submitOne(stage, model, protocol, chunk, bound));
        }
        return submitted.stream().filter(java.util.Objects::nonNull).toList();
    }

    private Waiting submitOne(StageCall stage, ModelSpec model, BatchProtocol protocol, List<WorkItem> items, double boundUsd) {
        long reservation = 0;
        if (budget != null) {
            reservation = budget.tryReserve(boundUsd, Long.MAX_VALUE / 4);
            if (reservation == 0) {
                out.printf(Locale.ROOT, "generate: %s: a batch of %d requests to %s could cost up to $%.4f, more than the budget has left; "
                        + "not submitted (its items stay to do)%n", stage.label(), items.size(), model.id(), boundUsd);
                items.forEach(i -> progress.accept(ItemOutcome.overBudget(model.id())));
                return null;
            }
        }
        Instant now = clock.instant();
        Map<String, WorkItem> byKey = new LinkedHashMap<>();
        items.forEach(i -> byKey.put(i.workKey(), i));
        BatchLedger.Batch batch = new BatchLedger.Batch(Ids.newId(), stage.runId(), stage.jobId(), stage.datasetVersion(), model.id(),
                protocol.name(), stage.label(), BatchLedger.State.SUBMITTING, now, now, null, items.size(), List.copyOf(byKey.keySet()),
                boundUsd, null);
        ledger.submitting(batch); // before the provider hears of it
        String providerId;
        try {
            providerId = protocol.submit(batch.batchId(), items.stream()
                    .map(i -> new BatchRequest(i.workKey(), i.prompt(stage.sharedPrompts()), i.sampleIndex())).toList());
        } catch (RuntimeException e) {
            CallFailure failure = CallFailure.classify(e);
            boolean refused = hasStatus(e);
            if (budget != null) {
                budget.settle(reservation, 0.0);
            }
            if (refused) {
                // The provider answered with an error: no batch was created.
                ledger.record(batch.with(BatchLedger.State.LOST, clock.instant(), null, "refused: " + failure.message()), null);
            }
            out.printf("generate: %s: submitting a batch of %d requests to %s failed (%s)%s%n", stage.label(), items.size(), model.id(),
                    failure.message(), refused ? "; its items stay to do"
                            : "; whether the provider created it is unknown: the next run looks it up before submitting anything");
            items.forEach(i -> progress.accept(ItemOutcome.stopped(model.id())));
            return null;
        }
        batch = batch.with(BatchLedger.State.OPEN, clock.instant(), providerId, null);
        ledger.record(batch, null);
        out.printf(Locale.ROOT, "generate: %s: submitted %s batch %s (%s) of %s: %d requests, at most $%.4f at batch prices%n", stage.label(),
                protocol.name(), batch.batchId(), providerId, model.id(), items.size(), boundUsd);
        out.flush();
        return new Waiting(batch, byKey, reservation, protocol);
    }

    private static boolean hasStatus(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StatusHttpException) {
                return true;
            }
        }
        return false;
    }

    private void poll(StageCall stage, List<Waiting> waiting) {
        List<Waiting> open = new ArrayList<>(waiting);
        Instant nextReport = clock.instant();
        while (!open.isEmpty()) {
            boolean report = !clock.instant().isBefore(nextReport);
            for (var it = open.iterator(); it.hasNext(); ) {
                Waiting w = it.next();
                BatchStatus status = w.protocol().status(w.batch().providerBatchId());
                if (status.ended()) {
                    collect(stage, w, status);
                    it.remove();
                } else if (report) {
                    out.printf("generate: %s: batch %s of %s is %s: %d of %d answered (%d failed), submitted %s ago%n", stage.label(),
                            w.batch().providerBatchId(), w.batch().modelId(), status.providerState(), status.succeeded() + status.errored(),
                            status.total(), status.errored(), age(w.batch().submittedAt()));
                    out.flush();
                }
            }
            if (report) {
                nextReport = clock.instant().plusSeconds(30);
            }
            if (open.isEmpty()) {
                return;
            }
            if (stopping.getAsBoolean()) {
                out.printf("generate: %s: stopping; %d batches stay open at the providers and the next run collects them%n", stage.label(),
                        open.size());
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

    /** Stores an ended batch's answers (the items this stage still needs) as generations, then marks it collected. */
    private void collect(StageCall stage, Waiting w, BatchStatus status) {
        BatchLedger.Batch batch = w.batch();
        ModelSpec model = stage.models().get(batch.modelId());
        Instant now = clock.instant();
        GenerationRecords.Caller caller = new GenerationRecords.Caller(batch.runId(), stage.jobId(), batch.datasetVersion());
        GenerationRecords.Timing timing = new GenerationRecords.Timing(batch.submittedAt(), now, 1, 0,
                Duration.between(batch.submittedAt(), now).toMillis());
        List<Generation> generations = new ArrayList<>();
        Set<String> answered = new HashSet<>();
        int succeeded = 0;
        int errored = 0;
        for (BatchResult result : w.protocol().results(batch.providerBatchId())) {
            WorkItem item = w.items().get(result.workKey());
            if (item == null || !answered.add(result.workKey())) {
                continue; // not this stage's to store (done since, or not planned now), or a repeated line
            }
            switch (result.kind()) {
                case SUCCEEDED -> {
                    generations.add(GenerationRecords.of(caller, item, model, CallMode.BATCH, timing, result.answer(), null));
                    succeeded++;
                }
                case ERRORED -> {
                    generations.add(GenerationRecords.of(caller, item, model, CallMode.BATCH, timing, null,
                            new Generation.Failure(result.errorClass(), result.message(), result.httpStatus())));
                    errored++;
                }
                case UNFINISHED -> answered.remove(result.workKey());
            }
        }
        if (!generations.isEmpty()) {
            stage.sink().store(new GenerationSink.TaskAttempt(stage.jobId(), 100_000 + collected++, 0), 0, generations);
        }
        int unfinished = w.items().size() - succeeded - errored;
        double cost = generations.stream().mapToDouble(g -> g.usage().costUsd() == null ? 0.0 : g.usage().costUsd()).sum();
        if (budget != null && w.reservation() != 0) {
            budget.settle(w.reservation(), cost);
        }
        ledger.record(batch.with(BatchLedger.State.COLLECTED, clock.instant(), null, status.providerState()),
                new BatchLedger.Counts(succeeded, errored, unfinished));
        generations.forEach(g -> progress.accept(ItemOutcome.of(g)));
        for (int i = 0; i < unfinished; i++) {
            progress.accept(ItemOutcome.stopped(batch.modelId()));
        }
        out.printf(Locale.ROOT, "generate: %s: collected batch %s of %s (%s): %d answered, %d failed, %d unanswered (to do again), $%.4f%n",
                stage.label(), batch.providerBatchId(), batch.modelId(), status.providerState(), succeeded, errored, unfinished, cost);
        out.flush();
    }

    private String age(Instant since) {
        Duration d = Duration.between(since, clock.instant());
        return d.toHours() > 0 ? d.toHours() + " h " + d.toMinutesPart() + " min" : d.toMinutes() > 0 ? d.toMinutes() + " min " + d.toSecondsPart() + " s"
                : d.toSeconds() + " s";
    }
}
