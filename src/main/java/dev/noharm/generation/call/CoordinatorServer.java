package dev.noharm.generation.call;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small JSON-over-HTTP server on the driver for the length of one generation job: executors reach the
 * driver's services through it (permits and budget before every call, finished items for the progress line).
 * Each endpoint takes one JSON record and answers one; a random token per job keeps other processes out.
 */
public final class CoordinatorServer implements AutoCloseable {
    static final String TOKEN_HEADER = "X-Noharm-Job-Token";

    private final HttpServer server;
    private final ExecutorService threads;
    private final ObjectMapper json = new ObjectMapper();
    private final String token = UUID.randomUUID().toString();

    /** Where the coordinator listens, and the job's token: what executors need, serializable into tasks. */
    public record Address(String url, String token) implements Serializable {}

    /** An endpoint's answer when the request cannot be served: the status and a message for the executor. */
    public static final class Refusal extends RuntimeException {
        final int status;

        public Refusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** One endpoint's logic: a request record in, a response record out (or {@link Refusal}). */
    @FunctionalInterface
    public interface Handler<Q, A> {
        A handle(Q request) throws Exception;
    }

    public CoordinatorServer(String bindHost) throws IOException {
        this.server = HttpServer.create(new InetSocketAddress(bindHost, 0), 512);
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "noharm-coordinator");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.start();
    }

    /** Serves {@code path}: the body is read as {@code requestType}, the handler's result written back as JSON. */
    public <Q, A> CoordinatorServer endpoint(String path, Class<Q> requestType, Handler<Q, A> handler) {
        server.createContext(path, exchange -> serve(exchange, requestType, handler));
        return this;
    }

    public Address address(String advertisedHost) {
        return new Address("http://" + advertisedHost + ":" + server.getAddress().getPort(), token);
    }

    private <Q, A> void serve(HttpExchange exchange, Class<Q> requestType, Handler<Q, A> handler) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (!token.equals(exchange.getRequestHeaders().getFirst(TOKEN_HEADER))) {
            respond(exchange, 403, "wrong job token");
            return;
        }
        try {
            A answer = handler.handle(json.readValue(body, requestType));
            respond(exchange, 200, json.writeValueAsString(answer));
        } catch (Refusal refusal) {
            respond(exchange, refusal.status, refusal.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(exchange, 503, "shutting down");
        } catch (Exception e) {
            respond(exchange, 500, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", status == 200 ? "application/json" : "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
