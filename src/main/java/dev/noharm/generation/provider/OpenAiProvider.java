package dev.noharm.generation.provider;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.noharm.generation.ApiKeys;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.ProviderKind;
import java.util.Map;
import java.util.function.Function;

/**
 * OpenAI, any OpenAI-compatible server, and Azure OpenAI, through LangChain4j's OpenAI client.
 * Azure OpenAI is reached at its v1 API ({@code https://RESOURCE.openai.azure.com/openai/v1}), which speaks
 * OpenAI's chat-completions protocol with the key in an {@code api-key} header instead of a bearer token.
 */
final class OpenAiProvider extends LangChainProvider {
    /** Servers that need no key (local ones, the simulator) still get a syntactically valid header. */
    private static final String NO_KEY = "no-key";

    private final String apiKey;

    OpenAiProvider(ModelSpec model, Function<String, String> environment) {
        super(model);
        String key = ApiKeys.resolve(model.apiKey(), environment);
        this.apiKey = key == null || key.isBlank() ? NO_KEY : key;
    }

    @Override
    protected ChatModel build(Integer seed) {
        ModelSpec.RequestParams p = model.params();
        boolean azure = model.provider() == ProviderKind.AZURE_OPENAI;
        OpenAiChatModel.OpenAiChatModelBuilder builder = OpenAiChatModel.builder()
                .httpClientBuilder(httpClient())
                .modelName(model.modelName())
                .maxTokens(p.maxOutputTokens())
                .timeout(timeout())
                .maxRetries(0)
                .responseFormat(responseFormat())
                .strictJsonSchema(true);
        if (azure) {
            builder.customHeaders(Map.of("api-key", apiKey)); // and no Authorization header: apiKey stays null
        } else {
            builder.apiKey(apiKey);
        }
        if (model.baseUrl() != null) {
            builder.baseUrl(model.baseUrl());
        }
        if (p.temperature() != null) {
            builder.temperature(p.temperature());
        }
        if (seed != null) {
            builder.seed(seed);
        }
        return builder.build();
    }
}
