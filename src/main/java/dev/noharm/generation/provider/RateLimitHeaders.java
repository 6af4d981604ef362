package dev.noharm.generation.provider;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what providers say about their quotas on successful answers, so the limiter stops before the
 * provider starts refusing: when a remaining count reaches 0, the model pauses until its reset.
 * <ul>
 *   <li>OpenAI, Azure OpenAI (and servers copying them): {@code x-ratelimit-remaining-requests|tokens} with
 *       {@code x-ratelimit-reset-requests|tokens} as a duration such as {@code 6m0s}, {@code 1.5s}, {@code 20ms}.</li>
 *   <li>Anthropic: {@code anthropic-ratelimit-requests|tokens-remaining} with {@code ...-reset} as an RFC 3339 time.</li>
 * </ul>
 */
final class RateLimitHeaders {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)");
    private static final Pattern GOOGLE_RETRY_DELAY = Pattern.compile("\"retryDelay\"\\s*:\\s*\"(\\d+(?:\\.\\d+)?)s\"");

    private RateLimitHeaders() {}

    /** Milliseconds to pause the model, or -1 when no quota is exhausted (or nothing is reported). */
    static long pauseMillis(Map<String, List<String>> headers, long nowEpochMillis) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> {
            if (name != null && values != null && !values.isEmpty()) {
                h.put(name, values.get(0));
            }
        });
        long pause = -1;
        for (String kind : List.of("requests", "tokens")) {
            if (isZero(h.get("x-ratelimit-remaining-" + kind))) {
                pause = Math.max(pause, durationMillis(h.get("x-ratelimit-reset-" + kind)));
            }
            if (isZero(h.get("anthropic-ratelimit-" + kind + "-remaining"))) {
                pause = Math.max(pause, untilMillis(h.get("anthropic-ratelimit-" + kind + "-reset"), nowEpochMillis));
            }
        }
        return pause;
    }

    /** Gemini's 429s carry no Retry-After header but a {@code RetryInfo} with {@code "retryDelay": "7s"} in the body. */
    static long retryDelayInBody(String body) {
        if (body == null) {
            return -1;
        }
        Matcher m = GOOGLE_RETRY_DELAY.matcher(body);
        return m.find() ? Math.round(Double.parseDouble(m.group(1)) * 1000) : -1;
    }

    private static boolean isZero(String value) {
        return value != null && value.trim().equals("0");
    }

    /** OpenAI's Go-style durations ({@code 1m30s}, {@code 250ms}); -1 when unreadable. */
    static long durationMillis(String value) {
        if (value == null || value.isBlank()) {
            return -1;
        }
        Matcher m = DURATION_PART.matcher(value.trim().toLowerCase(Locale.ROOT));
        double millis = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return -1;
            }
            end = m.end();
            double n = Double.parseDouble(m.group(1));
            millis += switch (m.group(2)) {
                case "h" -> n * 3_600_000;
                case "m" -> n * 60_000;
                case "s" -> n * 1_000;
                default -> n;
            };
        }
        return end == value.trim().length() && end > 0 ? Math.round(millis) : -1;
    }

    private static long untilMillis(String rfc3339, long nowEpochMillis) {
        if (rfc3339 == null) {
            return -1;
        }
        try {
            return Math.max(0, OffsetDateTime.parse(rfc3339.trim()).toInstant().toEpochMilli() - nowEpochMillis);
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
