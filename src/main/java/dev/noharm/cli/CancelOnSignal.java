package dev.noharm.cli;

import dev.noharm.generation.StopSignals;
import java.io.PrintWriter;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/**
 * What SIGINT and SIGTERM do to a command that is not calling models (generation has its own handling, which
 * stores what arrived): cancel the session's Spark jobs, and every job started after, so the command ends
 * through its ordinary failure path (nothing half-written becomes visible: a score is shown only once all its
 * tables are committed) and exits 130 with one line instead of Spark's shutdown traces. A second signal, or
 * the grace period, exits at once; so does the first when there is no Spark session (the simulator: its
 * shutdown hook prints what it served).
 */
final class CancelOnSignal implements StopSignals.Job {
    private final PrintWriter err;

    CancelOnSignal(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void stopStarting(String signal) {
        if (SparkSession.getDefaultSession().isEmpty()) {
            // No Spark work to end cleanly (the simulator, a command still starting): exit as the signal asks.
            System.exit(ExitCode.INTERRUPTED);
        }
        err.println(signal + ": stopping (send it again to stop at once)");
        err.flush();
        SparkSession.getDefaultSession().foreach(session -> {
            SparkContext context = session.sparkContext();
            context.addSparkListener(new SparkListener() {
                @Override
                public void onJobStart(SparkListenerJobStart start) {
                    context.cancelJob(start.jobId());
                }
            });
            context.cancelAllJobs();
            return null;
        });
    }

    @Override
    public void stopNow(String why) {
        err.println("stopped (" + why + ")");
        err.flush();
        System.exit(ExitCode.INTERRUPTED);
    }
}
