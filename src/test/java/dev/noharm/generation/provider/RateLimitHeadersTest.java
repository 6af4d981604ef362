package dev.noharm.generation.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {
    private static final long NOW = java.time.Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();

    @Test
    void openAiDurationsAreReadAsProvidersWriteThem() {
        assertEquals(360_000, RateLimitHeaders.durationMillis("6m0s"));
        assertEquals(1_500, RateLimitHeaders.durationMillis("1.5s"));
        assertEquals(20, RateLimitHeaders.durationMillis("20ms"));
        assertEquals(3_723_000, RateLimitHeaders.durationMillis("1h2m3s"));
        assertEquals(-1, RateLimitHeaders.durationMillis("soon"));
        assertEquals(-1, RateLimitHeaders.durationMillis("5s later"));
    }

    @Test
    void aPauseOnlyWhenSomeQuotaIsUsedUp() {
        assertEquals(-1, RateLimitHeaders.pauseMillis(Map.of("x-ratelimit-remaining-requests", List.of("3"),
                "x-ratelimit-reset-requests", List.of("2s")), NOW));
        assertEquals(2_000, RateLimitHeaders.pauseMillis(Map.of("X-RateLimit-Remaining-Requests", List.of("0"),
                "x-ratelimit-reset-requests", List.of("2s")), NOW), "header names are case-insensitive");
        assertEquals(7_000, RateLimitHeaders.pauseMillis(Map.of(
                "x-ratelimit-remaining-requests", List.of("0"), "x-ratelimit-reset-requests", List.of("2s"),
                "x-ratelimit-remaining-tokens", List.of("0"), "x-ratelimit-reset-tokens", List.of("7s")), NOW), "the longer wait wins");
        assertEquals(30_000, RateLimitHeaders.pauseMillis(Map.of("anthropic-ratelimit-requests-remaining", List.of("0"),
                "anthropic-ratelimit-requests-reset", List.of("2026-11-25T10:00:30Z")), NOW));
        assertEquals(-1, RateLimitHeaders.pauseMillis(Map.of(), NOW));
    }

    @Test
    void geminiRetryDelayIsFoundInTheErrorBody() {
        assertEquals(7_000, RateLimitHeaders.retryDelayInBody(
                "{\"error\":{\"code\":429,\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\": \"7s\"}]}}"));
        assertEquals(-1, RateLimitHeaders.retryDelayInBody("{\"error\":{\"code\":429}}"));
    }
}
