package dev.noharm.generation.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.provider.ChatResult;
import dev.noharm.generation.provider.InlineReasoning;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gemini's batch mode: {@code POST /models/{model}:batchGenerateContent} with the requests inline, each a
 * generateContent request carrying its work key as metadata; the batch ({@code batches/...}, a long-running operation)
 * is polled until its state is final, and the inlined responses are read from it. The pipeline's batch id is the
 * batch's display name, so {@link #find} recognises it. Inline requests keep a batch under 20 MB; larger runs are split
 * into several batches ({@link #limits}).
 */
final class GeminiBatches implements BatchProtocol {
    private static final List<String> FINAL = List.of("BATCH_STATE_SUCCEEDED", "BATCH_STATE_FAILED", "BATCH_STATE_CANCELLED",
            "BATCH_STATE_EXPIRED", "JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED");

    private final ModelSpec model;
    private final String base;
    private final BatchHttp http;

    GeminiBatches(ModelSpec model, String key) {
        this.model = model;
        String url = model.baseUrl() != null ? model.baseUrl() : "https://generativelanguage.googleapis.com/v1beta";
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.http = new BatchHttp(Map.of("x-goog-api-key", key), Duration.ofSeconds(Math.max(60, model.params().timeoutSeconds())));
    }

    @Override
    public String name() {
        return "gemini";
    }

    @Override
    public Limits limits() {
        return new Limits(10_000, 20L << 20);
    }

    static String displayName(String batchId) {
        return "noharm-" + batchId;
    }

    ObjectNode body(String batchId, List<BatchRequest> requests) {
        ObjectNode root = BatchHttp.JSON.createObjectNode();
        ObjectNode batch = root.putObject("batch").put("displayName", displayName(batchId));
        ArrayNode list = batch.putObject("inputConfig").putObject("requests").putArray("requests");
        ModelSpec.RequestParams p = model.params();
        for (BatchRequest request : requests) {
            ObjectNode item = list.addObject();
            ObjectNode content = item.putObject("request");
            content.putArray("contents").addObject().put("role", "user").putArray("parts").addObject().put("text", request.prompt());
            ObjectNode config = content.putObject("generationConfig").put("maxOutputTokens", p.maxOutputTokens());
            if (p.temperature() != null) {
                config.put("temperature", p.temperature());
            }
            Integer seed = p.seedFor(request.sampleIndex());
            if (seed != null) {
                config.put("seed", seed);
            }
            if (!"text".equals(p.responseFormat())) {
                config.put("responseMimeType", "application/json");
            }
            item.putObject("metadata").put("key", request.workKey());
        }
        return root;
    }

    @Override
    public String submit(String batchId, List<BatchRequest> requests) {
        JsonNode operation = http.createOnce(base + "/models/" + model.modelName() + ":batchGenerateContent", body(batchId, requests));
        return OpenAiBatches.required(operation, "name", "batch creation");
    }

    @Override
    public Lookup find(String batchId, Set<String> workKeys, Instant submittedAt, Collection<String> known) {
        Instant oldest = submittedAt.minus(Duration.ofHours(1));
        String token = null;
        for (int page = 1; page <= 1000; page++) {
            JsonNode list = http.get(base + "/batches?pageSize=100" + (token == null ? "" : "&pageToken=" + token));
            Instant last = Instant.MAX;
            for (JsonNode operation : list.path("operations")) {
                String name = operation.path("name").asText();
                JsonNode batch = batch(operation);
                if (batch.hasNonNull("createTime")) {
                    last = Instant.parse(batch.path("createTime").asText());
                }
                if (!known.contains(name) && displayName(batchId).equals(batch.path("displayName").asText(null))) {
                    return new Found(name);
                }
            }
            token = list.path("nextPageToken").asText("");
            if (last.isBefore(oldest) || token.isEmpty()) {
                return new NotFound();
            }
        }
        return new Undecided("more than 1000 pages of batches");
    }

    /** The batch itself: an operation's metadata, or the object when the server answers with the batch directly. */
    private static JsonNode batch(JsonNode operation) {
        return operation.has("metadata") ? operation.path("metadata") : operation;
    }

    @Override
    public BatchStatus status(String providerBatchId) {
        JsonNode batch = batch(http.get(base + "/" + providerBatchId));
        String state = batch.path("state").asText("");
        JsonNode stats = batch.path("batchStats");
        return new BatchStatus(FINAL.contains(state), stats.path("requestCount").asInt(), stats.path("successfulRequestCount").asInt(),
                stats.path("failedRequestCount").asInt(), state);
    }

    @Override
    public List<BatchResult> results(String providerBatchId) {
        JsonNode operation = http.get(base + "/" + providerBatchId);
        JsonNode inlined = operation.path("response").path("inlinedResponses").path("inlinedResponses");
        if (!inlined.isArray()) {
            inlined = batch(operation).path("output").path("inlinedResponses").path("inlinedResponses");
        }
        List<BatchResult> results = new ArrayList<>();
        for (JsonNode item : inlined) {
            results.add(result(item));
        }
        return results;
    }

    static BatchResult result(JsonNode item) {
        String key = item.path("metadata").path("key").asText();
        JsonNode error = item.path("error");
        if (!error.isMissingNode() && !error.isNull()) {
            int code = error.path("code").asInt(0);
            String kind = code == 8 || code == 429 ? "rate_limited" : code == 13 || code == 14 || code / 100 == 5 ? "server_error"
                    : code == 7 || code == 16 ? "auth" : "client_error";
            return BatchResult.errored(key, kind, error.path("status").asText("") + ": " + error.path("message").asText(""), null);
        }
        JsonNode response = item.path("response");
        JsonNode candidate = response.path("candidates").path(0);
        StringBuilder text = new StringBuilder();
        for (JsonNode part : candidate.path("content").path("parts")) {
            if (!part.path("thought").asBoolean(false)) {
                text.append(part.path("text").asText(""));
            }
        }
        JsonNode usage = response.path("usageMetadata");
        long thoughts = usage.path("thoughtsTokenCount").asLong(-1);
        long candidates = usage.path("candidatesTokenCount").asLong(-1);
        long output = candidates < 0 ? -1 : candidates + Math.max(0, thoughts);
        return BatchResult.succeeded(key, new ChatResult(InlineReasoning.strip(text.toString()),
                finishReason(candidate.path("finishReason").asText(null)), usage.path("promptTokenCount").asLong(-1), output, thoughts, -1));
    }

    private static String finishReason(String reason) {
        if (reason == null) {
            return null;
        }
        return switch (reason) {
            case "STOP" -> "stop";
            case "MAX_TOKENS" -> "length";
            case "SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION" -> "content_filter";
            default -> "other";
        };
    }

    @Override
    public void cancel(String providerBatchId) {
        http.post(base + "/" + providerBatchId + ":cancel", "{}");
    }
}
