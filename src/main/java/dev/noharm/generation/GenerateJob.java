package dev.noharm.generation;

import dev.noharm.generation.batch.BatchCalls;
import dev.noharm.generation.batch.BatchLedger;
import dev.noharm.generation.batch.BatchProtocol;
import dev.noharm.generation.batch.BatchStatus;
import dev.noharm.generation.call.CallStrategy;
import dev.noharm.generation.call.CoordinatorServer;
import dev.noharm.generation.call.DriverEndpoints;
import dev.noharm.generation.call.RealtimeCalls;
import dev.noharm.generation.call.StageCall;
import dev.noharm.generation.plan.DryRun;
import dev.noharm.generation.plan.Planner;
import dev.noharm.generation.plan.Stage;
import dev.noharm.generation.plan.WorkItem;
import dev.noharm.generation.ratelimit.Permits;
import dev.noharm.generation.ratelimit.RunBudget;
import dev.noharm.generation.ratelimit.Ticker;
import dev.noharm.ids.Ids;
import dev.noharm.lake.Lake;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The generation job, a thin runner: it checks the spec, the registry and the keys before any call, asks
 * the {@link Planner} for each stage, leaves what is already finished, hands the rest to a
 * {@link CallStrategy} under the driver's permits and budget, and prints progress as it goes.
 */
public final class GenerateJob {
    private final GenerationsLake lake;
    private final RunSpec spec;
    private final String specFile;
    private final ModelRegistry registry;
    private final Function<String, String> environment;
    private final PrintWriter out;
    private final GenerationSettings settings;
    private final Clock clock;
    private final BatchLedger ledger;

    public GenerateJob(Lake lake, RunSpec spec, String specFile, ModelRegistry registry, Function<String, String> environment,
            PrintWriter out) {
        this(lake, spec, specFile, registry, environment, out, GenerationSettings.CommandLine.NONE);
    }

    /** With {@code commandLine}: options given on the command line, which win over the spec. */
    public GenerateJob(Lake lake, RunSpec spec, String specFile, ModelRegistry registry, Function<String, String> environment,
            PrintWriter out, GenerationSettings.CommandLine commandLine) {
        this.lake = new GenerationsLake(lake);
        this.spec = spec;
        this.specFile = specFile;
        this.registry = registry;
        this.environment = environment;
        this.out = out;
        this.settings = GenerationSettings.resolve(commandLine, spec, lake.spark());
        this.clock = Clock.systemUTC();
        this.ledger = new BatchLedger(lake);
    }

    /** How the line starts that says a cancelled job stopped waiting for its task attempts to end. */
    public static final String GAVE_UP_WAITING = "generate: stopped waiting for task attempts";

    public record Result(String runId, String jobId, String datasetVersion, long planned, long alreadyDone, long attempted,
            long ok, long failed, long overBudget, double reservedUsd) {}

    /** Runs the job; throws {@link Interrupted} (after storing what arrived) when SIGINT or SIGTERM stopped it. */
    public Result run() {
        Map<String, ModelSpec> models = RunModels.resolve(spec, specFile, registry, environment, true);
        if (spec.hasFreeText() && spec.judges().isEmpty()) {
            out.println("generate: the spec has free-text models but no judges: their plans are stored, and score counts them as parse "
                    + "failures until judges are added to the spec or judgments are imported (CONTRACT section 6)");
        }
        Permits permits = new Permits(List.copyOf(models.values()), Ticker.SYSTEM);
        Stopping stopping = new Stopping(permits);
        GenerationCommits commits = new GenerationCommits(lake.lake(), spec.runId());
        Result result;
        String signal;
        try (StopSignals signals = StopSignals.install(stopping, settings.interruptGraceSeconds())) {
            Planner planner = planner(models);
            String jobId = Ids.newId();
            // What is finished is read only once this driver holds the models: another driver cannot call them meanwhile.
            try (ModelLeases leases = ModelLeases.take(lake.lake(), clock, jobId, spec.runId(), models.keySet(), settings, out)) {
                result = run(models, planner, jobId, leases, permits, stopping, signals, commits);
            }
            signal = signals.received();
        }
        if (signal != null) {
            // What was stored stays stored; compaction waits for the next run or ./submit.sh maintain.
            throw new Interrupted(signal, commits.committedKeys());
        }
        return result;
    }

    private Result run(Map<String, ModelSpec> models, Planner planner, String jobId, ModelLeases leases, Permits permits,
            Stopping stopping, StopSignals signals, GenerationCommits commits) {
        String datasetVersion = planner.datasetVersion();
        Totals totals = new Totals();
        RunBudget budget = null;
        if (settings.budgetUsd() != null) {
            double spent = lake.spentUsd(spec.runId());
            // A batch still open at a provider may cost up to what it reserved: counted until it is collected.
            double inBatches = ledger.pendingReservedUsd(spec.runId());
            budget = new RunBudget(settings.budgetUsd(), spent + inBatches, Ticker.SYSTEM);
            permits.budget(budget);
            out.printf(Locale.ROOT, "generate: run %s has a budget of $%.4f; $%.4f spent by earlier jobs%s%n", spec.runId(),
                    settings.budgetUsd(), spent, inBatches > 0 ? String.format(Locale.ROOT, ", up to $%.4f reserved by open batches", inBatches) : "");
        }
        AtomicReference<GenerationProgress> progress = new AtomicReference<>(new GenerationProgress(List.of()));
        CallStrategy realtime = new RealtimeCalls(lake.lake().spark());
        CallStrategy batches = new BatchCalls(ledger, environment,
                new BatchCalls.Run(id -> spec.callMode(id) == CallMode.BATCH, lake::keysStoredFromBatches),
                new BatchCalls.Polling(Duration.ofSeconds(settings.batchPollSeconds()), settings.batchWait(), pause(stopping)), budget,
                outcome -> progress.get().record(outcome), stopping::batchesStop, clock, out);
        try (CoordinatorServer coordinator = new CoordinatorServer(settings.driverHost());
                ExecutorLoss executorLoss = ExecutorLoss.watch(lake.lake().spark().sparkContext(), removed -> {
                    int held = permits.holderLost(removed.executorId());
                    stopping.tasks.executorLost(removed.executorId());
                    out.printf(Locale.ROOT, "generate: Spark lost executor %s (%s)%s%n", removed.executorId(), removed.reason(), held == 0 ? ""
                            : "; the " + held + " calls it had under way stop counting against max_concurrent once they would have "
                                    + "timed out, and Spark retries its tasks (what they stored is kept)");
                    out.flush();
                })) {
            DriverEndpoints.serve(coordinator, permits, outcome -> progress.get().record(outcome), stopping.tasks);
            commits.serve(coordinator, keys -> progress.get().stored(keys));
            CoordinatorServer.Address address = coordinator.address(settings.driverHost());
            Stage answers = planner.answers();
            Stage stage = answers;
            while (signals.received() == null) { // a signal stops the job before its next stage
                // Each stage is its own Spark job, with a job id of its own (stored files are named by job and partition).
                StageCall call = new StageCall(spec.runId(), stage.jobId(jobId), datasetVersion, stage.label(), models, planner.sharedPrompts(),
                        settings, address, lake.sink(address));
                runStage(stage, call, realtime, batches, jobId, progress, totals, stopping);
                leases.checkHeld();
                if (stage.kind() == Stage.Kind.JUDGMENTS) {
                    break;
                }
                Optional<Stage> next = planner.reviews(stage, lake.answers(datasetVersion, planner.reviewInputs(stage)));
                if (next.isEmpty()) {
                    // The judges come last: they judge the free-text answers of stage 1 that are stored by now.
                    next = planner.judgments(answers, lake.answers(datasetVersion, planner.judgeInputs(answers)));
                }
                if (next.isEmpty()) {
                    break;
                }
                stage = next.get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the driver's coordinator", e);
        }
        if (signals.received() != null) {
            return null; // the caller throws Interrupted
        }
        if (!spec.judges().isEmpty()) {
            long recorded = dev.noharm.judging.Judgments.recordGenerated(lake.lake(), datasetVersion);
            out.printf("generate: %d judge answers recorded in the judgments table%n", recorded);
        }
        GenerationsLake.Compaction compaction = settings.compactAfterJob() ? lake.compactAfterJob(datasetVersion, commits.jobIds())
                : new GenerationsLake.Compaction(0, 0, 0);
        if (compaction.rewrittenFiles() > 0) {
            out.printf("generate: compacted the job's %d batch files into %d (its %d batch snapshots squashed into one)%n",
                    compaction.rewrittenFiles(), compaction.addedFiles(), compaction.expiredSnapshots());
        }
        return new Result(spec.runId(), jobId, datasetVersion, totals.planned, totals.alreadyDone, totals.attempted, totals.ok,
                totals.failed, totals.overBudget, budget == null ? 0.0 : budget.reservedEverUsd());
    }

    /**
     * What the run would call, without calling or writing anything: per model and stage, the items left to
     * do, their input tokens and at most {@code max_output_tokens} each, priced as the budget reserves them
     * ({@link DryRun}). Key variables are not required for a dry run.
     */
    public List<DryRun.Estimate> dryRun() {
        Map<String, ModelSpec> models = RunModels.resolve(spec, specFile, registry, environment, false);
        Planner planner = planner(models);
        // What an open batch holds is not called again (it is paid for, or may be): the dry run counts it as done.
        Set<String> done = new java.util.HashSet<>(lake.finishedKeys(planner.datasetVersion(), models.keySet()));
        done.addAll(ledger.pendingKeys(planner.datasetVersion(), models.keySet()));
        return DryRun.estimate(planner, done,
                keys -> lake.answers(planner.datasetVersion(), keys));
    }

    /** One pending batch of the spec's models, as the lake records it and (when it could be asked) as its provider reports it. */
    public record OpenBatch(BatchLedger.Batch batch, BatchStatus provider, String providerError) {}

    /**
     * The spec's models' batches that are still pending (submitting or open), oldest first, each with what its provider
     * says now; a provider that cannot be asked (no key here, no network) is reported, not fatal.
     */
    public List<OpenBatch> openBatches() {
        Map<String, ModelSpec> models = RunModels.resolve(spec, specFile, registry, environment, false);
        return ledger.pending(models.keySet()).stream().map(b -> {
            if (b.providerBatchId() == null) {
                return new OpenBatch(b, null, "no provider id recorded (its driver stopped while submitting): the next run looks it up");
            }
            try {
                return new OpenBatch(b, BatchProtocol.create(models.get(b.modelId()), environment).status(b.providerBatchId()), null);
            } catch (RuntimeException e) {
                return new OpenBatch(b, null, dev.noharm.generation.provider.CallFailure.classify(e).message());
            }
        }).toList();
    }

    /**
     * Asks the providers to cancel the spec's models' open batches. What a batch answered before it stopped is paid for:
     * the next run collects it, and its unanswered requests are to do again. Returns the batches asked.
     */
    public List<BatchLedger.Batch> cancelOpenBatches() {
        Map<String, ModelSpec> models = RunModels.resolve(spec, specFile, registry, environment, true);
        List<BatchLedger.Batch> cancelled = new java.util.ArrayList<>();
        for (BatchLedger.Batch b : ledger.pending(models.keySet())) {
            if (b.providerBatchId() == null) {
                continue;
            }
            BatchProtocol.create(models.get(b.modelId()), environment).cancel(b.providerBatchId());
            ledger.record(b.next(BatchLedger.State.OPEN, clock.instant(), null, "cancel requested"), null);
            cancelled.add(b);
        }
        return cancelled;
    }

    private Planner planner(Map<String, ModelSpec> models) {
        String datasetVersion = lake.datasetVersion(settings.datasetVersion(), specFile, "dataset_version");
        return new Planner(spec, models, lake.planInputs(datasetVersion));
    }

    private void runStage(Stage stage, StageCall call, CallStrategy realtime, CallStrategy batches, String jobId,
            AtomicReference<GenerationProgress> progress, Totals totals, Stopping stopping) {
        List<WorkItem> pending = stage.pending(lake.finishedKeys(call.datasetVersion(), call.models().keySet()));
        long alreadyDone = stage.items().size() - pending.size();
        totals.planned += stage.items().size();
        totals.alreadyDone += alreadyDone;
        out.printf("generate: run %s, job %s, dataset %s, %s: %d items planned, %d already done, %d to call%s%n",
                spec.runId(), jobId, call.datasetVersion(), stage.label(), stage.items().size(), alreadyDone, pending.size(),
                stage.blocked().isEmpty() ? ""
                        : ", " + stage.blocked().size() + " not planned because the answer they " + (stage.kind() == Stage.Kind.JUDGMENTS
                                ? "judge" : "review") + " is missing (its call failed or was not made)");
        out.flush();
        // Open batches of the run's models are collected whatever this stage plans: they are paid for, or may be.
        boolean openBatches = !ledger.pending(call.models().keySet()).stream()
                .filter(b -> b.datasetVersion().equals(call.datasetVersion())).toList().isEmpty();
        if (pending.isEmpty() && !openBatches) {
            return;
        }
        GenerationProgress stageProgress = new GenerationProgress(pending.stream().map(WorkItem::workKey).toList());
        progress.set(stageProgress);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "noharm-progress");
            t.setDaemon(true);
            return t;
        });
        try {
            ticker.scheduleAtFixedRate(() -> {
                out.println(stageProgress.line());
                out.flush();
            }, settings.progressSeconds(), settings.progressSeconds(), TimeUnit.SECONDS);
            // An item an open batch holds is the batch's, whatever the model's mode is now: it is paid for, or may be.
            Set<String> held = ledger.pendingKeys(call.datasetVersion(), call.models().keySet());
            List<WorkItem> viaBatch = pending.stream()
                    .filter(i -> spec.callMode(i.modelId()) == CallMode.BATCH || held.contains(i.workKey())).toList();
            List<WorkItem> inRealTime = pending.stream()
                    .filter(i -> spec.callMode(i.modelId()) != CallMode.BATCH && !held.contains(i.workKey())).toList();
            // Batches are submitted first and polled on a thread of their own while the real-time calls run.
            CompletableFuture<Void> batched = viaBatch.isEmpty() && !openBatches ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.runAsync(() -> batches.call(call, viaBatch), runnable -> {
                        Thread t = new Thread(runnable, "noharm-batches");
                        t.setDaemon(true);
                        t.start();
                    });
            boolean realtimeDone = false;
            try {
                realtime.call(call, inRealTime);
                realtimeDone = true;
            } finally {
                if (!realtimeDone) {
                    stopping.abandonBatches(); // a failed stage (Spark's undeclared SparkException too) does not wait for batches
                }
                try {
                    batched.join();
                } catch (java.util.concurrent.CompletionException failed) {
                    throw failed.getCause() instanceof RuntimeException r ? r : failed;
                }
            }
        } catch (Exception e) { // Spark's job failure is a checked SparkException, thrown undeclared
            if (!stopping.cancelled()) {
                throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getMessage(), e);
            }
            // Cancelled on purpose: the tasks commit what they hold as they end; the coordinator must outlive them.
            try {
                if (!stopping.tasks.awaitNone(TimeUnit.SECONDS.toMillis(60))) {
                    out.println(GAVE_UP_WAITING + " that did not end within 60 s of the cancel; results they had not committed are lost "
                            + "(they stay to do)");
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        } finally {
            ticker.shutdownNow();
            awaitQuietly(ticker); // a progress line being printed comes before the summary
        }
        GenerationProgress.Counts counts = stageProgress.printSummary(out);
        out.flush();
        totals.attempted += pending.size() - counts.overBudget();
        // Stopped items (not called because the job was interrupted, or held by a batch that expired or was cancelled
        // before answering them) were neither answered nor failed.
        totals.ok += counts.done() - counts.failed() - counts.overBudget() - counts.stopped();
        totals.failed += counts.failed();
        totals.overBudget += counts.overBudget();
    }

    private static void awaitQuietly(ScheduledExecutorService ticker) {
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits between batch polls in one-second steps, so a signal stops the wait at once. */
    private static BatchCalls.Pause pause(Stopping stopping) {
        return duration -> {
            long end = System.nanoTime() + duration.toNanos();
            while (!stopping.batchesStop() && System.nanoTime() < end) {
                Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            }
        };
    }

    /** What a signal does to this job: stop starting calls, and later (or on a second signal) cancel the stage's Spark job. */
    private final class Stopping implements StopSignals.Job {
        private final Permits permits;
        private final java.util.concurrent.atomic.AtomicBoolean requested = new java.util.concurrent.atomic.AtomicBoolean();
        private final java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        /** The stage's task attempts as they report themselves: after a cancel, the driver waits for their last commits. */
        final DriverEndpoints.RunningTasks tasks = new DriverEndpoints.RunningTasks();

        Stopping(Permits permits) {
            this.permits = permits;
        }

        @Override
        public void stopStarting(String signal) {
            requested.set(true);
            permits.stop("the job was interrupted (" + signal + ")");
            out.printf("generate: %s: starting no more calls; the calls under way finish and are stored (up to %d s; send it again to stop now)%n",
                    signal, settings.interruptGraceSeconds());
            out.flush();
        }

        @Override
        public void stopNow(String why) {
            if (cancelled.compareAndSet(false, true)) {
                out.println("generate: stopping now (" + why + "); calls still under way are abandoned, everything stored stays");
                out.flush();
                lake.lake().spark().sparkContext().cancelAllJobs();
            }
        }

        boolean cancelled() {
            return cancelled.get();
        }

        /** A signal asked the job to stop: no new calls or batches, no more waiting for batches. */
        boolean requested() {
            return requested.get();
        }

        private final java.util.concurrent.atomic.AtomicBoolean abandoned = new java.util.concurrent.atomic.AtomicBoolean();

        /** The stage failed: its batches stay open for the next run instead of being waited for. */
        void abandonBatches() {
            abandoned.set(true);
        }

        boolean batchesStop() {
            return requested.get() || abandoned.get();
        }
    }

    private static final class Totals {
        long planned;
        long alreadyDone;
        long attempted;
        long ok;
        long failed;
        long overBudget;
    }
}
