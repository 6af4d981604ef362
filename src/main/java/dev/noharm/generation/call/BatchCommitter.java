package dev.noharm.generation.call;

import dev.noharm.generation.Generation;
import dev.noharm.generation.RunSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Buffers the finished generations of one task attempt and stores them through the sink every N results or
 * T seconds, whichever comes first: what a killed task can lose is bounded by N plus the calls in flight.
 */
final class BatchCommitter {
    private final GenerationSink sink;
    private final GenerationSink.TaskAttempt task;
    private final int everyResults;
    private final long everyMillis;
    private final Runnable afterCommit;

    private final List<Generation> buffer = new ArrayList<>();
    private long lastCommit = System.currentTimeMillis();
    private int sequence;

    BatchCommitter(GenerationSink sink, GenerationSink.TaskAttempt task, RunSpec.Commit commit, Runnable afterCommit) {
        this.sink = sink;
        this.task = task;
        this.everyResults = commit.everyResults();
        this.everyMillis = commit.everySeconds() * 1000L;
        this.afterCommit = afterCommit;
    }

    synchronized void add(Generation generation) {
        buffer.add(generation);
        if (buffer.size() >= everyResults) {
            commit();
        }
    }

    /** Commits if the time bound has passed; called periodically by the task. */
    synchronized void commitIfDue() {
        if (!buffer.isEmpty() && System.currentTimeMillis() - lastCommit >= everyMillis) {
            commit();
        }
    }

    synchronized void commit() {
        lastCommit = System.currentTimeMillis();
        if (buffer.isEmpty()) {
            return;
        }
        sink.store(task, sequence++, List.copyOf(buffer));
        buffer.clear();
        afterCommit.run();
    }
}
