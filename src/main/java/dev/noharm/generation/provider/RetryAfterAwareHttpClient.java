package dev.noharm.generation.provider;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * LangChain4j's HTTP seam, over the JDK client, that keeps what the default client drops: the status
 * and {@code Retry-After} of error answers (as {@link StatusHttpException}). LangChain4j's own retries
 * are off; the pipeline retries and rate-limits itself.
 */
public final class RetryAfterAwareHttpClient implements HttpClient {
    private final java.net.http.HttpClient client;
    private final Duration readTimeout;
    private final HttpClient streaming;
    private final ServerHints hints;

    private RetryAfterAwareHttpClient(Duration connectTimeout, Duration readTimeout, ServerHints hints) {
        this.hints = hints;
        this.client = java.net.http.HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
        this.readTimeout = readTimeout;
        this.streaming = new JdkHttpClientBuilder().connectTimeout(connectTimeout).readTimeout(readTimeout).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url()))
                .timeout(readTimeout);
        request.headers().forEach((name, values) -> values.forEach(v -> builder.header(name, v)));
        String body = request.body();
        builder.method(request.method().name(), body == null
                ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response;
        try {
            response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling " + request.url(), e);
        }
        if (response.statusCode() < 200 || response.statusCode() > 299) {
            long retryAfter = retryAfterMillis(response.headers().firstValue("Retry-After").orElse(null));
            throw new StatusHttpException(response.statusCode(), response.body(),
                    retryAfter >= 0 ? retryAfter : RateLimitHeaders.retryDelayInBody(response.body()));
        }
        Map<String, List<String>> headers = response.headers().map();
        if (hints != null) {
            hints.record(RateLimitHeaders.pauseMillis(headers, System.currentTimeMillis()));
        }
        return SuccessfulHttpResponse.builder().statusCode(response.statusCode()).headers(headers).body(response.body()).build();
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        // The pipeline never streams; should a provider stream, the standard JDK client serves it.
        streaming.execute(request, parser, listener);
    }

    /** {@code Retry-After} is either delay-seconds or an HTTP date (RFC 9110); -1 when absent or unreadable. */
    static long retryAfterMillis(String value) {
        if (value == null || value.isBlank()) {
            return -1;
        }
        try {
            return Math.max(0, Math.round(Double.parseDouble(value.trim()) * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis());
            } catch (RuntimeException notADate) {
                return -1;
            }
        }
    }

    public static final class Builder implements HttpClientBuilder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(120);
        private ServerHints hints;

        /** Where to leave each answer's rate-limit hint for the provider. */
        Builder hints(ServerHints hints) {
            this.hints = hints;
            return this;
        }

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public Builder connectTimeout(Duration timeout) {
            if (timeout != null) {
                this.connectTimeout = timeout;
            }
            return this;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public Builder readTimeout(Duration timeout) {
            if (timeout != null) {
                this.readTimeout = timeout;
            }
            return this;
        }

        @Override
        public HttpClient build() {
            return new RetryAfterAwareHttpClient(connectTimeout, readTimeout, hints);
        }
    }
}
