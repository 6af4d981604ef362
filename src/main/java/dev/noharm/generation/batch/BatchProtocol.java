package dev.noharm.generation.batch;

import dev.noharm.generation.ApiKeys;
import dev.noharm.generation.ModelSpec;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
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

    /** What a lookup found: the batch, certainly none, or not yet knowable (look again later; never submit meanwhile). */
    sealed interface Lookup permits Found, NotFound, Undecided {}

    record Found(String providerBatchId) implements Lookup {}

    record NotFound() implements Lookup {}

    record Undecided(String why) implements Lookup {}

    /**
     * Looks for a batch this pipeline may have created (as {@code batchId}, holding {@code workKeys}, at about
     * {@code submittedAt}) when its driver died before it could record the provider's id. Reads every page back to
     * well before {@code submittedAt}; {@link NotFound} only when it is certain there is none. {@code known}: provider ids
     * the lake already accounts for (any model's), never adopted.
     */
    Lookup find(String batchId, Set<String> workKeys, Instant submittedAt, Collection<String> known);

    BatchStatus status(String providerBatchId);

    /** The results of an ended batch (requests the provider says nothing of are the caller's to treat as unfinished). */
    List<BatchResult> results(String providerBatchId);

    void cancel(String providerBatchId);

    /** The protocol of {@code model}'s provider; throws naming the key's variable when a needed key is not set. */
    static BatchProtocol create(ModelSpec model, Function<String, String> environment) {
        String key = ApiKeys.resolve(model.apiKey(), environment);
        if (key == null && model.provider().needsKey()) {
            throw new IllegalArgumentException("model " + model.id() + ": no key: " + (model.apiKey() == null ? "the registry names none"
                    : model.apiKey().source().field() + " " + model.apiKey().name() + " gives none here"));
        }
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
