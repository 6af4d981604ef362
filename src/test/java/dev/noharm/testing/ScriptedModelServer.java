package dev.noharm.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server speaking OpenAI's chat-completions format, answering each model's calls from a
 * script (status codes, Retry-After, hangs, broken bodies) and then successfully. Records when each
 * call arrived and the Authorization header it carried.
 */
public final class ScriptedModelServer implements AutoCloseable {
    /** One scripted answer: an HTTP status (200 = a normal completion), a Retry-After, or a hang. */
    public record Step(int status, String retryAfter, long hangMillis, String body) {
        public static Step status(int status) {
            return new Step(status, null, 0, null);
        }

        public static Step rateLimited(String retryAfter) {
            return new Step(429, retryAfter, 0, null);
        }

        public static Step hang(long millis) {
            return new Step(200, null, millis, null);
        }

        public static Step body(String rawBody) {
            return new Step(200, null, 0, rawBody);
        }
    }

    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]+)\"");
    private final HttpServer server;
    private final Map<String, Deque<Step>> scripts = new HashMap<>();
    private final Map<String, List<Long>> arrivals = new HashMap<>();
    private final List<String> authorizations = new ArrayList<>();
    private final Map<String, List<String>> requests = new HashMap<>();

    public ScriptedModelServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "scripted-model-server");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public synchronized ScriptedModelServer script(String model, Step... steps) {
        scripts.put(model, new ArrayDeque<>(List.of(steps)));
        return this;
    }

    public synchronized List<Long> arrivals(String model) {
        return List.copyOf(arrivals.getOrDefault(model, List.of()));
    }

    /** The request bodies a model received, in arrival order. */
    public synchronized List<String> requests(String model) {
        return List.copyOf(requests.getOrDefault(model, List.of()));
    }

    /** A 200 chat completion whose message content is {@code content}, for {@link Step#body}. */
    public static String completionWith(String model, String content) {
        String escaped = content.replace("\\", "\\\\").replace("\"", "\\\"");
        return "{\"id\":\"chatcmpl-scripted\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model + "\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + escaped + "\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":20,\"total_tokens\":120}}";
    }

    public synchronized List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = MODEL.matcher(request);
        String model = m.find() ? m.group(1) : "";
        Step step;
        synchronized (this) {
            arrivals.computeIfAbsent(model, k -> new ArrayList<>()).add(System.nanoTime());
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            requests.computeIfAbsent(model, k -> new ArrayList<>()).add(request);
            Deque<Step> script = scripts.get(model);
            step = script == null || script.isEmpty() ? Step.status(200) : script.poll();
        }
        if (step.hangMillis() > 0) {
            try {
                Thread.sleep(step.hangMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String body = step.body() != null ? step.body()
                : step.status() == 200 ? completion(model)
                : "{\"error\":{\"message\":\"scripted " + step.status() + "\",\"type\":\"scripted\",\"code\":\"scripted\"}}";
        if (step.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", step.retryAfter());
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            exchange.sendResponseHeaders(step.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException clientGone) {
            // A hang outlived the client's timeout.
        }
    }

    private static String completion(String model) {
        return "{\"id\":\"chatcmpl-scripted\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model + "\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                + "\"[{\\\"Option\\\": 1, \\\"GradeAI\\\": \\\"Appropriate\\\"}]\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":20,\"total_tokens\":120}}";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
