package dev.noharm.generation.provider;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.noharm.generation.ModelSpec;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

/**
 * Anthropic's messages API through LangChain4j's Anthropic client, with the pipeline's HTTP client plugged
 * in (status codes and {@code Retry-After} for the limiter, no blind retries). Anthropic has no seed, so
 * samples differ by the model's own sampling; one client serves every sample.
 */
final class AnthropicProvider implements ChatProvider {
    private final AnthropicChatModel client;

    AnthropicProvider(ModelSpec model, Function<String, String> environment) {
        ModelSpec.RequestParams p = model.params();
        Duration timeout = Duration.ofSeconds(p.timeoutSeconds());
        AnthropicChatModel.AnthropicChatModelBuilder builder = AnthropicChatModel.builder()
                .httpClientBuilder(RetryAfterAwareHttpClient.builder().readTimeout(timeout))
                .apiKey(environment.apply(model.apiKeyEnv()))
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
        this.client = builder.build();
    }

    @Override
    public ChatResult chat(String prompt, int sampleIndex) {
        ChatResponse response = client.chat(ChatRequest.builder().messages(UserMessage.from(prompt)).build());
        TokenUsage usage = response.tokenUsage();
        return new ChatResult(
                response.aiMessage() == null ? null : response.aiMessage().text(),
                response.finishReason() == null ? null : response.finishReason().name().toLowerCase(Locale.ROOT),
                usage == null || usage.inputTokenCount() == null ? -1 : usage.inputTokenCount(),
                usage == null || usage.outputTokenCount() == null ? -1 : usage.outputTokenCount());
    }
}
