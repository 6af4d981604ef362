package dev.noharm.generation.call;

import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.RunSpec;
import java.io.Serializable;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;

/**
 * What a generation task needs on the executor, shipped with the task: plain values and broadcasts only.
 * Clients, threads and connections are built on the executor, never serialized.
 */
record ExecutorContext(
        String runId,
        String jobId,
        String datasetVersion,
        Map<String, ModelSpec> models,
        Broadcast<Map<String, String>> sharedPrompts,
        RunSpec.Retry retry,
        RunSpec.Commit commit,
        int concurrency,
        CoordinatorServer.Address coordinator,
        GenerationSink sink,
        int failFirstAttemptAfterCommits) implements Serializable {}
