package dev.noharm.generation;

import java.util.Arrays;
import java.util.Optional;

/** The wire protocols the registry can name. */
public enum ProviderKind {
    /** OpenAI's own API; needs a key. */
    OPENAI("openai", false, true, true, "OpenAI"),
    /** Any server speaking OpenAI's chat-completions API at {@code base_url} (vLLM, llama.cpp, the simulator, ...). */
    OPENAI_COMPATIBLE("openai-compatible", true, false, true, ""),
    /** Azure OpenAI's v1 API at {@code base_url} ({@code https://RESOURCE.openai.azure.com/openai/v1}); key sent as {@code api-key}. */
    AZURE_OPENAI("azure-openai", true, true, true, "OpenAI"),
    /** Anthropic's messages API ({@code base_url} optional: another server speaking it); needs a key. */
    ANTHROPIC("anthropic", false, true, false, "Anthropic"),
    /** Google's Gemini API ({@code base_url} optional); needs a key. */
    GEMINI("gemini", false, true, true, "Google"),
    /** Mistral's chat API ({@code base_url} optional); needs a key. */
    MISTRAL("mistral", false, true, true, "Mistral"),
    /** An Ollama server at {@code base_url} (e.g. {@code http://localhost:11434}); no key. */
    OLLAMA("ollama", true, false, true, ""),
    /** Amazon Bedrock's Converse API; AWS credentials from the default chain or a profile, not a key. */
    BEDROCK("bedrock", false, false, false, ""),
    /**
     * The NOHARM leaderboard's submission protocol: POST to the system's URL ({@code base_url}) with a bearer
     * token and the prompt as text/plain; the body of the answer is the JSON array. Up to 300 s per request.
     */
    NOHARM_LEADERBOARD("noharm-leaderboard", true, false, false, "");

    private final String wireName;
    private final boolean needsBaseUrl;
    private final boolean needsKey;
    private final boolean structuredOutput;
    private final String defaultOrganization;

    ProviderKind(String wireName, boolean needsBaseUrl, boolean needsKey, boolean structuredOutput, String defaultOrganization) {
        this.wireName = wireName;
        this.needsBaseUrl = needsBaseUrl;
        this.needsKey = needsKey;
        this.structuredOutput = structuredOutput;
        this.defaultOrganization = defaultOrganization;
    }

    /**
     * The organisation behind the models this protocol reaches when the registry names none (CONTRACT
     * section 5's {@code Provider}); empty where the protocol serves many organisations' models.
     */
    public String defaultOrganization() {
        return defaultOrganization;
    }

    /** The registry must say where the server is. */
    public boolean needsBaseUrl() {
        return needsBaseUrl;
    }

    /** The registry must name the key's variable. */
    public boolean needsKey() {
        return needsKey;
    }

    /** JSON mode and JSON-schema output can be turned on ({@code response_format}). */
    public boolean structuredOutput() {
        return structuredOutput;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<ProviderKind> fromWireName(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName.equals(name)).findFirst();
    }

    public static String allowedValues() {
        return String.join(", ", Arrays.stream(values()).map(ProviderKind::wireName).toList());
    }
}
