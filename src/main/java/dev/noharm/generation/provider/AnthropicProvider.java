package dev.noharm.generation.provider;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.noharm.generation.ApiKeys;
import dev.noharm.generation.ModelSpec;
import java.util.function.Function;

/**
 * Anthropic's messages API through LangChain4j's Anthropic client. Anthropic has no seed, so samples differ
 * by the model's own sampling and one client serves every sample. Extended thinking, when a model uses it,
 * comes back as separate blocks that LangChain4j keeps out of the answer text.
 */
final class AnthropicProvider extends LangChainProvider {
    private final String apiKey;

    AnthropicProvider(ModelSpec model, Function<String, String> environment) {
        super(model);
        this.apiKey = ApiKeys.resolve(model.apiKey(), environment);
    }

    @Override
    protected boolean seeded() {
        return false;
    }

    @Override
    protected ChatModel build(Integer seed) {
        ModelSpec.RequestParams p = model.params();
        AnthropicChatModel.AnthropicChatModelBuilder builder = AnthropicChatModel.builder()
                .httpClientBuilder(httpClient())
                .apiKey(apiKey)
                .modelName(model.modelName())
                .maxTokens(p.maxOutputTokens())
                .timeout(timeout())
                .maxRetries(0);
        if (model.baseUrl() != null) {
            builder.baseUrl(model.baseUrl());
        }
        if (p.temperature() != null) {
            builder.temperature(p.temperature());
        }
        return builder.build();
    }
}
