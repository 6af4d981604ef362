package dev.noharm.generation.provider;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.output.TokenUsage;
import dev.noharm.generation.ModelSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * OpenAI and any OpenAI-compatible server, through LangChain4j's OpenAI client. One client per sample
 * seed, since LangChain4j fixes the seed when the client is built.
 */
final class OpenAiProvider implements ChatProvider {
    /** Servers that need no key (local ones, the simulator) still get a syntactically valid header. */
    private static final String NO_KEY = "no-key";

    private final ModelSpec model;
    private final String apiKey;
    private final Map<Integer, OpenAiChatModel> clientsBySeed = new HashMap<>();

    OpenAiProvider(ModelSpec model, Function<String, String> environment) {
        this.model = model;
        String key = model.apiKeyEnv() == null ? null : environment.apply(model.apiKeyEnv());
        this.apiKey = key == null || key.isBlank() ? NO_KEY : key;
    }

    @Override
    public ChatResult chat(String prompt, int sampleIndex) {
        ChatResponse response = client(model.params().seedFor(sampleIndex))
                .chat(ChatRequest.builder().messages(UserMessage.from(prompt)).build());
        TokenUsage usage = response.tokenUsage();
        return new ChatResult(
                response.aiMessage() == null ? null : response.aiMessage().text(),
                response.finishReason() == null ? null : response.finishReason().name().toLowerCase(java.util.Locale.ROOT),
                usage == null || usage.inputTokenCount() == null ? -1 : usage.inputTokenCount(),
                usage == null || usage.outputTokenCount() == null ? -1 : usage.outputTokenCount());
    }

    private synchronized OpenAiChatModel client(Integer seed) {
        return clientsBySeed.computeIfAbsent(seed == null ? Integer.MIN_VALUE : seed, k -> {
            ModelSpec.RequestParams p = model.params();
            Duration timeout = Duration.ofSeconds(p.timeoutSeconds());
            OpenAiChatModel.OpenAiChatModelBuilder builder = OpenAiChatModel.builder()
                    .httpClientBuilder(RetryAfterAwareHttpClient.builder().readTimeout(timeout))
                    .apiKey(apiKey)
                    .modelName(model.modelName())
                    .maxTokens(p.maxOutputTokens())
                    .timeout(timeout)
                    .maxRetries(0);
            if (model.baseUrl() != null) {
                builder.baseUrl(model.baseUrl());
            }
            if (p.temperature() != null) {
                builder.temperature(p.temperature());
            }
            if (seed != null) {
                builder.seed(seed);
            }
            if ("json_object".equals(p.responseFormat())) {
                builder.responseFormat("json_object");
            }
            return builder.build();
        });
    }
}
