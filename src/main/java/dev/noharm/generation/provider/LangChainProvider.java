package dev.noharm.generation.provider;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.googleai.GoogleAiGeminiTokenUsage;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;
import dev.noharm.generation.ModelSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A provider served by one of LangChain4j's chat models. Subclasses only build the client; sending the
 * prompt and mapping answer, finish reason, token usage (with reasoning tokens where reported) and the
 * server's rate-limit hints is the same for all. One client per sample seed, since LangChain4j clients
 * fix their seed when built.
 */
abstract class LangChainProvider implements ChatProvider {
    protected final ModelSpec model;
    protected final ServerHints hints = new ServerHints();
    private final Map<Integer, ChatModel> clientsBySeed = new HashMap<>();

    LangChainProvider(ModelSpec model) {
        this.model = model;
    }

    /** A client for one seed (null: the provider's default, or a provider without seeds). */
    protected abstract ChatModel build(Integer seed);

    /** The pipeline's HTTP client: status codes, Retry-After and rate-limit headers; no blind retries. */
    protected RetryAfterAwareHttpClient.Builder httpClient() {
        return RetryAfterAwareHttpClient.builder().readTimeout(timeout()).hints(hints);
    }

    protected Duration timeout() {
        return Duration.ofSeconds(model.params().timeoutSeconds());
    }

    /** The registry's response_format as LangChain4j's, or null to leave the provider's default (text). */
    protected ResponseFormat responseFormat() {
        return StructuredOutput.responseFormat(model.params().responseFormat());
    }

    /** Providers that take no seed share one client across samples. */
    protected boolean seeded() {
        return true;
    }

    @Override
    public ChatResult chat(String prompt, int sampleIndex) {
        Integer seed = seeded() ? model.params().seedFor(sampleIndex) : null;
        hints.take();
        ChatResponse response = client(seed).chat(ChatRequest.builder().messages(UserMessage.from(prompt)).build());
        TokenUsage usage = response.tokenUsage();
        AiMessage message = response.aiMessage();
        return new ChatResult(
                message == null ? null : answerOnly(message.text()),
                response.finishReason() == null ? null : response.finishReason().name().toLowerCase(Locale.ROOT),
                usage == null || usage.inputTokenCount() == null ? -1 : usage.inputTokenCount(),
                usage == null || usage.outputTokenCount() == null ? -1 : usage.outputTokenCount(),
                reasoningTokens(usage),
                hints.take());
    }

    /** The answer without inline reasoning blocks; LangChain4j already keeps separate reasoning out of {@code text()}. */
    static String answerOnly(String text) {
        return InlineReasoning.strip(text);
    }

    private static long reasoningTokens(TokenUsage usage) {
        Integer count = null;
        if (usage instanceof OpenAiTokenUsage openAi && openAi.outputTokensDetails() != null) {
            count = openAi.outputTokensDetails().reasoningTokens();
        } else if (usage instanceof GoogleAiGeminiTokenUsage gemini) {
            count = gemini.thoughtsTokenCount();
        }
        return count == null ? -1 : count;
    }

    private synchronized ChatModel client(Integer seed) {
        return clientsBySeed.computeIfAbsent(seed == null ? Integer.MIN_VALUE : seed, k -> build(seed));
    }
}
