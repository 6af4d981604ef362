package dev.noharm.generation.provider;

import dev.noharm.generation.ModelSpec;

/** One model endpoint. Built on the executor that uses it (clients are not serializable). */
public interface ChatProvider {

    /** Sends one prompt; throws on any failure (classify it with {@link CallFailure#classify}). */
    ChatResult chat(String prompt, int sampleIndex);

    /** The provider for a registry entry; its key is read where the entry says ({@code environment} for api_key_env). */
    static ChatProvider create(ModelSpec model, java.util.function.Function<String, String> environment) {
        return switch (model.provider()) {
            case OPENAI, OPENAI_COMPATIBLE, AZURE_OPENAI -> new OpenAiProvider(model, environment);
            case NOHARM_LEADERBOARD -> new LeaderboardProvider(model, environment);
            case ANTHROPIC -> new AnthropicProvider(model, environment);
            case GEMINI -> new GeminiProvider(model, environment);
            case MISTRAL -> new MistralProvider(model, environment);
            case OLLAMA -> new OllamaProvider(model);
            case BEDROCK -> new BedrockProvider(model);
        };
    }
}
