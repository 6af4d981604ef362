package dev.noharm.generation.provider;

/** What one successful call returned. Token counts are -1 where the provider reported none. */
public record ChatResult(String text, String finishReason, long inputTokens, long outputTokens) {}
