package dev.noharm.generation.provider;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.noharm.generation.ApiKeys;
import dev.noharm.generation.ModelSpec;
import java.util.function.Function;

/**
 * Google's Gemini API ({@code generateContent}, key in {@code x-goog-api-key}) through LangChain4j's Gemini
 * client. Thinking is not returned; its token count is stored as reasoning tokens.
 */
final class GeminiProvider extends LangChainProvider {
    private final String apiKey;

    GeminiProvider(ModelSpec model, Function<String, String> environment) {
        super(model);
        this.apiKey = ApiKeys.resolve(model.apiKey(), environment);
    }

    @Override
    protected ChatModel build(Integer seed) {
        ModelSpec.RequestParams p = model.params();
        GoogleAiGeminiChatModel.GoogleAiGeminiChatModelBuilder builder = GoogleAiGeminiChatModel.builder()
                .httpClientBuilder(httpClient())
                .apiKey(apiKey)
                .modelName(model.modelName())
                .maxOutputTokens(p.maxOutputTokens())
                .timeout(timeout())
                .maxRetries(0)
                .returnThinking(false)
                .responseFormat(responseFormat())
                .temperature(p.temperature())
                .seed(seed);
        if (model.baseUrl() != null) {
            builder.baseUrl(model.baseUrl());
        }
        return builder.build();
    }
}
