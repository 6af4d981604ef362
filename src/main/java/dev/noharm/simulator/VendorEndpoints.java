package dev.noharm.simulator;

import static dev.noharm.simulator.EndpointSimulator.respond;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The simulator's endpoints for Azure OpenAI, Gemini, Ollama and Amazon Bedrock: each provider's own wire
 * format for requests, answers, usage and errors, over the same personas, rate limits and latency as the
 * chat-completions endpoint. Thinking is simulated for models named {@code *-reasoner*} (Gemini's
 * thought parts and count), to check that hidden reasoning is never taken for the answer.
 */
final class VendorEndpoints {
    private final EndpointSimulator sim;

    VendorEndpoints(EndpointSimulator sim) {
        this.sim = sim;
    }

    /** Azure OpenAI's v1 API: OpenAI's chat completions, with the key in {@code api-key} and no bearer token. */
    void azureChat(HttpExchange exchange) throws IOException {
        sim.countReceived();
        String key = exchange.getRequestHeaders().getFirst("api-key");
        if (key == null || key.isBlank() || exchange.getRequestHeaders().containsKey("Authorization")) {
            ObjectNode body = sim.json().createObjectNode();
            body.putObject("error").put("code", "401")
                    .put("message", "Access denied due to invalid subscription key or wrong API endpoint.");
            respond(exchange, 401, body.toString(), null);
            return;
        }
        sim.chatCompletions(exchange);
    }

    /**
     * Gemini's {@code POST /v1beta/models/<model>:generateContent} with {@code x-goog-api-key}: candidates of
     * parts, {@code finishReason}, {@code usageMetadata}; errors as {@code {"error": {"code", "status", ...}}},
     * a 429 carrying its wait as a {@code RetryInfo.retryDelay} rather than a header.
     */
    void geminiGenerateContent(HttpExchange exchange) throws IOException {
        sim.countReceived();
        String path = exchange.getRequestURI().getPath();
        int colon = path.lastIndexOf(':');
        if (colon > 0 && path.endsWith(":batchGenerateContent")) {
            sim.batches().geminiCreate(exchange, path.substring("/v1beta/models/".length(), colon));
            return;
        }
        if (colon < 0 || !path.endsWith(":generateContent")) {
            respond(exchange, 404, googleError(404, "NOT_FOUND", "unknown method " + path, null), null);
            return;
        }
        String model = path.substring("/v1beta/models/".length(), colon);
        String key = exchange.getRequestHeaders().getFirst("x-goog-api-key");
        if (key == null || key.isBlank()) {
            respond(exchange, 400, googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                    "API_KEY_INVALID"), null);
            return;
        }
        JsonNode request = sim.json().readTree(exchange.getRequestBody().readAllBytes());
        StringBuilder prompt = new StringBuilder();
        for (JsonNode content : request.path("contents")) {
            if ("user".equals(content.path("role").asText("user"))) {
                prompt.setLength(0);
                content.path("parts").forEach(part -> prompt.append(part.path("text").asText("")));
            }
        }
        JsonNode config = request.path("generationConfig");
        boolean structured = "application/json".equals(config.path("responseMimeType").asText());
        EndpointSimulator.Outcome outcome = sim.simulate(model, prompt.toString(), config.path("seed").asLong(0), structured);
        if (outcome.status() == 404) {
            respond(exchange, 404, googleError(404, "NOT_FOUND", "models/" + model + " is not found", null), null);
            return;
        }
        if (outcome.status() == 429) {
            ObjectNode body = sim.json().createObjectNode();
            ObjectNode error = body.putObject("error").put("code", 429).put("status", "RESOURCE_EXHAUSTED")
                    .put("message", "Resource has been exhausted (e.g. check quota).");
            error.putArray("details").addObject().put("@type", "type.googleapis.com/google.rpc.RetryInfo")
                    .put("retryDelay", outcome.admission().retryAfterSeconds() + "s");
            respond(exchange, 429, body.toString(), null);
            return;
        }
        boolean thinks = model.contains("-reasoner");
        String thought = "Weigh each option: [1] first, then the harm of omitting each one.";
        ObjectNode body = sim.json().createObjectNode();
        ObjectNode candidate = body.putArray("candidates").addObject();
        ObjectNode content = candidate.putObject("content").put("role", "model");
        if (thinks) {
            content.withArray("parts").addObject().put("text", thought).put("thought", true);
        }
        content.withArray("parts").addObject().put("text", outcome.text());
        candidate.put("finishReason", "STOP").put("index", 0);
        long promptTokens = (prompt.length() + 3) / 4;
        long thoughtTokens = thinks ? (thought.length() + 3) / 4 : 0;
        long answerTokens = (outcome.text().length() + 3) / 4;
        ObjectNode usage = body.putObject("usageMetadata").put("promptTokenCount", promptTokens)
                .put("candidatesTokenCount", answerTokens).put("totalTokenCount", promptTokens + answerTokens + thoughtTokens);
        if (thinks) {
            usage.put("thoughtsTokenCount", thoughtTokens);
        }
        body.put("modelVersion", model);
        respond(exchange, 200, body.toString(), null);
    }

    private String googleError(int code, String status, String message, String reason) {
        ObjectNode body = sim.json().createObjectNode();
        ObjectNode error = body.putObject("error").put("code", code).put("message", message).put("status", status);
        if (reason != null) {
            error.putArray("details").addObject().put("@type", "type.googleapis.com/google.rpc.ErrorInfo").put("reason", reason);
        }
        return body.toString();
    }

    /**
     * Ollama's {@code POST /api/chat} (non-streaming): {@code message.content}, {@code done_reason},
     * {@code prompt_eval_count} and {@code eval_count}; errors as {@code {"error": "..."}}. Ollama queues rather
     * than rate-limits; past its queue it answers 503 "server busy", which is what the limit gives here.
     */
    void ollamaChat(HttpExchange exchange) throws IOException {
        sim.countReceived();
        JsonNode request = sim.json().readTree(exchange.getRequestBody().readAllBytes());
        String model = request.path("model").asText("");
        String prompt = EndpointSimulator.lastUserMessage(request);
        boolean structured = request.hasNonNull("format");
        EndpointSimulator.Outcome outcome = sim.simulate(model, prompt, request.path("options").path("seed").asLong(0), structured);
        if (outcome.status() == 404) {
            respond(exchange, 404, ollamaError("model \"" + model + "\" not found, try pulling it first"), null);
            return;
        }
        if (outcome.status() == 429) {
            respond(exchange, 503, ollamaError("server busy, please try again.  maximum pending requests exceeded"), null);
            return;
        }
        ObjectNode body = sim.json().createObjectNode().put("model", model).put("created_at", java.time.Instant.now().toString());
        body.putObject("message").put("role", "assistant").put("content", outcome.text());
        body.put("done", true).put("done_reason", "stop")
                .put("prompt_eval_count", (prompt.length() + 3) / 4).put("eval_count", (outcome.text().length() + 3) / 4);
        respond(exchange, 200, body.toString(), null);
    }

    private String ollamaError(String message) {
        return sim.json().createObjectNode().put("error", message).toString();
    }

    /**
     * Bedrock's Converse API, {@code POST /model/<modelId>/converse}, signed with SigV4 (the signature is not
     * checked, its presence is): {@code output.message.content[].text}, {@code stopReason}, {@code usage};
     * errors named by the {@code x-amzn-ErrorType} header, as the AWS SDK reads them.
     */
    void bedrockConverse(HttpExchange exchange) throws IOException {
        sim.countReceived();
        String rawPath = exchange.getRequestURI().getRawPath();
        if (!rawPath.endsWith("/converse")) {
            respond(exchange, 404, awsError("UnknownOperationException"), null, Map.of("x-amzn-ErrorType", "UnknownOperationException"));
            return;
        }
        String model = URLDecoder.decode(rawPath.substring("/model/".length(), rawPath.length() - "/converse".length()),
                StandardCharsets.UTF_8);
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256 Credential=")) {
            respond(exchange, 403, awsError("The security token included in the request is invalid."), null,
                    Map.of("x-amzn-ErrorType", "UnrecognizedClientException"));
            return;
        }
        JsonNode request = sim.json().readTree(exchange.getRequestBody().readAllBytes());
        String prompt = "";
        for (JsonNode message : request.path("messages")) {
            if ("user".equals(message.path("role").asText())) {
                prompt = message.path("content").path(0).path("text").asText("");
            }
        }
        EndpointSimulator.Outcome outcome = sim.simulate(model, prompt, 0, false);
        if (outcome.status() == 404) {
            respond(exchange, 400, awsError("The provided model identifier is invalid."), null,
                    Map.of("x-amzn-ErrorType", "ValidationException"));
            return;
        }
        if (outcome.status() == 429) {
            respond(exchange, 429, awsError("Too many requests, please wait before trying again."), null,
                    Map.of("x-amzn-ErrorType", "ThrottlingException"));
            return;
        }
        ObjectNode body = sim.json().createObjectNode();
        body.putObject("output").putObject("message").put("role", "assistant")
                .putArray("content").addObject().put("text", outcome.text());
        long in = (prompt.length() + 3) / 4;
        long out = (outcome.text().length() + 3) / 4;
        body.put("stopReason", "end_turn");
        body.putObject("usage").put("inputTokens", in).put("outputTokens", out).put("totalTokens", in + out);
        body.putObject("metrics").put("latencyMs", 1);
        respond(exchange, 200, body.toString(), null);
    }

    private String awsError(String message) {
        return sim.json().createObjectNode().put("message", message).toString();
    }
}
