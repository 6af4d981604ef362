package dev.noharm.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback server speaking AWS Secrets Manager's {@code GetSecretValue} (JSON 1.1 protocol: {@code POST /}
 * with {@code X-Amz-Target: secretsmanager.GetSecretValue}), so the real AWS SDK client can be pointed at it
 * with {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}. Requests must carry a SigV4 signature (not verified).
 */
public final class SecretsManagerServer implements AutoCloseable {
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final HttpServer server;

    public SecretsManagerServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    public SecretsManagerServer put(String name, String value) {
        secrets.put(name, value);
        return this;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Successful GetSecretValue calls. */
    public int reads() {
        return reads.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        JsonNode request = json.readTree(exchange.getRequestBody().readAllBytes());
        if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256")) {
            respond(exchange, 400, error("UnrecognizedClientException", "The security token included in the request is invalid."));
        } else if (!"secretsmanager.GetSecretValue".equals(target)) {
            respond(exchange, 400, error("UnknownOperationException", "unknown operation " + target));
        } else {
            String id = request.path("SecretId").asText();
            String value = secrets.get(id);
            if (value == null) {
                respond(exchange, 400, error("ResourceNotFoundException", "Secrets Manager can't find the specified secret."));
                return;
            }
            reads.incrementAndGet();
            ObjectNode body = json.createObjectNode()
                    .put("ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + id + "-AbCdEf")
                    .put("Name", id).put("SecretString", value).put("VersionId", "v1").put("CreatedDate", 1.7e9);
            body.putArray("VersionStages").add("AWSCURRENT");
            respond(exchange, 200, body.toString());
        }
    }

    private String error(String type, String message) {
        return json.createObjectNode().put("__type", type).put("message", message).toString();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
