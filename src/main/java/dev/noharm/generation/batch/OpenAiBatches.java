package dev.noharm.generation.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.provider.ChatResult;
import dev.noharm.generation.provider.InlineReasoning;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI's Batch API and the two that share its file shape: a JSON Lines file of chat-completions requests is
 * uploaded ({@code POST /files}, purpose {@code batch}), a batch is created over it, polled, and its output and error
 * files are read. Azure OpenAI's v1 API is the same protocol at the resource's URL with an {@code api-key} header;
 * Mistral's batch jobs take the same files (without a model per line) at {@code /batch/jobs}.
 */
final class OpenAiBatches implements BatchProtocol {
    /** The pipeline's batch id in the provider's metadata, to find a batch whose id a dead driver never recorded. */
    static final String METADATA_KEY = "noharm_batch_id";

    private enum Flavor {
        OPENAI("openai", "https://api.openai.com/v1", "/v1/chat/completions", new Limits(50_000, 200L << 20)),
        AZURE("azure-openai", null, "/chat/completions", new Limits(100_000, 200L << 20)),
        MISTRAL("mistral", "https://api.mistral.ai/v1", "/v1/chat/completions", new Limits(100_000, 200L << 20));

        final String protocol;
        final String defaultBaseUrl;
        final String endpoint;
        final Limits limits;

        Flavor(String protocol, String defaultBaseUrl, String endpoint, Limits limits) {
            this.protocol = protocol;
            this.defaultBaseUrl = defaultBaseUrl;
            this.endpoint = endpoint;
            this.limits = limits;
        }
    }

    private final Flavor flavor;
    private final ModelSpec model;
    private final String base;
    private final BatchHttp http;

    private OpenAiBatches(Flavor flavor, ModelSpec model, Map<String, String> auth) {
        this.flavor = flavor;
        this.model = model;
        String url = model.baseUrl() != null ? model.baseUrl() : flavor.defaultBaseUrl;
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.http = new BatchHttp(auth, Duration.ofSeconds(Math.max(60, model.params().timeoutSeconds())));
    }

    static OpenAiBatches openAi(ModelSpec model, String key) {
        return new OpenAiBatches(Flavor.OPENAI, model, key == null ? Map.of() : Map.of("Authorization", "Bearer " + key));
    }

    static OpenAiBatches azure(ModelSpec model, String key) {
        return new OpenAiBatches(Flavor.AZURE, model, Map.of("api-key", key));
    }

    static OpenAiBatches mistral(ModelSpec model, String key) {
        return new OpenAiBatches(Flavor.MISTRAL, model, Map.of("Authorization", "Bearer " + key));
    }

    @Override
    public String name() {
        return flavor.protocol;
    }

    @Override
    public Limits limits() {
        return flavor.limits;
    }

    /** The JSON Lines file of {@code requests}: one chat-completions request per line, named by its work key. */
    byte[] inputFile(List<BatchRequest> requests) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (BatchRequest request : requests) {
            ObjectNode line = BatchHttp.JSON.createObjectNode().put("custom_id", request.workKey());
            if (flavor != Flavor.MISTRAL) {
                line.put("method", "POST").put("url", flavor.endpoint);
            }
            line.set("body", body(request));
            out.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private ObjectNode body(BatchRequest request) {
        ModelSpec.RequestParams p = model.params();
        ObjectNode body = BatchHttp.JSON.createObjectNode();
        if (flavor != Flavor.MISTRAL) {
            body.put("model", model.modelName());
        }
        body.putArray("messages").addObject().put("role", "user").put("content", request.prompt());
        body.put("max_tokens", p.maxOutputTokens());
        if (p.temperature() != null) {
            body.put("temperature", p.temperature());
        }
        Integer seed = p.seedFor(request.sampleIndex());
        if (seed != null) {
            body.put(flavor == Flavor.MISTRAL ? "random_seed" : "seed", seed);
        }
        if ("json_object".equals(p.responseFormat())) {
            body.putObject("response_format").put("type", "json_object");
        }
        return body;
    }

    @Override
    public String submit(String batchId, List<BatchRequest> requests) {
        JsonNode file = http.upload(base + "/files", Map.of("purpose", "batch"), "noharm-" + batchId + ".jsonl", inputFile(requests));
        String fileId = required(file, "id", "file upload");
        ObjectNode create = BatchHttp.JSON.createObjectNode();
        if (flavor == Flavor.MISTRAL) {
            create.putArray("input_files").add(fileId);
            create.put("model", model.modelName()).put("endpoint", flavor.endpoint);
        } else {
            create.put("input_file_id", fileId).put("endpoint", flavor.endpoint).put("completion_window", "24h");
        }
        create.putObject("metadata").put(METADATA_KEY, batchId);
        return required(http.createOnce(base + batchesPath(), create), "id", "batch creation");
    }

    private String batchesPath() {
        return flavor == Flavor.MISTRAL ? "/batch/jobs" : "/batches";
    }

    @Override
    public Lookup find(String batchId, Set<String> workKeys, Instant submittedAt, Collection<String> known) {
        long oldest = submittedAt.minus(Duration.ofHours(1)).getEpochSecond();
        String after = null;
        for (int page = 1; page <= 1000; page++) {
            String query = flavor == Flavor.MISTRAL ? "?page_size=100&page=" + (page - 1) : "?limit=100" + (after == null ? "" : "&after=" + after);
            JsonNode list = http.get(base + batchesPath() + query);
            JsonNode data = list.path("data");
            for (JsonNode batch : data) {
                if (batchId.equals(batch.path("metadata").path(METADATA_KEY).asText(null)) && !known.contains(batch.path("id").asText())) {
                    return new Found(batch.path("id").asText());
                }
            }
            // Newest first: once a page reaches well before the submission, the batch is not further back.
            boolean older = data.size() > 0 && createdAt(data.get(data.size() - 1)) < oldest;
            boolean more = flavor == Flavor.MISTRAL ? data.size() > 0 && page * 100L < list.path("total").asLong(0)
                    : list.path("has_more").asBoolean(false);
            if (older || !more) {
                return new NotFound();
            }
            after = data.get(data.size() - 1).path("id").asText();
        }
        return new Undecided("more than 1000 pages of batches");
    }

    private static long createdAt(JsonNode batch) {
        JsonNode created = batch.path("created_at");
        return created.isNumber() ? created.asLong() : created.isTextual() ? Instant.parse(created.asText()).getEpochSecond() : Long.MAX_VALUE;
    }

    @Override
    public BatchStatus status(String providerBatchId) {
        JsonNode batch = http.get(base + batchesPath() + "/" + providerBatchId);
        if (flavor == Flavor.MISTRAL) {
            String state = batch.path("status").asText("");
            boolean ended = List.of("SUCCESS", "FAILED", "TIMEOUT_EXCEEDED", "CANCELLED").contains(state);
            return new BatchStatus(ended, batch.path("total_requests").asInt(), batch.path("succeeded_requests").asInt(),
                    batch.path("failed_requests").asInt(), state);
        }
        String state = batch.path("status").asText("");
        boolean ended = List.of("completed", "failed", "expired", "cancelled").contains(state);
        JsonNode counts = batch.path("request_counts");
        return new BatchStatus(ended, counts.path("total").asInt(), counts.path("completed").asInt(), counts.path("failed").asInt(), state);
    }

    @Override
    public List<BatchResult> results(String providerBatchId) {
        JsonNode batch = http.get(base + batchesPath() + "/" + providerBatchId);
        List<BatchResult> results = new ArrayList<>();
        for (String field : flavor == Flavor.MISTRAL ? List.of("output_file", "error_file") : List.of("output_file_id", "error_file_id")) {
            String fileId = BatchHttp.text(batch, field);
            if (fileId != null) {
                http.getJsonLines(base + "/files/" + fileId + "/content").forEach(line -> results.add(result(line)));
            }
        }
        return results;
    }

    /** One line of an output or error file. */
    static BatchResult result(JsonNode node) {
        String key = node.path("custom_id").asText();
        JsonNode error = node.path("error");
        if (!error.isMissingNode() && !error.isNull()) {
            String code = error.path("code").asText("");
            if (code.equals("batch_expired") || code.equals("batch_cancelled")) {
                return BatchResult.unfinished(key, code);
            }
            return BatchResult.errored(key, "client_error", code + ": " + error.path("message").asText(""), null);
        }
        JsonNode response = node.path("response");
        int status = response.path("status_code").asInt(0);
        JsonNode body = response.path("body");
        if (status / 100 != 2) {
            String kind = status == 429 ? "rate_limited" : status / 100 == 5 ? "server_error" : status == 401 || status == 403 ? "auth"
                    : "client_error";
            return BatchResult.errored(key, kind, "HTTP " + status + ": " + BatchHttp.abbreviate(body.path("error").path("message")
                    .asText(body.toString())), status == 0 ? null : status);
        }
        JsonNode choice = body.path("choices").path(0);
        String text = choice.path("message").path("content").asText(null);
        JsonNode usage = body.path("usage");
        return BatchResult.succeeded(key, new ChatResult(InlineReasoning.strip(text), finishReason(choice.path("finish_reason").asText(null)),
                usage.path("prompt_tokens").asLong(-1), usage.path("completion_tokens").asLong(-1),
                usage.path("completion_tokens_details").path("reasoning_tokens").asLong(-1), -1));
    }

    /** As the real-time providers store it (LangChain4j's names, lower-cased). */
    private static String finishReason(String reason) {
        if (reason == null) {
            return null;
        }
        return switch (reason) {
            case "stop" -> "stop";
            case "length", "model_length" -> "length";
            case "content_filter" -> "content_filter";
            case "tool_calls" -> "tool_execution";
            default -> "other";
        };
    }

    @Override
    public void cancel(String providerBatchId) {
        http.post(base + batchesPath() + "/" + providerBatchId + "/cancel", "{}");
    }

    static String required(JsonNode node, String field, String what) {
        String value = node.path(field).asText(null);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(what + ": the answer has no " + field + ": " + BatchHttp.abbreviate(node.toString()));
        }
        return value;
    }
}
