package dev.noharm.generation.batch;

import dev.noharm.generation.ApiKeys;
import dev.noharm.generation.ModelSpec;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One provider's batch API, as the pipeline uses it: submit requests named by work key, look a batch up, read its
 * status, collect its results once it has ended, cancel it. Implemented over plain HTTP ({@link BatchHttp}) for every
 * provider, so every protocol shares one client, one retry rule and one place where a create is never retried.
 */
public interface BatchProtocol {

    /** The most requests and bytes one batch may hold at this provider. */
    record Limits(int maxRequests, long maxBytes) {}

    /** The protocol's name in the {@code batches} table and in messages. */
    String name();

    Limits limits();

    /**
     * Creates a batch of {@code requests} and returns the provider's id for it. {@code batchId} is the pipeline's own
     * id, attached to the batch where the provider keeps metadata, so {@link #find} can recognise it after a crash.
     */
    String submit(String batchId, List<BatchRequest> requests);

    /**
     * The provider's id of a batch this pipeline may have created (as {@code batchId}, with {@code requests} requests,
     * not before {@code notBefore}) when the driver died before it could record the id; empty when there is none.
     * {@code known}: provider ids the lake already accounts for, never adopted.
     */
    Optional<String> find(String batchId, int requests, Instant notBefore, Collection<String> known);

    BatchStatus status(String providerBatchId);

    /** The results of an ended batch (requests the provider says nothing of are the caller's to treat as unfinished). */
    List<BatchResult> results(String providerBatchId);

    void cancel(String providerBatchId);

    static BatchProtocol create(ModelSpec model, Function<String, String> environment) {
        String key = ApiKeys.resolve(model.apiKey(), environment);
        return switch (model.provider()) {
            case OPENAI, OPENAI_COMPATIBLE -> OpenAiBatches.openAi(model, key);
            case AZURE_OPENAI -> OpenAiBatches.azure(model, key);
            case MISTRAL -> OpenAiBatches.mistral(model, key);
            case ANTHROPIC -> new AnthropicBatches(model, key);
            case GEMINI -> new GeminiBatches(model, key);
            case BEDROCK, OLLAMA, NOHARM_LEADERBOARD -> throw new IllegalArgumentException(
                    "model " + model.id() + ": provider " + model.provider().wireName() + " has no batch API here");
        };
    }
}
