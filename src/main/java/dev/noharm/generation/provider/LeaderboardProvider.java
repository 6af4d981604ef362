package dev.noharm.generation.provider;

import dev.noharm.generation.ApiKeys;
import dev.noharm.generation.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;

/**
 * A system submitted to the NOHARM leaderboard, evaluated as is: {@code POST} to its URL with
 * {@code Authorization: Bearer <token>} and {@code Content-Type: text/plain}, the body being the prompt
 * (the instruction, a newline, the case). The answer (CONTRACT section 6) is the body itself (for the options
 * task, the JSON array), {@code {"response": "<answer>"}} or an OpenAI chat-completions body; the text kept is
 * the answer inside. The protocol allows up to 300 s per request and reports no token counts. Plain JDK HTTP:
 * there is no LangChain4j model for it.
 */
final class LeaderboardProvider implements ChatProvider {
    static final Duration TIMEOUT = Duration.ofSeconds(300);

    private final URI url;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(20))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    LeaderboardProvider(ModelSpec model, Function<String, String> environment) {
        this.url = URI.create(model.baseUrl());
        // No api_key_env: a system that takes anonymous submissions (the simulator's); no header is sent.
        this.token = ApiKeys.resolve(model.apiKey(), environment);
    }

    @Override
    public ChatResult chat(String prompt, int sampleIndex) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                .timeout(TIMEOUT)
                .header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(prompt, StandardCharsets.UTF_8));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        HttpRequest request = builder.build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new StatusHttpException(response.statusCode(), response.body(),
                    RetryAfterAwareHttpClient.retryAfterMillis(response.headers().firstValue("Retry-After").orElse(null)));
        }
        return new ChatResult(answer(response.body()), "stop", -1, -1);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The answer inside a body: {@code response}'s string, or {@code choices[0].message.content}; else the body as it is. */
    static String answer(String body) {
        if (body == null || !body.strip().startsWith("{")) {
            return body;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode root = JSON.readTree(body);
            com.fasterxml.jackson.databind.JsonNode response = root.get("response");
            if (response != null && response.isTextual()) {
                return response.asText();
            }
            com.fasterxml.jackson.databind.JsonNode content = root.path("choices").path(0).path("message").path("content");
            return content.isTextual() ? content.asText() : body;
        } catch (IOException notJson) {
            return body;
        }
    }
}
