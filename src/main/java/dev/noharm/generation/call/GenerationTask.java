package dev.noharm.generation.call;

import dev.noharm.generation.Generation;
import dev.noharm.generation.ItemOutcome;
import dev.noharm.generation.plan.WorkItem;
import dev.noharm.generation.ratelimit.Permits;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

/**
 * Runs one Spark partition of work items on an executor: up to {@code concurrency} calls at a time through
 * {@link ItemCaller}, each outcome reported to the driver and stored in batches. A retried attempt first asks
 * the sink which of its items an earlier attempt stored and skips them, so a task failure neither pays twice
 * nor leaves two rows for one item.
 */
final class GenerationTask implements Serializable {
    private static final long serialVersionUID = 2L;

    private final ExecutorContext context;

    GenerationTask(ExecutorContext context) {
        this.context = context;
    }

    void run(Iterator<WorkItem> partition) throws Exception {
        TaskContext spark = TaskContext.get();
        GenerationSink.TaskAttempt task = new GenerationSink.TaskAttempt(context.jobId(), spark.partitionId(), spark.attemptNumber());
        List<WorkItem> items = new ArrayList<>();
        partition.forEachRemaining(items::add);
        Set<String> stored = task.attempt() == 0 ? Set.of()
                : context.sink().storedByEarlierAttempts(task, items.stream().map(WorkItem::workKey).toList());

        DriverEndpoints.Client driver = new DriverEndpoints.Client(context.coordinator(), SparkEnv.get().executorId());
        driver.task(true);
        try {
            callAndCommit(items, stored, task, driver);
        } finally {
            driver.task(false); // after the last commit: a cancelled job's driver waits for this
        }
    }

    private void callAndCommit(List<WorkItem> items, Set<String> stored, GenerationSink.TaskAttempt task, DriverEndpoints.Client driver)
            throws Exception {
        ItemCaller caller = new ItemCaller(context, driver, System::getenv);
        AtomicInteger commits = new AtomicInteger();
        BatchCommitter committer = new BatchCommitter(context.sink(), task, context.commit(), () -> {
            if (task.attempt() == 0 && commits.incrementAndGet() == context.failFirstAttemptAfterCommits()) {
                throw new IllegalStateException("injected task failure after " + commits.get() + " commits (chaos setting)");
            }
        });

        ExecutorService pool = Executors.newFixedThreadPool(context.concurrency(), daemon("noharm-call-p" + task.partition()));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("noharm-commit-p" + task.partition()));
        timer.scheduleAtFixedRate(committer::commitIfDue, 1, 1, TimeUnit.SECONDS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (WorkItem item : items) {
                if (stored.contains(item.workKey())) {
                    continue;
                }
                futures.add(pool.submit(() -> {
                    Generation generation;
                    try {
                        generation = caller.call(item);
                    } catch (Permits.BudgetReached budget) {
                        // Not called, not stored: the item stays to do for a run with budget left.
                        driver.done(ItemOutcome.overBudget(item.workKey(), item.modelId()));
                        return null;
                    } catch (Permits.Stopping stopping) {
                        // The job was interrupted: not called, not stored; the item stays to do for the rerun.
                        driver.done(ItemOutcome.stopped(item.workKey(), item.modelId()));
                        return null;
                    }
                    committer.add(generation);
                    driver.done(ItemOutcome.of(generation));
                    return null;
                }));
            }
            try {
                for (Future<?> f : futures) {
                    f.get();
                }
            } catch (Exception failure) {
                // Whatever finished was paid for: commit it before the task fails (once the calls, interrupted,
                // have handed over what they received).
                pool.shutdownNow();
                try {
                    pool.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException again) {
                    failure.addSuppressed(again); // commit all the same
                }
                try {
                    committer.commit();
                } catch (RuntimeException alsoFailed) {
                    failure.addSuppressed(alsoFailed);
                }
                throw failure;
            }
            committer.commit();
        } finally {
            timer.shutdownNow();
            pool.shutdownNow();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
