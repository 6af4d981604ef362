package dev.noharm.generation.ratelimit;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** The executor's side of {@link CoordinatorServer}: one per task, built on the executor. */
public final class RateLimitClient {
    static final String TOKEN_HEADER = "X-Noharm-Job-Token";

    /** Where the coordinator listens, and the job's token. */
    public record Address(String url, String token) implements Serializable {}

    private final Address address;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    public RateLimitClient(Address address) {
        this.address = address;
    }

    /** The run's budget would be passed by this call: it is not made (and stays to do for the next run). */
    public static final class BudgetReachedException extends RuntimeException {
        BudgetReachedException(String message) {
            super(message);
        }
    }

    /**
     * Blocks until the model may be called and {@code maxCostUsd} is reserved from the run's budget;
     * returns the permit to release. Throws {@link BudgetReachedException} when the budget refuses.
     */
    public long acquire(String model, long estimatedTokens, double maxCostUsd) throws InterruptedException {
        return Long.parseLong(post("/acquire", Map.of("model", model, "tokens", Long.toString(estimatedTokens),
                "max_cost", Double.toString(maxCostUsd))));
    }

    /** Returns the permit, with the tokens and cost the call actually used (-1 and 0 when unknown). */
    public void release(String model, long permit, long actualTokens, boolean rateLimited, long retryAfterMillis,
            double reservedUsd, double costUsd) throws InterruptedException {
        post("/release", Map.of("model", model, "permit", Long.toString(permit), "tokens", Long.toString(actualTokens),
                "rate_limited", rateLimited ? "1" : "0", "retry_after_ms", Long.toString(retryAfterMillis),
                "max_cost", Double.toString(reservedUsd), "cost", Double.toString(costUsd)));
    }

    /** Reports a finished item for the progress line; never fails the item. */
    public void reportDone(Map<String, String> fields) {
        try {
            post("/done", fields);
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String post(String path, Map<String, String> params) throws InterruptedException {
        String query = params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(address.url() + path + "?" + query))
                .header(TOKEN_HEADER, address.token())
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 402) {
                throw new BudgetReachedException(response.body());
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("rate-limit coordinator answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the rate-limit coordinator at " + address.url() + ": " + e.getMessage(), e);
        }
    }
}
