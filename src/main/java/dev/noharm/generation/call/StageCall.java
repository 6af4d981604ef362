package dev.noharm.generation.call;

import dev.noharm.generation.GenerationSettings;
import dev.noharm.generation.ModelSpec;
import java.util.Map;

/**
 * Everything a {@link CallStrategy} needs to run one stage: who is running (run, the stage's own job id, the
 * dataset version), the models by id, the prompts shared by the stage's items, the resolved settings, where
 * the driver's coordinator listens and where outcomes are stored.
 */
public record StageCall(String runId, String jobId, String datasetVersion, String label, Map<String, ModelSpec> models,
        Map<String, String> sharedPrompts, GenerationSettings settings, CoordinatorServer.Address coordinator, GenerationSink sink) {}
