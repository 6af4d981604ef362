package dev.noharm.generation.provider;

/**
 * What one successful call returned. Token counts are -1 where the provider reported none.
 * {@code reasoningTokens}: hidden reasoning the provider counted (part of the output tokens), -1 if not reported.
 * {@code serverPauseMillis}: how long the provider's rate-limit headers say to wait before the next call
 * (its quota is used up until then), -1 when they say nothing of the kind.
 */
public record ChatResult(String text, String finishReason, long inputTokens, long outputTokens, long reasoningTokens,
        long serverPauseMillis) {

    public ChatResult(String text, String finishReason, long inputTokens, long outputTokens) {
        this(text, finishReason, inputTokens, outputTokens, -1, -1);
    }
}
