package dev.noharm.generation.provider;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.noharm.generation.ModelSpec;

/**
 * A local Ollama server ({@code /api/chat}, no key) through LangChain4j's Ollama client. Thinking models'
 * reasoning is asked for separately ({@code think}) and never returned as the answer.
 */
final class OllamaProvider extends LangChainProvider {

    OllamaProvider(ModelSpec model) {
        super(model);
    }

    @Override
    protected ChatModel build(Integer seed) {
        ModelSpec.RequestParams p = model.params();
        return OllamaChatModel.builder()
                .httpClientBuilder(httpClient())
                .baseUrl(model.baseUrl())
                .modelName(model.modelName())
                .numPredict(p.maxOutputTokens())
                .timeout(timeout())
                .maxRetries(0)
                .returnThinking(false)
                .responseFormat(responseFormat())
                .temperature(p.temperature())
                .seed(seed)
                .build();
    }
}
