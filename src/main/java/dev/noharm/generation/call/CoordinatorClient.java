package dev.noharm.generation.call;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The executor's side of {@link CoordinatorServer}: one per task, built on the executor. */
public final class CoordinatorClient {
    private final CoordinatorServer.Address address;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    public CoordinatorClient(CoordinatorServer.Address address) {
        this.address = address;
    }

    /** The driver refused the request with this status (402: budget reached). */
    public static final class Refused extends RuntimeException {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** Posts {@code request} as JSON to {@code path} and reads the answer as {@code answerType}. */
    public <A> A post(String path, Object request, Class<A> answerType) throws InterruptedException {
        try {
            HttpRequest httpRequest = HttpRequest.newBuilder(URI.create(address.url() + path))
                    .header(CoordinatorServer.TOKEN_HEADER, address.token())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(request)))
                    .build();
            HttpResponse<byte[]> response = http.send(httpRequest, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new Refused(response.statusCode(), "coordinator answered " + response.statusCode() + " on " + path + ": "
                        + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            return json.readValue(response.body(), answerType);
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the driver's coordinator at " + address.url() + ": " + e.getMessage(), e);
        }
    }
}
