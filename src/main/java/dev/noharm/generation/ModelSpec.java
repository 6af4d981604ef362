package dev.noharm.generation;

import java.io.Serializable;

/**
 * One model of the registry ({@code conf/models.yaml}): how to reach it, how to call it, how fast, and at
 * what price. Holds where the key is kept ({@link ApiKeyRef}), never the key itself. {@code organization} is
 * who made the model (the leaderboard's {@code Provider}), empty when unknown.
 */
public record ModelSpec(
        String id,
        String displayName,
        ProviderKind provider,
        String organization,
        String modelName,
        String modelVersion,
        String baseUrl,
        RequestParams params,
        Limits limits,
        Price price,
        ApiKeyRef apiKey,
        Aws aws,
        boolean batchApi) implements Serializable {

    /** An entry without a batch API of its own declaring (only openai-compatible servers declare one: {@code batch_api}). */
    public ModelSpec(String id, String displayName, ProviderKind provider, String organization, String modelName, String modelVersion,
            String baseUrl, RequestParams params, Limits limits, Price price, ApiKeyRef apiKey, Aws aws) {
        this(id, displayName, provider, organization, modelName, modelVersion, baseUrl, params, limits, price, apiKey, aws, false);
    }

    /**
     * The batch protocol this model's calls can go through with {@code mode: batch}: its provider's (OpenAI, Azure OpenAI,
     * Anthropic, Gemini, Mistral), or OpenAI's for an openai-compatible server whose entry says {@code batch_api: true}
     * (servers such as Groq or Together serve OpenAI's batch endpoints); empty for the rest (Bedrock's batch inference,
     * which needs S3 and an IAM role, is not supported yet).
     */
    public java.util.Optional<String> batchProtocol() {
        return switch (provider) {
            case OPENAI, AZURE_OPENAI, ANTHROPIC, GEMINI, MISTRAL -> java.util.Optional.of(provider.wireName());
            case OPENAI_COMPATIBLE -> batchApi ? java.util.Optional.of(ProviderKind.OPENAI.wireName()) : java.util.Optional.empty();
            case BEDROCK, OLLAMA, NOHARM_LEADERBOARD -> java.util.Optional.empty();
        };
    }

    /** Amazon Bedrock: the region, and a named profile instead of the default credential chain (both optional). */
    public record Aws(String region, String profile) implements Serializable {}

    /** Request parameters sent with every call. Null means "provider default". */
    public record RequestParams(Double temperature, int maxOutputTokens, Integer seed, String responseFormat,
            int timeoutSeconds) implements Serializable {

        /** The seed for one sample: samples must differ, and each must be reproducible. */
        public Integer seedFor(int sampleIndex) {
            return seed == null ? null : seed + sampleIndex;
        }

        /** A stable text form, part of each work key and stored with each generation. */
        public String toJson() {
            return String.format(java.util.Locale.ROOT,
                    "{\"temperature\":%s,\"max_output_tokens\":%d,\"seed\":%s,\"response_format\":\"%s\",\"timeout_seconds\":%d}",
                    temperature, maxOutputTokens, seed, responseFormat, timeoutSeconds);
        }
    }

    /** Cluster-wide limits; 0 tokens per minute means no token limit. */
    public record Limits(int requestsPerMinute, long tokensPerMinute, int maxConcurrent) implements Serializable {}

    /**
     * US dollars per million tokens, for real-time calls and for the same calls through the provider's batch API
     * (OpenAI, Anthropic, Gemini and Mistral sell those at half price; the registry may say otherwise).
     */
    public record Price(double inputPerMillion, double outputPerMillion, double batchInputPerMillion, double batchOutputPerMillion)
            implements Serializable {
        /** Batch calls at half the real-time price. */
        public Price(double inputPerMillion, double outputPerMillion) {
            this(inputPerMillion, outputPerMillion, inputPerMillion / 2, outputPerMillion / 2);
        }

        public double cost(long inputTokens, long outputTokens) {
            return (inputTokens * inputPerMillion + outputTokens * outputPerMillion) / 1_000_000.0;
        }

        /** What the same tokens cost through the provider's batch API. */
        public double batchCost(long inputTokens, long outputTokens) {
            return (inputTokens * batchInputPerMillion + outputTokens * batchOutputPerMillion) / 1_000_000.0;
        }
    }
}
