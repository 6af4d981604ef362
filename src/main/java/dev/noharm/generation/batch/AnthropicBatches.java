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
 * Anthropic's Message Batches: the requests go inline in one {@code POST /messages/batches}, each a messages request
 * named by its work key; the batch is polled until {@code processing_status} is {@code ended}, and its results are read
 * as JSON Lines from {@code results_url}. Anthropic keeps no metadata on a batch, so {@link #find} recognises one by
 * its creation time and request count.
 */
final class AnthropicBatches implements BatchProtocol {
    private static final String VERSION = "2023-06-01";

    private final ModelSpec model;
    private final String base;
    private final BatchHttp http;
    /** Ended candidates whose results did not match, so a lookup repeated at every poll downloads them once. */
    private final Set<String> rejected = new java.util.HashSet<>();

    AnthropicBatches(ModelSpec model, String key) {
        this.model = model;
        String url = model.baseUrl() != null ? model.baseUrl() : "https://api.anthropic.com/v1";
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.http = new BatchHttp(Map.of("x-api-key", key, "anthropic-version", VERSION),
                Duration.ofSeconds(Math.max(60, model.params().timeoutSeconds())));
    }

    @Override
    public String name() {
        return "anthropic";
    }

    @Override
    public Limits limits() {
        return new Limits(100_000, 256L << 20);
    }

    ObjectNode body(List<BatchRequest> requests) {
        ObjectNode body = BatchHttp.JSON.createObjectNode();
        ArrayNode list = body.putArray("requests");
        ModelSpec.RequestParams p = model.params();
        for (BatchRequest request : requests) {
            ObjectNode params = list.addObject().put("custom_id", request.workKey()).putObject("params");
            params.put("model", model.modelName()).put("max_tokens", p.maxOutputTokens());
            if (p.temperature() != null) {
                params.put("temperature", p.temperature());
            }
            params.putArray("messages").addObject().put("role", "user").put("content", request.prompt());
        }
        return body;
    }

    @Override
    public String submit(String batchId, List<BatchRequest> requests) {
        return OpenAiBatches.required(http.createOnce(base + "/messages/batches", body(requests)), "id", "batch creation");
    }

    /**
     * Anthropic keeps no metadata on a batch, so a candidate is an unknown batch of the same size created within two hours
     * of the submission; it is adopted only once it has ended and its results' custom ids are exactly the work keys.
     * A candidate still running makes the answer {@link Undecided}: look again at the next poll.
     */
    @Override
    public Lookup find(String batchId, Set<String> workKeys, Instant submittedAt, Collection<String> known) {
        // Wide on both sides (the submitting driver's clock may be off): the results' keys decide, not the time.
        Instant from = submittedAt.minus(Duration.ofHours(2));
        Instant to = submittedAt.plus(Duration.ofHours(2));
        String after = null;
        boolean running = false;
        for (int page = 1; page <= 1000; page++) {
            JsonNode list = http.get(base + "/messages/batches?limit=100" + (after == null ? "" : "&after_id=" + after));
            Instant last = Instant.MAX;
            for (JsonNode batch : list.path("data")) {
                String id = batch.path("id").asText();
                Instant created = Instant.parse(batch.path("created_at").asText("1970-01-01T00:00:00Z"));
                last = created;
                if (known.contains(id) || rejected.contains(id) || created.isBefore(from) || created.isAfter(to) || total(batch.path("request_counts")) != workKeys.size()) {
                    continue;
                }
                if (!"ended".equals(batch.path("processing_status").asText())) {
                    running = true;
                    continue;
                }
                Set<String> ids = new java.util.HashSet<>();
                results(id).forEach(r -> ids.add(r.workKey()));
                if (ids.equals(workKeys)) {
                    return new Found(id);
                }
                rejected.add(id);
            }
            if (last.isBefore(from) || !list.path("has_more").asBoolean(false)) {
                return running ? new Undecided("a batch of the same size, created then, is still running") : new NotFound();
            }
            after = list.path("last_id").asText();
        }
        return new Undecided("more than 1000 pages of batches");
    }

    private static int total(JsonNode counts) {
        return counts.path("processing").asInt() + counts.path("succeeded").asInt() + counts.path("errored").asInt()
                + counts.path("canceled").asInt() + counts.path("expired").asInt();
    }

    @Override
    public BatchStatus status(String providerBatchId) {
        JsonNode batch = http.get(base + "/messages/batches/" + providerBatchId);
        JsonNode counts = batch.path("request_counts");
        String state = batch.path("processing_status").asText("");
        return new BatchStatus(state.equals("ended"), total(counts), counts.path("succeeded").asInt(), counts.path("errored").asInt(), state);
    }

    @Override
    public List<BatchResult> results(String providerBatchId) {
        JsonNode batch = http.get(base + "/messages/batches/" + providerBatchId);
        String url = BatchHttp.text(batch, "results_url");
        List<BatchResult> results = new ArrayList<>();
        if (url != null) {
            http.getJsonLines(url).forEach(line -> results.add(result(line)));
        }
        return results;
    }

    static BatchResult result(JsonNode node) {
        String key = node.path("custom_id").asText();
        JsonNode result = node.path("result");
        return switch (result.path("type").asText("")) {
            case "succeeded" -> {
                JsonNode message = result.path("message");
                StringBuilder text = new StringBuilder();
                for (JsonNode block : message.path("content")) {
                    if ("text".equals(block.path("type").asText())) {
                        text.append(block.path("text").asText());
                    }
                }
                JsonNode usage = message.path("usage");
                yield BatchResult.succeeded(key, new ChatResult(InlineReasoning.strip(text.toString()),
                        finishReason(message.path("stop_reason").asText(null)), usage.path("input_tokens").asLong(-1),
                        usage.path("output_tokens").asLong(-1), -1, -1));
            }
            case "errored" -> {
                JsonNode error = result.path("error").path("error").isMissingNode() ? result.path("error") : result.path("error").path("error");
                String type = error.path("type").asText("");
                String kind = switch (type) {
                    case "rate_limit_error" -> "rate_limited";
                    case "api_error", "overloaded_error" -> "server_error";
                    case "authentication_error", "permission_error" -> "auth";
                    default -> "client_error";
                };
                yield BatchResult.errored(key, kind, type + ": " + error.path("message").asText(""), null);
            }
            case "canceled", "expired" -> BatchResult.unfinished(key, result.path("type").asText());
            default -> throw new IllegalStateException("batch result of unknown type: " + BatchHttp.abbreviate(node.toString()));
        };
    }

    private static String finishReason(String reason) {
        if (reason == null) {
            return null;
        }
        return switch (reason) {
            case "end_turn", "stop_sequence" -> "stop";
            case "max_tokens" -> "length";
            case "tool_use" -> "tool_execution";
            default -> "other";
        };
    }

    @Override
    public void cancel(String providerBatchId) {
        http.post(base + "/messages/batches/" + providerBatchId + "/cancel", "{}");
    }
}
