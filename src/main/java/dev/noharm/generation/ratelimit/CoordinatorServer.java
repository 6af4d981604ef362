package dev.noharm.generation.ratelimit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.noharm.generation.ModelSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Runs on the driver for the length of one generation job: executors ask it for a permit before every
 * model call ({@code /acquire}, which blocks until the model's limits allow the call), return the permit
 * afterwards ({@code /release}), and report each finished item ({@code /done}), which feeds the progress
 * line. A random token per job keeps other processes out.
 */
public final class CoordinatorServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, ModelLimiter> limiters = new HashMap<>();
    private final String token = UUID.randomUUID().toString();
    /** Null when the run has no budget. */
    private volatile RunBudget budget;
    /** Where finished items are reported; one coordinator serves every stage of a job, each with its own progress. */
    private final java.util.concurrent.atomic.AtomicReference<Consumer<Map<String, String>>> onItemDone;

    public CoordinatorServer(String bindHost, List<ModelSpec> models, Consumer<Map<String, String>> onItemDone) throws IOException {
        for (ModelSpec model : models) {
            limiters.put(model.id(), new ModelLimiter(model.limits(), model.params().timeoutSeconds()));
        }
        this.onItemDone = new java.util.concurrent.atomic.AtomicReference<>(onItemDone);
        this.server = HttpServer.create(new InetSocketAddress(bindHost, 0), 512);
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "noharm-coordinator");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/acquire", this::acquire);
        server.createContext("/release", this::release);
        server.createContext("/done", this::done);
        server.start();
    }

    /** Spending limit for every call from now on (null: none). */
    public void budget(RunBudget runBudget) {
        this.budget = runBudget;
    }

    /** Sends finished items to {@code listener} from now on (the next stage's progress). */
    public void onResult(Consumer<Map<String, String>> listener) {
        onItemDone.set(listener);
    }

    /** What executors need to reach this server; serializable into tasks. */
    public RateLimitClient.Address address(String advertisedHost) {
        return new RateLimitClient.Address("http://" + advertisedHost + ":" + server.getAddress().getPort(), token);
    }

    private void acquire(HttpExchange exchange) throws IOException {
        Map<String, String> q = query(exchange);
        ModelLimiter limiter = limiterFor(exchange, q);
        if (limiter == null) {
            return;
        }
        RunBudget runBudget = budget;
        double maxCost = Double.parseDouble(q.getOrDefault("max_cost", "0"));
        if (runBudget != null && !runBudget.tryReserve(maxCost)) {
            respond(exchange, 402, "run budget of $" + runBudget.limitUsd() + " reached");
            return;
        }
        try {
            long permit = limiter.acquire(Long.parseLong(q.getOrDefault("tokens", "0")));
            respond(exchange, 200, Long.toString(permit));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (runBudget != null) {
                runBudget.settle(maxCost, 0); // no call will be made: give the reservation back
            }
            respond(exchange, 503, "shutting down");
        }
    }

    private void release(HttpExchange exchange) throws IOException {
        Map<String, String> q = query(exchange);
        ModelLimiter limiter = limiterFor(exchange, q);
        if (limiter == null) {
            return;
        }
        RunBudget runBudget = budget;
        if (runBudget != null) {
            runBudget.settle(Double.parseDouble(q.getOrDefault("max_cost", "0")), Double.parseDouble(q.getOrDefault("cost", "0")));
        }
        limiter.release(Long.parseLong(q.get("permit")), Long.parseLong(q.getOrDefault("tokens", "-1")),
                "1".equals(q.get("rate_limited")), Long.parseLong(q.getOrDefault("retry_after_ms", "-1")));
        respond(exchange, 200, "ok");
    }

    private void done(HttpExchange exchange) throws IOException {
        Map<String, String> q = query(exchange);
        if (q == null) {
            return;
        }
        onItemDone.get().accept(q);
        respond(exchange, 200, "ok");
    }

    /** The limiter of the request's model, or null after answering (wrong token already answered, unknown model 404). */
    private ModelLimiter limiterFor(HttpExchange exchange, Map<String, String> q) throws IOException {
        if (q == null) {
            return null;
        }
        ModelLimiter limiter = limiters.get(q.get("model"));
        if (limiter == null) {
            respond(exchange, 404, "unknown model");
        }
        return limiter;
    }

    /** The query parameters, or null (after answering 403) when the job token is wrong. */
    private Map<String, String> query(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        if (!token.equals(exchange.getRequestHeaders().getFirst(RateLimitClient.TOKEN_HEADER))) {
            respond(exchange, 403, "wrong job token");
            return null;
        }
        Map<String, String> params = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
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
