package dev.noharm.generation.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.noharm.generation.provider.StatusHttpException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The batch protocols' HTTP client: JSON in and out with the provider's auth headers, multipart file uploads, and
 * retries of 429, 5xx and broken connections (these control calls cost nothing, so retrying them is safe, except the
 * one that creates a batch: see {@link #createOnce}). A non-2xx answer is a {@link StatusHttpException} whose message
 * is the server's body, never the request's headers, so no key reaches an error message.
 */
final class BatchHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 5;

    private final HttpClient client;
    private final Map<String, String> headers;
    private final Duration timeout;

    BatchHttp(Map<String, String> headers, Duration timeout) {
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
    }

    JsonNode get(String url) {
        return json(send(request(url).GET(), true));
    }

    /** A JSON Lines download (a batch's results), one node per non-blank line. */
    java.util.List<JsonNode> getJsonLines(String url) {
        java.util.List<JsonNode> lines = new java.util.ArrayList<>();
        for (String line : send(request(url).GET(), true).split("\n")) {
            if (!line.isBlank()) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new IllegalStateException("unreadable batch result line from " + URI.create(url).getPath() + ": " + abbreviate(line), e);
                }
            }
        }
        return lines;
    }

    /** A field's text, or null when it is missing, null or empty (providers leave unused file ids null). */
    static String text(JsonNode node, String field) {
        String value = node.path(field).asText(null);
        return value == null || value.isEmpty() || "null".equals(value) ? null : value;
    }

    /** A POST that may be repeated without harm (a cancel, a file upload whose id is used once). */
    JsonNode post(String url, Object body) {
        return json(send(request(url).header("Content-Type", "application/json").POST(body(body)), true));
    }

    /**
     * The POST that creates a batch: sent once, never retried here, since a retry after a lost answer could create a
     * second batch and pay twice. A failure leaves the ledger's {@code submitting} row for the next run to look up.
     */
    JsonNode createOnce(String url, Object body) {
        String text = serialized(body);
        return json(send(request(url).timeout(forSize(text.length())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text)), false));
    }

    /** Time to send {@code bytes}: the usual timeout plus a second per 200 KB (a 256 MB batch may take minutes to upload). */
    private Duration forSize(long bytes) {
        return timeout.plusSeconds(bytes / 200_000);
    }

    /** A multipart/form-data upload of one file ({@code fields} first, then the file part named {@code file}). */
    JsonNode upload(String url, Map<String, String> fields, String fileName, byte[] content) {
        String boundary = "noharm-" + Long.toHexString(System.nanoTime());
        StringBuilder head = new StringBuilder();
        fields.forEach((name, value) -> head.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n").append(value).append("\r\n"));
        head.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"file\"; filename=\"").append(fileName).append("\"\r\n")
                .append("Content-Type: application/jsonl\r\n\r\n");
        byte[] start = head.toString().getBytes(StandardCharsets.UTF_8);
        byte[] end = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[start.length + content.length + end.length];
        System.arraycopy(start, 0, all, 0, start.length);
        System.arraycopy(content, 0, all, start.length, content.length);
        System.arraycopy(end, 0, all, start.length + content.length, end.length);
        return json(send(request(url).timeout(forSize(all.length)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(all)), true));
    }

    private HttpRequest.Builder request(String url) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
        headers.forEach(builder::header);
        return builder;
    }

    private static HttpRequest.BodyPublisher body(Object body) {
        return HttpRequest.BodyPublishers.ofString(serialized(body));
    }

    private static String serialized(Object body) {
        try {
            return body instanceof String s ? s : JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String send(HttpRequest.Builder builder, boolean retry) {
        HttpRequest request = builder.build();
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return response.body();
                }
                long retryAfter = response.headers().firstValue("retry-after").map(BatchHttp::millis).orElse(-1L);
                StatusHttpException failure = new StatusHttpException(status, request.method() + " " + request.uri().getPath() + ": "
                        + abbreviate(response.body()), retryAfter);
                if (!retry || attempt >= ATTEMPTS || !(status == 429 || status / 100 == 5)) {
                    throw failure;
                }
                pause(retryAfter > 0 ? retryAfter : 500L << attempt);
            } catch (IOException e) {
                if (!retry || attempt >= ATTEMPTS) {
                    throw new java.io.UncheckedIOException(request.method() + " " + request.uri() + ": " + e.getMessage(), e);
                }
                pause(500L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during " + request.method() + " " + request.uri(), e);
            }
        }
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + abbreviate(body), e);
        }
    }

    /** A Retry-After header's seconds, in milliseconds (-1 when unreadable). */
    private static long millis(String value) {
        try {
            return (long) (Double.parseDouble(value.trim()) * 1000);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(Math.min(millis, 30_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry", e);
        }
    }

    static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 500 ? text : text.substring(0, 500) + "...";
    }
}
