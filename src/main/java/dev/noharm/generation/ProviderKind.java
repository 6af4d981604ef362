package dev.noharm.generation;

import java.util.Arrays;
import java.util.Optional;

/** The wire protocols the registry can name. */
public enum ProviderKind {
    /** OpenAI's own API; needs a key. */
    OPENAI("openai"),
    /** Any server speaking OpenAI's chat-completions API at {@code base_url} (vLLM, llama.cpp, the simulator, ...). */
    OPENAI_COMPATIBLE("openai-compatible");

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
