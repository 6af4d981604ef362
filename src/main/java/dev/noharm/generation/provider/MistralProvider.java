package dev.noharm.generation.provider;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.mistralai.MistralAiChatModel;
import dev.noharm.generation.ApiKeys;
import dev.noharm.generation.ModelSpec;
import java.util.function.Function;

/** Mistral's chat API through LangChain4j's Mistral client ({@code random_seed} per sample). */
final class MistralProvider extends LangChainProvider {
    private final String apiKey;

    MistralProvider(ModelSpec model, Function<String, String> environment) {
        super(model);
        this.apiKey = ApiKeys.resolve(model.apiKey(), environment);
    }

    @Override
    protected ChatModel build(Integer seed) {
        ModelSpec.RequestParams p = model.params();
        MistralAiChatModel.MistralAiChatModelBuilder builder = MistralAiChatModel.builder()
                .httpClientBuilder(httpClient())
                .apiKey(apiKey)
                .modelName(model.modelName())
                .maxTokens(p.maxOutputTokens())
                .timeout(timeout())
                .maxRetries(0)
                .returnThinking(false)
                .responseFormat(responseFormat())
                .temperature(p.temperature())
                .randomSeed(seed);
        if (model.baseUrl() != null) {
            builder.baseUrl(model.baseUrl());
        }
        return builder.build();
    }
}
