package dev.noharm.generation;

import java.util.function.Consumer;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;

/**
 * Tells the job when Spark loses an executor (killed, crashed, or removed by the cluster), for as long as it is
 * open: the driver then refuses that executor permits, frees the ones it held once their calls would have timed out,
 * and stops counting its tasks as running.
 */
final class ExecutorLoss extends SparkListener implements AutoCloseable {
    private final SparkContext context;
    private final Consumer<SparkListenerExecutorRemoved> lost;

    private ExecutorLoss(SparkContext context, Consumer<SparkListenerExecutorRemoved> lost) {
        this.context = context;
        this.lost = lost;
    }

    /** Reports every executor Spark removes from now until {@link #close()}, on Spark's listener thread. */
    static ExecutorLoss watch(SparkContext context, Consumer<SparkListenerExecutorRemoved> lost) {
        ExecutorLoss listener = new ExecutorLoss(context, lost);
        context.addSparkListener(listener);
        return listener;
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
        lost.accept(removed);
    }

    @Override
    public void close() {
        context.removeSparkListener(this);
    }
}
