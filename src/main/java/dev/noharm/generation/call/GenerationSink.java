package dev.noharm.generation.call;

import dev.noharm.generation.Generation;
import java.io.Serializable;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Where executors store finished generations while a stage runs: durably, batch by batch, so a killed job
 * loses at most what was in flight. Serializable into tasks; each method runs on an executor.
 */
public interface GenerationSink extends Serializable {

    /** One attempt of one Spark task of one stage job. */
    record TaskAttempt(String jobId, int partition, int attempt) implements Serializable {}

    /** Of {@code keys}, those an earlier attempt of the same task already stored: a retried task skips them. */
    Set<String> storedByEarlierAttempts(TaskAttempt task, Collection<String> keys);

    /** Stores one batch; when this returns the batch is committed (readers see it, a rerun finds it). */
    void store(TaskAttempt task, int sequence, List<Generation> batch);
}
