package dev.noharm.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The providers' batch APIs, served by the simulator's personas: OpenAI's (files and batches, also at Azure OpenAI's
 * {@code /openai/v1}), Mistral's batch jobs over the same files, Anthropic's Message Batches and Gemini's
 * batchGenerateContent. A batch ends {@code batchDelayMillis} after it was created (or when cancelled); each request then
 * succeeds, fails ({@code batchErrorRate}) or is left unanswered ({@code batchUnfinishedRate}: the batch expired), drawn
 * per request from the simulator's seed, so a batch's results are the same however often they are read.
 */
final class BatchEndpoints {
    private final EndpointSimulator sim;
    private final ObjectMapper json;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, Batch> batches = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    /** Creates still to answer with a gateway's 502 after the batch was created (a fault a test injects). */
    private final java.util.concurrent.atomic.AtomicInteger gatewayErrors = new java.util.concurrent.atomic.AtomicInteger();

    private enum Shape { OPENAI, MISTRAL, ANTHROPIC, GEMINI }

    /** One request of a batch, as the persona reads it. */
    private record Request(String key, String model, String prompt, long seed, boolean structured) {}

    private static final class Batch {
        final String id;
        final Shape shape;
        final String model;
        final List<Request> requests;
        final long createdMs = System.currentTimeMillis();
        final JsonNode metadata;
        volatile boolean cancelled;
        volatile boolean endedNow;
        volatile String outputFile;
        volatile String errorFile;

        Batch(String id, Shape shape, String model, List<Request> requests, JsonNode metadata) {
            this.id = id;
            this.shape = shape;
            this.model = model;
            this.requests = requests;
            this.metadata = metadata;
        }
    }

    /** One request's fate once its batch has ended. */
    private record Answer(Request request, String text, boolean failed, boolean unfinished) {}

    BatchEndpoints(EndpointSimulator sim) {
        this.sim = sim;
        this.json = sim.json();
    }

    void serve(HttpServer server) {
        server.createContext("/v1/files", e -> handle(e, () -> files(e, "/v1")));
        server.createContext("/openai/v1/files", e -> handle(e, () -> files(e, "/openai/v1")));
        server.createContext("/v1/batches", e -> handle(e, () -> openAiBatches(e, "/v1", false)));
        server.createContext("/openai/v1/batches", e -> handle(e, () -> openAiBatches(e, "/openai/v1", true)));
        server.createContext("/v1/batch/jobs", e -> handle(e, () -> mistralJobs(e)));
        server.createContext("/v1/messages/batches", e -> handle(e, () -> anthropicBatches(e)));
        server.createContext("/v1beta/batches", e -> handle(e, () -> geminiBatches(e)));
    }

    long created() {
        return created.get();
    }

    /** Ends every batch now, whatever its delay (so a test need not wait for one). */
    void endAll() {
        batches.values().forEach(b -> b.endedNow = true);
    }

    /** The next {@code count} batch creations succeed and are then answered 502, as a gateway in front of a provider may. */
    void failCreatesAfterCreating(int count) {
        gatewayErrors.set(count);
    }

    /** Answers a create: the batch as JSON, or (when a fault is injected) a 502 although the batch exists. */
    private void created(HttpExchange e, String body) throws IOException {
        if (gatewayErrors.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            EndpointSimulator.respond(e, 502, "<html><body>502 Bad Gateway</body></html>", null);
        } else {
            EndpointSimulator.respond(e, 200, body, null);
        }
    }

    long requests() {
        return requests.get();
    }

    private interface Handler {
        void run() throws IOException;
    }

    private void handle(HttpExchange exchange, Handler handler) throws IOException {
        sim.countReceived();
        handleCounted(exchange, handler);
    }

    /** For a request already counted as received (routed here from another endpoint). */
    private void handleCounted(HttpExchange exchange, Handler handler) throws IOException {
        try {
            handler.run();
        } catch (RuntimeException e) {
            EndpointSimulator.respond(exchange, 400, error("bad request: " + e.getMessage()), null);
        }
    }

    private String error(String message) {
        ObjectNode body = json.createObjectNode();
        body.putObject("error").put("message", message).put("type", "invalid_request_error");
        return body.toString();
    }

    private String newId(String prefix) {
        return prefix + ids.incrementAndGet();
    }

    private boolean ended(Batch b) {
        return b.cancelled || b.endedNow || System.currentTimeMillis() - b.createdMs >= sim.config().batchDelayMillis();
    }

    /** Each request's fate, drawn from the simulator's seed and the request's key (the same on every read). */
    private List<Answer> answers(Batch b) {
        SimulatorConfig config = sim.config();
        List<Answer> answers = new ArrayList<>();
        for (Request r : b.requests) {
            double draw = new SplittableRandom((config.seed() + "\u0000" + b.id + "\u0000" + r.key()).hashCode()).nextDouble();
            if (b.cancelled || draw < config.batchUnfinishedRate()) {
                answers.add(new Answer(r, null, false, true));
            } else if (draw < config.batchUnfinishedRate() + config.batchErrorRate()) {
                answers.add(new Answer(r, null, true, false));
            } else {
                String text = sim.batchAnswer(r.model(), r.prompt(), r.seed(), r.structured());
                answers.add(text == null ? new Answer(r, null, true, false) : new Answer(r, text, false, false));
            }
        }
        return answers;
    }

    private Batch register(Shape shape, String model, List<Request> list, JsonNode metadata, String prefix) {
        Batch batch = new Batch(newId(prefix), shape, model, list, metadata);
        batches.put(batch.id, batch);
        created.incrementAndGet();
        requests.addAndGet(list.size());
        return batch;
    }

    // ---- OpenAI, Azure OpenAI and Mistral: files ----

    private void files(HttpExchange e, String prefix) throws IOException {
        String path = e.getRequestURI().getPath().substring((prefix + "/files").length());
        if (!authorized(e, prefix.equals("/openai/v1") ? "api-key" : "Authorization")) {
            EndpointSimulator.respond(e, 401, error("missing or bad key"), null);
            return;
        }
        if (path.isEmpty() && "POST".equals(e.getRequestMethod())) {
            Map<String, String> fields = new java.util.HashMap<>();
            byte[] content = filePart(e, fields);
            if (!"batch".equals(fields.get("purpose"))) {
                EndpointSimulator.respond(e, 400, error("purpose must be batch, got " + fields.get("purpose")), null);
                return;
            }
            String id = newId("file-");
            files.put(id, content);
            EndpointSimulator.respond(e, 200, json.createObjectNode().put("id", id).put("object", "file").put("purpose", "batch")
                    .put("bytes", content.length).toString(), null);
        } else if (path.matches("/[^/]+/content")) {
            byte[] content = files.get(path.substring(1, path.length() - "/content".length()));
            if (content == null) {
                EndpointSimulator.respond(e, 404, error("no such file"), null);
            } else {
                EndpointSimulator.respond(e, 200, new String(content, StandardCharsets.UTF_8), null);
            }
        } else {
            EndpointSimulator.respond(e, 404, error("unknown path " + e.getRequestURI().getPath()), null);
        }
    }

    /**
     * Azure's {@code api-key} and Mistral's bearer token are required; at {@code /v1} (OpenAI's shape, which openai-compatible
     * servers without keys serve too) a missing Authorization is accepted, a malformed one is not.
     */
    private static boolean authorized(HttpExchange e, String header) {
        String value = e.getRequestHeaders().getFirst(header);
        if (header.equals("api-key")) {
            return value != null && !value.isBlank();
        }
        boolean required = e.getRequestURI().getPath().startsWith("/v1/batch/jobs");
        return value == null ? !required : value.startsWith("Bearer ") && value.length() > 7;
    }

    /** The {@code file} part of a multipart/form-data body. */
    private static byte[] filePart(HttpExchange e, Map<String, String> fields) throws IOException {
        String type = e.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.contains("boundary=")) {
            throw new IllegalArgumentException("expected multipart/form-data with a boundary");
        }
        String boundary = "--" + type.substring(type.indexOf("boundary=") + "boundary=".length()).replace("\"", "");
        String body = new String(e.getRequestBody().readAllBytes(), StandardCharsets.ISO_8859_1);
        byte[] file = null;
        for (String part : body.split(java.util.regex.Pattern.quote(boundary))) {
            int headerEnd = part.indexOf("\r\n\r\n");
            java.util.regex.Matcher name = java.util.regex.Pattern.compile("name=\"([^\"]+)\"").matcher(headerEnd > 0 ? part.substring(0, headerEnd) : "");
            if (headerEnd > 0 && name.find() && !name.group(1).equals("file")) {
                fields.put(name.group(1), part.substring(headerEnd + 4).replaceAll("\r\n$", ""));
            }
            if (headerEnd > 0 && part.substring(0, headerEnd).contains("name=\"file\"")) {
                String content = part.substring(headerEnd + 4);
                if (content.endsWith("\r\n")) {
                    content = content.substring(0, content.length() - 2);
                }
                file = content.getBytes(StandardCharsets.ISO_8859_1);
            }
        }
        if (file == null) {
            throw new IllegalArgumentException("no file part");
        }
        return file;
    }

    /**
     * The requests of an uploaded file, checked as the provider checks them: unique custom ids; for OpenAI's shape
     * ({@code endpoint} given) each line's method POST, url the batch's endpoint and a model in the body; for Mistral's
     * (the model given with the job) a body with messages.
     */
    private List<Request> openAiLines(byte[] file, String modelForAll, String endpoint) throws IOException {
        List<Request> list = new ArrayList<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        int n = 0;
        for (String line : new String(file, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            n++;
            JsonNode node = json.readTree(line);
            JsonNode body = node.path("body");
            if (!ids.add(node.path("custom_id").asText("")) || node.path("custom_id").asText("").isEmpty()) {
                throw new IllegalArgumentException("line " + n + ": custom_id missing or repeated");
            }
            if (endpoint != null && (!"POST".equals(node.path("method").asText()) || !endpoint.equals(node.path("url").asText())
                    || body.path("model").asText("").isEmpty())) {
                throw new IllegalArgumentException("line " + n + ": method must be POST, url " + endpoint + ", and the body must name the model");
            }
            if (!body.path("messages").isArray()) {
                throw new IllegalArgumentException("line " + n + ": body.messages missing");
            }
            String model = modelForAll != null ? modelForAll : body.path("model").asText("");
            long seed = body.has("random_seed") ? body.path("random_seed").asLong(0) : body.path("seed").asLong(0);
            String format = body.path("response_format").path("type").asText("text");
            list.add(new Request(node.path("custom_id").asText(), model, EndpointSimulator.lastUserMessage(body), seed,
                    !format.equals("text")));
        }
        return list;
    }

    // ---- OpenAI and Azure OpenAI: batches ----

    private void openAiBatches(HttpExchange e, String prefix, boolean azure) throws IOException {
        if (!authorized(e, azure ? "api-key" : "Authorization")) {
            EndpointSimulator.respond(e, 401, error("missing or bad key"), null);
            return;
        }
        String path = e.getRequestURI().getPath().substring((prefix + "/batches").length());
        if (path.isEmpty() && "POST".equals(e.getRequestMethod())) {
            JsonNode request = json.readTree(e.getRequestBody().readAllBytes());
            byte[] file = files.get(request.path("input_file_id").asText());
            String endpoint = request.path("endpoint").asText();
            if (file == null || !endpoint.equals(azure ? "/chat/completions" : "/v1/chat/completions")
                    || !request.path("completion_window").asText().equals("24h")) {
                EndpointSimulator.respond(e, 400, error("unknown input_file_id, endpoint or completion_window"), null);
                return;
            }
            Batch b = register(Shape.OPENAI, null, openAiLines(file, null, endpoint), request.path("metadata"), "batch_");
            created(e, openAiBatch(b).toString());
        } else if (path.isEmpty()) {
            ObjectNode page = json.createObjectNode().put("object", "list");
            ArrayNode data = page.putArray("data");
            batches.values().stream().filter(b -> b.shape == Shape.OPENAI).forEach(b -> data.add(openAiBatch(b)));
            EndpointSimulator.respond(e, 200, page.toString(), null);
        } else {
            respondToBatch(e, path, this::openAiBatch);
        }
    }

    private interface View {
        ObjectNode of(Batch b);
    }

    /** GET /{id} and POST /{id}/cancel, the same for OpenAI's and Mistral's shapes. */
    private void respondToBatch(HttpExchange e, String path, View view) throws IOException {
        boolean cancel = path.endsWith("/cancel");
        String id = path.substring(1, cancel ? path.length() - "/cancel".length() : path.length());
        Batch b = batches.get(id);
        if (b == null) {
            EndpointSimulator.respond(e, 404, error("no such batch " + id), null);
            return;
        }
        if (cancel) {
            b.cancelled = !ended(b) || b.cancelled;
        }
        EndpointSimulator.respond(e, 200, view.of(b).toString(), null);
    }

    private ObjectNode openAiBatch(Batch b) {
        ObjectNode node = json.createObjectNode().put("id", b.id).put("object", "batch").put("completion_window", "24h")
                .put("created_at", b.createdMs / 1000);
        node.set("metadata", b.metadata);
        ObjectNode counts = node.putObject("request_counts").put("total", b.requests.size());
        if (!ended(b)) {
            node.put("status", "in_progress");
            counts.put("completed", 0).put("failed", 0);
            return node;
        }
        List<Answer> answers = answers(b);
        writeOpenAiFiles(b, answers);
        boolean unfinished = answers.stream().anyMatch(Answer::unfinished);
        node.put("status", b.cancelled ? "cancelled" : unfinished ? "expired" : "completed");
        counts.put("completed", answers.stream().filter(a -> a.text() != null).count())
                .put("failed", answers.stream().filter(Answer::failed).count());
        node.put("output_file_id", b.outputFile);
        node.put("error_file_id", b.errorFile);
        return node;
    }

    /** The output file (answered requests) and error file (failed and unanswered ones) of an ended batch, written once. */
    private synchronized void writeOpenAiFiles(Batch b, List<Answer> answers) {
        if (b.outputFile != null) {
            return;
        }
        StringBuilder output = new StringBuilder();
        StringBuilder errors = new StringBuilder();
        for (Answer a : answers) {
            ObjectNode line = json.createObjectNode().put("id", "req_" + a.request().key()).put("custom_id", a.request().key());
            if (a.text() != null) {
                ObjectNode response = line.putObject("response").put("status_code", 200);
                ObjectNode body = response.putObject("body").put("id", "chatcmpl-" + a.request().key()).put("object", "chat.completion")
                        .put("model", a.request().model());
                body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
                        .putObject("message").put("role", "assistant").put("content", a.text());
                body.putObject("usage").put("prompt_tokens", (a.request().prompt().length() + 3) / 4)
                        .put("completion_tokens", (a.text().length() + 3) / 4);
                line.putNull("error");
                output.append(line).append('\n');
            } else if (a.failed()) {
                ObjectNode response = line.putObject("response").put("status_code", 400);
                response.putObject("body").putObject("error").put("message", "simulated failure of one batch request")
                        .put("type", "invalid_request_error");
                line.putNull("error");
                errors.append(line).append('\n');
            } else {
                line.putNull("response");
                line.putObject("error").put("code", b.cancelled ? "batch_cancelled" : "batch_expired")
                        .put("message", "This request could not be executed before the batch ended.");
                errors.append(line).append('\n');
            }
        }
        b.outputFile = newId("file-");
        files.put(b.outputFile, output.toString().getBytes(StandardCharsets.UTF_8));
        b.errorFile = newId("file-");
        files.put(b.errorFile, errors.toString().getBytes(StandardCharsets.UTF_8));
    }

    // ---- Mistral: batch jobs ----

    private void mistralJobs(HttpExchange e) throws IOException {
        if (!authorized(e, "Authorization")) {
            EndpointSimulator.respond(e, 401, error("missing or bad key"), null);
            return;
        }
        String path = e.getRequestURI().getPath().substring("/v1/batch/jobs".length());
        if (path.isEmpty() && "POST".equals(e.getRequestMethod())) {
            JsonNode request = json.readTree(e.getRequestBody().readAllBytes());
            byte[] file = files.get(request.path("input_files").path(0).asText());
            String model = request.path("model").asText("");
            if (file == null || model.isEmpty()) {
                EndpointSimulator.respond(e, 400, error("unknown input_files or no model"), null);
                return;
            }
            Batch b = register(Shape.MISTRAL, model, openAiLines(file, model, null), request.path("metadata"), "job_");
            created(e, mistralJob(b).toString());
        } else if (path.isEmpty()) {
            ObjectNode page = json.createObjectNode().put("object", "list");
            ArrayNode data = page.putArray("data");
            batches.values().stream().filter(b -> b.shape == Shape.MISTRAL).forEach(b -> data.add(mistralJob(b)));
            EndpointSimulator.respond(e, 200, page.toString(), null);
        } else {
            respondToBatch(e, path, this::mistralJob);
        }
    }

    private ObjectNode mistralJob(Batch b) {
        ObjectNode node = json.createObjectNode().put("id", b.id).put("object", "batch").put("model", b.model)
                .put("total_requests", b.requests.size());
        node.set("metadata", b.metadata);
        if (!ended(b)) {
            return node.put("status", "RUNNING").put("succeeded_requests", 0).put("failed_requests", 0);
        }
        List<Answer> answers = answers(b);
        writeOpenAiFiles(b, answers);
        boolean unfinished = answers.stream().anyMatch(Answer::unfinished);
        return node.put("status", b.cancelled ? "CANCELLED" : unfinished ? "TIMEOUT_EXCEEDED" : "SUCCESS")
                .put("succeeded_requests", answers.stream().filter(a -> a.text() != null).count())
                .put("failed_requests", answers.stream().filter(Answer::failed).count())
                .put("output_file", b.outputFile).put("error_file", b.errorFile);
    }

    // ---- Anthropic: Message Batches ----

    private void anthropicBatches(HttpExchange e) throws IOException {
        String key = e.getRequestHeaders().getFirst("x-api-key");
        if (key == null || !key.startsWith("sk-ant-") || e.getRequestHeaders().getFirst("anthropic-version") == null) {
            EndpointSimulator.respond(e, 401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}",
                    null);
            return;
        }
        String path = e.getRequestURI().getPath().substring("/v1/messages/batches".length());
        if (path.isEmpty() && "POST".equals(e.getRequestMethod())) {
            JsonNode request = json.readTree(e.getRequestBody().readAllBytes());
            List<Request> list = new ArrayList<>();
            for (JsonNode r : request.path("requests")) {
                String id = r.path("custom_id").asText("");
                if (!id.matches("[a-zA-Z0-9_-]{1,64}")) {
                    throw new IllegalArgumentException("custom_id must match ^[a-zA-Z0-9_-]{1,64}$");
                }
                JsonNode params = r.path("params");
                list.add(new Request(id, params.path("model").asText(""), EndpointSimulator.lastUserMessage(params), 0, false));
            }
            Batch b = register(Shape.ANTHROPIC, null, list, null, "msgbatch_");
            created(e, anthropicBatch(b, e).toString());
        } else if (path.isEmpty()) {
            ObjectNode page = json.createObjectNode();
            ArrayNode data = page.putArray("data");
            batches.values().stream().filter(b -> b.shape == Shape.ANTHROPIC).forEach(b -> data.add(anthropicBatch(b, e)));
            EndpointSimulator.respond(e, 200, page.toString(), null);
        } else if (path.endsWith("/results")) {
            Batch b = batches.get(path.substring(1, path.length() - "/results".length()));
            if (b == null || !ended(b)) {
                EndpointSimulator.respond(e, 404, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"no results\"}}", null);
                return;
            }
            StringBuilder lines = new StringBuilder();
            for (Answer a : answers(b)) {
                ObjectNode line = json.createObjectNode().put("custom_id", a.request().key());
                ObjectNode result = line.putObject("result");
                if (a.text() != null) {
                    ObjectNode message = result.put("type", "succeeded").putObject("message").put("id", "msg_" + a.request().key())
                            .put("type", "message").put("role", "assistant").put("model", a.request().model()).put("stop_reason", "end_turn");
                    message.putArray("content").addObject().put("type", "text").put("text", a.text());
                    message.putObject("usage").put("input_tokens", (a.request().prompt().length() + 3) / 4)
                            .put("output_tokens", (a.text().length() + 3) / 4);
                } else if (a.failed()) {
                    result.put("type", "errored").putObject("error").put("type", "error").putObject("error")
                            .put("type", "invalid_request_error").put("message", "simulated failure of one batch request");
                } else {
                    result.put("type", b.cancelled ? "canceled" : "expired");
                }
                lines.append(line).append('\n');
            }
            EndpointSimulator.respond(e, 200, lines.toString(), null);
        } else {
            boolean cancel = path.endsWith("/cancel");
            Batch b = batches.get(path.substring(1, cancel ? path.length() - "/cancel".length() : path.length()));
            if (b == null) {
                EndpointSimulator.respond(e, 404, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"no batch\"}}", null);
                return;
            }
            if (cancel && !ended(b)) {
                b.cancelled = true;
            }
            EndpointSimulator.respond(e, 200, anthropicBatch(b, e).toString(), null);
        }
    }

    private ObjectNode anthropicBatch(Batch b, HttpExchange e) {
        ObjectNode node = json.createObjectNode().put("id", b.id).put("type", "message_batch")
                .put("created_at", Instant.ofEpochMilli(b.createdMs).toString());
        ObjectNode counts = node.putObject("request_counts");
        if (!ended(b)) {
            counts.put("processing", b.requests.size()).put("succeeded", 0).put("errored", 0).put("canceled", 0).put("expired", 0);
            return node.put("processing_status", "in_progress").putNull("results_url");
        }
        List<Answer> answers = answers(b);
        counts.put("processing", 0).put("succeeded", answers.stream().filter(a -> a.text() != null).count())
                .put("errored", answers.stream().filter(Answer::failed).count())
                .put("canceled", b.cancelled ? answers.stream().filter(Answer::unfinished).count() : 0)
                .put("expired", b.cancelled ? 0 : answers.stream().filter(Answer::unfinished).count());
        String host = "http://127.0.0.1:" + e.getLocalAddress().getPort();
        return node.put("processing_status", "ended").put("results_url", host + "/v1/messages/batches/" + b.id + "/results");
    }

    // ---- Gemini: batchGenerateContent ----

    /** {@code POST /v1beta/models/{model}:batchGenerateContent} (routed here by the generateContent endpoint). */
    void geminiCreate(HttpExchange e, String model) throws IOException {
        handleCounted(e, () -> {
            String key = e.getRequestHeaders().getFirst("x-goog-api-key");
            if (key == null || key.isBlank()) {
                EndpointSimulator.respond(e, 400, "{\"error\":{\"code\":400,\"status\":\"INVALID_ARGUMENT\",\"message\":\"API key not valid\"}}", null);
                return;
            }
            JsonNode batch = json.readTree(e.getRequestBody().readAllBytes()).path("batch");
            List<Request> list = new ArrayList<>();
            for (JsonNode item : batch.path("inputConfig").path("requests").path("requests")) {
                JsonNode request = item.path("request");
                StringBuilder prompt = new StringBuilder();
                for (JsonNode content : request.path("contents")) {
                    prompt.setLength(0);
                    content.path("parts").forEach(part -> prompt.append(part.path("text").asText("")));
                }
                JsonNode config = request.path("generationConfig");
                list.add(new Request(item.path("metadata").path("key").asText(), model, prompt.toString(), config.path("seed").asLong(0),
                        "application/json".equals(config.path("responseMimeType").asText())));
            }
            ObjectNode metadata = json.createObjectNode().put("displayName", batch.path("displayName").asText(""));
            Batch b = register(Shape.GEMINI, model, list, metadata, "batches/");
            created(e, geminiOperation(b).toString());
        });
    }

    private void geminiBatches(HttpExchange e) throws IOException {
        if (e.getRequestHeaders().getFirst("x-goog-api-key") == null) {
            EndpointSimulator.respond(e, 400, "{\"error\":{\"code\":400,\"status\":\"INVALID_ARGUMENT\",\"message\":\"API key not valid\"}}", null);
            return;
        }
        String path = e.getRequestURI().getPath().substring("/v1beta/".length());
        if (path.equals("batches")) {
            ObjectNode page = json.createObjectNode();
            ArrayNode operations = page.putArray("operations");
            batches.values().stream().filter(b -> b.shape == Shape.GEMINI).forEach(b -> operations.add(geminiOperation(b)));
            EndpointSimulator.respond(e, 200, page.toString(), null);
            return;
        }
        boolean cancel = path.endsWith(":cancel");
        Batch b = batches.get(cancel ? path.substring(0, path.length() - ":cancel".length()) : path);
        if (b == null) {
            EndpointSimulator.respond(e, 404, "{\"error\":{\"code\":404,\"status\":\"NOT_FOUND\",\"message\":\"no such batch\"}}", null);
            return;
        }
        if (cancel) {
            b.cancelled = !ended(b) || b.cancelled;
            EndpointSimulator.respond(e, 200, "{}", null);
            return;
        }
        EndpointSimulator.respond(e, 200, geminiOperation(b).toString(), null);
    }

    private ObjectNode geminiOperation(Batch b) {
        ObjectNode operation = json.createObjectNode().put("name", b.id);
        ObjectNode metadata = operation.putObject("metadata").put("@type", "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch")
                .put("model", "models/" + b.model).put("displayName", b.metadata.path("displayName").asText())
                .put("createTime", Instant.ofEpochMilli(b.createdMs).toString());
        ObjectNode stats = metadata.putObject("batchStats").put("requestCount", b.requests.size());
        if (!ended(b)) {
            metadata.put("state", "BATCH_STATE_RUNNING");
            return operation.put("done", false);
        }
        List<Answer> answers = answers(b);
        boolean unfinished = answers.stream().anyMatch(Answer::unfinished);
        metadata.put("state", b.cancelled ? "BATCH_STATE_CANCELLED" : unfinished ? "BATCH_STATE_EXPIRED" : "BATCH_STATE_SUCCEEDED");
        stats.put("successfulRequestCount", answers.stream().filter(a -> a.text() != null).count())
                .put("failedRequestCount", answers.stream().filter(Answer::failed).count());
        ArrayNode inlined = operation.put("done", true).putObject("response").put("@type", "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput")
                .putObject("inlinedResponses").putArray("inlinedResponses");
        for (Answer a : answers) {
            if (a.unfinished()) {
                continue; // an expired batch answers only what it finished
            }
            ObjectNode item = inlined.addObject();
            item.putObject("metadata").put("key", a.request().key());
            if (a.failed()) {
                item.putObject("error").put("code", 3).put("status", "INVALID_ARGUMENT").put("message", "simulated failure of one batch request");
            } else {
                ObjectNode response = item.putObject("response");
                ObjectNode candidate = response.putArray("candidates").addObject().put("finishReason", "STOP");
                candidate.putObject("content").put("role", "model").putArray("parts").addObject().put("text", a.text());
                response.putObject("usageMetadata").put("promptTokenCount", (a.request().prompt().length() + 3) / 4)
                        .put("candidatesTokenCount", (a.text().length() + 3) / 4);
            }
        }
        return operation;
    }
}
