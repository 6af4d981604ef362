package dev.noharm.generation.call;

import dev.noharm.generation.plan.WorkItem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Calls each item as it comes, from Spark executors, under the cluster-wide limits the driver enforces:
 * the items are spread over the cluster's task slots, each task making up to {@code concurrency_per_task}
 * calls at a time. One Spark job per stage.
 */
public final class RealtimeCalls implements CallStrategy {
    private final SparkSession spark;

    public RealtimeCalls(SparkSession spark) {
        this.spark = spark;
    }

    @Override
    public void call(StageCall stage, List<WorkItem> pending) {
        if (pending.isEmpty()) {
            return;
        }
        if (stage.settings().speculation()) {
            throw new IllegalStateException("spark.speculation is on: a speculative copy of a generation task would pay "
                    + "for its calls twice; run generation with --conf spark.speculation=false");
        }
        // Mix models across tasks, so every model's limit is in use from the start.
        List<WorkItem> shuffled = new ArrayList<>(pending);
        Collections.shuffle(shuffled, new Random(stage.runId().hashCode()));

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ExecutorContext context = new ExecutorContext(stage.runId(), stage.jobId(), stage.datasetVersion(), stage.models(),
                jsc.broadcast(stage.sharedPrompts()), stage.settings().retry(), stage.settings().commit(),
                stage.settings().concurrencyPerTask(), stage.coordinator(), stage.sink(),
                stage.settings().chaosFailFirstAttemptAfterCommits());
        int slices = Math.max(1, Math.min(shuffled.size(), jsc.defaultParallelism()));
        // Interruptible: a job cancelled after SIGINT's grace period interrupts its tasks, which then commit what they hold.
        jsc.setJobGroup("noharm-generate-" + stage.jobId(), "noharm generate: run " + stage.runId() + ", " + stage.label() + ", "
                + shuffled.size() + " calls", true);
        GenerationTask task = new GenerationTask(context);
        jsc.parallelize(shuffled, slices).foreachPartition(task::run);
    }
}
