package dev.noharm.generation;

import java.util.Arrays;
import java.util.Optional;

/** The wire protocols the registry can name. */
public enum ProviderKind {
    /** OpenAI's own API; needs a key. */
    OPENAI("openai"),
    /** Any server speaking OpenAI's chat-completions API at {@code base_url} (vLLM, llama.cpp, the simulator, ...). */
    OPENAI_COMPATIBLE("openai-compatible"),
    /** Anthropic's messages API ({@code base_url} optional: another server speaking it); needs a key. */
    ANTHROPIC("anthropic"),
    /**
     * The NOHARM leaderboard's submission protocol: POST to the system's URL ({@code base_url}) with a bearer
     * token and the prompt as text/plain; the body of the answer is the JSON array. Up to 300 s per request.
     */
    NOHARM_LEADERBOARD("noharm-leaderboard");

    private final String wireName;

    ProviderKind(String wireName) {
        this.wireName = wireName;
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
