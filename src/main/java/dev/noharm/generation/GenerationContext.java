package dev.noharm.generation;

import dev.noharm.generation.ratelimit.RateLimitClient;
import java.io.Serializable;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Everything a generation task needs on the executor, shipped with the task: plain values and
 * broadcasts only. Clients and threads are built on the executor, never serialized.
 */
record GenerationContext(
        String runId,
        String jobId,
        String datasetVersion,
        Map<String, ModelSpec> models,
        Broadcast<Map<String, String>> prompts,
        RunSpec.Retry retry,
        RunSpec.Commit commit,
        int concurrency,
        RateLimitClient.Address coordinator,
        String generationsTableUri,
        Broadcast<SerializableConfiguration> hadoopConf,
        int failFirstAttemptAfterCommits) implements Serializable {}
