package dev.noharm.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.noharm.benchmark.Benchmark;
import dev.noharm.benchmark.BenchmarkCase;
import dev.noharm.benchmark.GradingMode;
import dev.noharm.benchmark.OptionLabel;
import dev.noharm.ids.Ids;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local, OpenAI-compatible chat-completions server ({@code POST /v1/chat/completions}) that answers
 * NOHARM prompts the way a model of a given {@link Persona} would, deterministically for a given model,
 * case and request seed. It reads the case and the options out of the prompt, so it serves any prompt
 * variant. It sleeps a log-normal latency, answers 429 with Retry-After above a model's requests per
 * minute, reports token usage (4 characters to a token), can inject faults, and counts what it served.
 */
public final class EndpointSimulator implements AutoCloseable {
    private static final Pattern OPTION_LINE = Pattern.compile("^(\\d+): [^:]+: .+$");
    private static final long MINUTE_NANOS = 60_000_000_000L;

    private final SimulatorConfig config;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, String> caseIdByText = new HashMap<>();
    private final Map<String, List<OptionLabel>> labelsByCase = new HashMap<>();
    private final Map<String, List<dev.noharm.benchmark.BenchmarkOption>> optionsByCase = new HashMap<>();
    /** How many times each request (model, prompt, seed) has arrived: the attempt number of a fault draw. */
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final SplittableRandom latencies;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong rateLimited = new AtomicLong();
    private final AtomicLong serverErrors = new AtomicLong();
    private final AtomicLong hangs = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong badBodies = new AtomicLong();
    private final AtomicLong notFound = new AtomicLong();
    /** Per model: arrival times of accepted requests, the last minute only (for the limit). */
    private final Map<String, ArrayDeque<Long>> recent = new HashMap<>();
    /** Per model: every accepted arrival, for the statistics. */
    private final Map<String, List<Long>> arrivals = new HashMap<>();
    /** Every distinct Authorization header the chat API received, so tests can check which key was sent. */
    private final java.util.Set<String> authorizations = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Leaderboard protocol: how often each (system, prompt) was asked, so repeated samples differ. */
    private final Map<String, Long> leaderboardSeen = new HashMap<>();
    /** The providers' batch APIs (OpenAI, Azure OpenAI, Mistral, Anthropic, Gemini). */
    private final BatchEndpoints batches;
    /** Holds chat requests after a count, for {@link #holdAfter}. */
    private final Gate gate = new Gate();

    private EndpointSimulator(SimulatorConfig config, Benchmark benchmark, String host, int port) throws IOException {
        this.config = config;
        this.latencies = new SplittableRandom(config.seed() * 31 + 7);
        if (benchmark != null) {
            for (BenchmarkCase c : benchmark.cases()) {
                caseIdByText.put(c.text().strip(), c.caseId());
            }
            optionsByCase.putAll(benchmark.optionsByCase());
            for (OptionLabel label : benchmark.labels(GradingMode.MAJORITY)) {
                labelsByCase.computeIfAbsent(label.caseId(), k -> new ArrayList<>()).add(label);
            }
        }
        this.server = HttpServer.create(new InetSocketAddress(host, port), 1024);
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "noharm-simulator");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/v1/chat/completions", this::chat);
        server.createContext("/v1/leaderboard/", this::leaderboard);
        server.createContext("/v1/messages", this::anthropicMessages);
        VendorEndpoints vendors = new VendorEndpoints(this);
        this.batches = new BatchEndpoints(this);
        batches.serve(server);
        server.createContext("/openai/v1/chat/completions", vendors::azureChat);
        server.createContext("/v1beta/models/", vendors::geminiGenerateContent);
        server.createContext("/api/chat", vendors::ollamaChat);
        server.createContext("/model/", vendors::bedrockConverse);
        server.createContext("/stats", exchange -> respond(exchange, 200, json.writeValueAsString(stats()), null));
        server.start();
    }

    /** Starts on 127.0.0.1; port 0 picks a free port. {@code benchmark} supplies the labels personas consult. */
    public static EndpointSimulator start(SimulatorConfig config, Benchmark benchmark, int port) throws IOException {
        return new EndpointSimulator(config, benchmark, "127.0.0.1", port);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The OpenAI-style base URL, e.g. {@code http://127.0.0.1:8199/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    private void chat(HttpExchange exchange) throws IOException {
        received.incrementAndGet();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null) {
            authorizations.add(authorization);
        }
        chatCompletions(exchange);
    }

    /**
     * OpenAI's chat completions (also Mistral's chat API, which has the same shape and reads
     * {@code random_seed}). Successful answers carry OpenAI's {@code x-ratelimit-*-requests} headers. A model
     * named {@code *-reasoner*} thinks inline ({@code <think>...</think>} before the answer) and reports
     * reasoning tokens; JSON modes get the structured answer.
     */
    void chatCompletions(HttpExchange exchange) throws IOException {
        try {
            JsonNode request = json.readTree(exchange.getRequestBody().readAllBytes());
            String model = request.path("model").asText("");
            Persona persona = Persona.forModel(model).orElse(null);
            if (persona == null) {
                notFound.incrementAndGet();
                respond(exchange, 404, error("The model '" + model + "' does not exist (simulated personas: careful, omitter, overtreater, random, judge)",
                        "model_not_found"), null);
                return;
            }
            Admission admission = admission(model);
            if (admission.retryAfterSeconds() > 0) {
                rateLimited.incrementAndGet();
                respond(exchange, 429, error("Rate limit reached for " + model, "rate_limit_exceeded"),
                        Long.toString(admission.retryAfterSeconds()));
                return;
            }
            gate.pass();
            sleep(latencyMillis());
            String prompt = lastUserMessage(request);
            long seed = request.has("random_seed") ? request.path("random_seed").asLong(0) : request.path("seed").asLong(0);
            double fault = faultDraw(model, prompt, seed);
            if ((fault -= config.faultServerError()) < 0) {
                serverErrors.incrementAndGet();
                respond(exchange, 500, error("The server had an error while processing your request", "server_error"), null);
                return;
            }
            if ((fault -= config.faultHang()) < 0) {
                hangs.incrementAndGet();
                sleep(config.hangMillis());
            } else if ((fault -= config.faultBadBody()) < 0) {
                badBodies.incrementAndGet();
                respond(exchange, 200, "<html><body>upstream proxy error</body></html>", null);
                return;
            }
            String format = request.path("response_format").path("type").asText("text");
            boolean structured = format.equals("json_object") || format.equals("json_schema");
            String content = structured
                    ? "{\"grades\":" + answer(persona, model, prompt, seed, false) + "}"
                    : answer(persona, model, prompt, seed);
            String reasoning = model.contains("-reasoner")
                    ? "<think>Option [1] first; weigh the harm of leaving each option out.</think>\n" : "";
            content = reasoning + content;
            String finishReason = "stop";
            if ((fault -= config.faultMalformed()) < 0) {
                malformed.incrementAndGet();
                content = "I would start with the first option and then {\"Option\": 1, \"GradeAI\": Appropri";
            } else if ((fault -= config.faultTruncated()) < 0) {
                truncated.incrementAndGet();
                content = content.substring(0, content.length() / 2);
                finishReason = "length";
            }
            served.incrementAndGet();
            respond(exchange, 200, completion(model, content, finishReason, prompt.length(), (reasoning.length() + 3) / 4), null,
                    openAiRateLimitHeaders(admission));
        } catch (RuntimeException e) {
            respond(exchange, 400, error("bad request: " + e.getMessage(), "invalid_request_error"), null);
        }
    }

    /**
     * The NOHARM leaderboard's submission protocol: {@code POST /v1/leaderboard/<model>} with a bearer token and
     * a text/plain body (the prompt, a newline, the case); the answer is the JSON array itself, or with
     * {@code ?wrap=response} {@code {"response": "<answer>"}} and with {@code ?wrap=chat} an OpenAI chat-completions
     * body (CONTRACT section 6's answer shapes). Same personas, rate limits and latency as the chat API; samples
     * differ by how often the prompt was seen.
     */
    private void leaderboard(HttpExchange exchange) throws IOException {
        received.incrementAndGet();
        String model = exchange.getRequestURI().getPath().substring("/v1/leaderboard/".length());
        String query = exchange.getRequestURI().getQuery();
        String wrap = query != null && query.startsWith("wrap=") ? query.substring("wrap=".length()) : "";
        if (!List.of("", "response", "chat").contains(wrap)) {
            respond(exchange, 400, "unknown wrap " + wrap + " (response or chat)", null);
            return;
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (!"POST".equals(exchange.getRequestMethod()) || type == null || !type.startsWith("text/plain")) {
            respond(exchange, 400, "expected POST with Content-Type: text/plain", null);
            return;
        }
        // Anonymous submissions are accepted; a token, when sent, must be a non-empty bearer token.
        if (auth != null && (!auth.startsWith("Bearer ") || auth.isBlank() || auth.strip().equals("Bearer"))) {
            respond(exchange, 401, "bad bearer token", null);
            return;
        }
        Persona persona = Persona.forModel(model).orElse(null);
        if (persona == null) {
            notFound.incrementAndGet();
            respond(exchange, 404, "no such system: " + model, null);
            return;
        }
        long retryAfterSeconds = admit(model);
        if (retryAfterSeconds > 0) {
            rateLimited.incrementAndGet();
            respond(exchange, 429, "rate limit reached for " + model, Long.toString(retryAfterSeconds));
            return;
        }
        sleep(latencyMillis());
        String prompt = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        long seen;
        synchronized (leaderboardSeen) {
            seen = leaderboardSeen.merge(model + "\u0000" + prompt, 1L, Long::sum);
        }
        served.incrementAndGet();
        String answer = answer(persona, model, prompt, seen, false);
        respond(exchange, 200, switch (wrap) {
            case "response" -> json.createObjectNode().put("response", answer).toString();
            case "chat" -> {
                var body = json.createObjectNode().put("id", "lb-" + seen).put("object", "chat.completion").put("model", model);
                body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
                        .putObject("message").put("role", "assistant").put("content", answer);
                yield body.toString();
            }
            default -> answer;
        }, null);
    }

    /**
     * Anthropic's messages API: an {@code x-api-key} and {@code anthropic-version} header, the user's message,
     * a reply of content blocks with usage and {@code stop_reason}; errors in Anthropic's shape
     * ({@code {"type":"error","error":{"type":...}}}), 429 with {@code retry-after}.
     */
    private void anthropicMessages(HttpExchange exchange) throws IOException {
        received.incrementAndGet();
        try {
            String key = exchange.getRequestHeaders().getFirst("x-api-key");
            // Keys look like Anthropic's (sk-ant-...), so a test can send a wrong one.
            if (key == null || !key.startsWith("sk-ant-") || exchange.getRequestHeaders().getFirst("anthropic-version") == null) {
                respond(exchange, 401, anthropicError("authentication_error", "invalid x-api-key (or no anthropic-version header)"), null);
                return;
            }
            JsonNode request = json.readTree(exchange.getRequestBody().readAllBytes());
            String model = request.path("model").asText("");
            Persona persona = Persona.forModel(model).orElse(null);
            if (persona == null) {
                notFound.incrementAndGet();
                respond(exchange, 404, anthropicError("not_found_error", "model: " + model), null);
                return;
            }
            Admission admission = admission(model);
            if (admission.retryAfterSeconds() > 0) {
                rateLimited.incrementAndGet();
                respond(exchange, 429, anthropicError("rate_limit_error", "Number of requests has exceeded your rate limit"),
                        Long.toString(admission.retryAfterSeconds()));
                return;
            }
            sleep(latencyMillis());
            String prompt = lastUserMessage(request);
            String text = answer(persona, model, prompt, received.get());
            ObjectNode body = json.createObjectNode()
                    .put("id", "msg_sim_" + served.incrementAndGet())
                    .put("type", "message")
                    .put("role", "assistant")
                    .put("model", model)
                    .put("stop_reason", "end_turn");
            body.putArray("content").addObject().put("type", "text").put("text", text);
            body.putObject("usage").put("input_tokens", (prompt.length() + 3) / 4).put("output_tokens", (text.length() + 3) / 4);
            Map<String, String> quota = admission.remaining() < 0 ? Map.of() : Map.of(
                    "anthropic-ratelimit-requests-remaining", Integer.toString(admission.remaining()),
                    "anthropic-ratelimit-requests-reset",
                    java.time.Instant.now().plusMillis(admission.resetMillis() + 999).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            respond(exchange, 200, body.toString(), null, quota);
        } catch (RuntimeException e) {
            respond(exchange, 400, anthropicError("invalid_request_error", "bad request: " + e.getMessage()), null);
        }
    }

    private String anthropicError(String type, String message) {
        ObjectNode body = json.createObjectNode().put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        return body.toString();
    }

    /** 0 when the request may go ahead, else the seconds until the model's window has room. */
    private long admit(String model) {
        return admission(model).retryAfterSeconds();
    }

    /**
     * Whether a request may go ahead under the model's requests per minute and, as providers report in
     * their rate-limit headers, how many requests remain in the window and when the oldest leaves it.
     */
    Admission admission(String model) {
        int rpm = config.rpmFor(model);
        long now = System.nanoTime();
        synchronized (recent) {
            ArrayDeque<Long> window = recent.computeIfAbsent(model, k -> new ArrayDeque<>());
            while (!window.isEmpty() && window.peekFirst() + MINUTE_NANOS <= now) {
                window.pollFirst();
            }
            if (rpm > 0 && window.size() >= rpm) {
                return new Admission(Math.max(1, (window.peekFirst() + MINUTE_NANOS - now + 999_999_999L) / 1_000_000_000L), 0, -1);
            }
            window.addLast(now);
            arrivals.computeIfAbsent(model, k -> new ArrayList<>()).add(now);
            long resetMillis = (window.peekFirst() + MINUTE_NANOS - now) / 1_000_000L;
            return new Admission(0, rpm > 0 ? rpm - window.size() : -1, resetMillis);
        }
    }

    /** {@code remaining}: requests left in the window (-1 without a limit); {@code resetMillis}: until the oldest leaves it. */
    record Admission(long retryAfterSeconds, int remaining, long resetMillis) {}

    /**
     * What every protocol shares, for the other protocols' endpoints ({@link VendorEndpoints}): the persona,
     * the rate limit, the latency and the answer, counted in the statistics. {@code structured}: the answer
     * as {@code {"grades": [...]}}, as JSON modes return it.
     */
    Outcome simulate(String model, String prompt, long seed, boolean structured) {
        Persona persona = Persona.forModel(model).orElse(null);
        if (persona == null) {
            notFound.incrementAndGet();
            return new Outcome(404, null, null);
        }
        Admission admission = admission(model);
        if (admission.retryAfterSeconds() > 0) {
            rateLimited.incrementAndGet();
            return new Outcome(429, admission, null);
        }
        sleep(latencyMillis());
        served.incrementAndGet();
        String text = answer(persona, model, prompt, seed, !structured);
        return new Outcome(200, admission, structured ? "{\"grades\":" + text + "}" : text);
    }

    record Outcome(int status, Admission admission, String text) {}

    BatchEndpoints batches() {
        return batches;
    }

    /**
     * Fault injection for tests of lost answers: the next {@code count} batch creations (of any provider's shape) create
     * the batch and then answer 502, as a gateway in front of a provider may after the provider has accepted the request.
     */
    public void failBatchCreatesAfterCreating(int count) {
        batches.failCreatesAfterCreating(count);
    }

    /** Ends every batch created so far, whatever its delay: a test moves the simulated provider on instead of waiting. */
    public void endBatchesNow() {
        batches.endAll();
    }

    /** How the simulator is configured (the batch endpoints read their delay and failure rates here). */
    SimulatorConfig config() {
        return config;
    }

    /**
     * A persona's answer to one request of a provider batch: no rate limit and no latency (a batch is answered as a
     * whole, later); null when no persona has that model name.
     */
    String batchAnswer(String model, String prompt, long seed, boolean structured) {
        Persona persona = Persona.forModel(model).orElse(null);
        if (persona == null) {
            return null;
        }
        String text = answer(persona, model, prompt, seed, !structured);
        return structured ? "{\"grades\":" + text + "}" : text;
    }

    void countReceived() {
        received.incrementAndGet();
    }

    ObjectMapper json() {
        return json;
    }

    private String answer(Persona persona, String model, String prompt, long seed) {
        return answer(persona, model, prompt, seed, true);
    }

    /**
     * The persona's answer: to a judge's prompt, {@link PlanJudge}'s array; to a free-text prompt (a known case, no
     * options), a plan by {@link PlanWriter}; otherwise its grades as a JSON array. {@code wrapped}: arrays come in
     * one of the ways chat models wrap them.
     */
    private String answer(Persona persona, String model, String prompt, long seed, boolean wrapped) {
        if (PlanJudge.isJudgePrompt(prompt)) {
            SplittableRandom random = new SplittableRandom((model + "\u0000" + Ids.sha256Hex(prompt) + "\u0000" + seed).hashCode());
            String verdicts = PlanJudge.judge(prompt, config.judgeErrorRateFor(model), random, json);
            return !wrapped || random.nextBoolean() ? verdicts : "```json\n" + verdicts + "\n```";
        }
        List<String> lines = prompt.lines().toList();
        String caseId = null;
        int optionCount = 0;
        for (String line : lines) {
            if (caseId == null) {
                caseId = caseIdByText.get(line.strip());
            }
            Matcher m = OPTION_LINE.matcher(line);
            if (m.matches()) {
                optionCount = Math.max(optionCount, Integer.parseInt(m.group(1)));
            }
        }
        SplittableRandom random = new SplittableRandom(
                (model + "\u0000" + caseId + "\u0000" + seed).hashCode() * 0x9E3779B97F4A7C15L + optionCount);
        if (caseId != null && optionCount == 0) {
            List<dev.noharm.benchmark.BenchmarkOption> options = optionsByCase.getOrDefault(caseId, List.of());
            // The prompt's instruction is part of the draw, so each length variant gets a plan of its own.
            SplittableRandom planRandom = new SplittableRandom(random.nextLong() ^ prompt.hashCode());
            return PlanWriter.write(options, persona.grade(labelsByCase.get(caseId), options.size(), planRandom), planRandom);
        }
        boolean[] grades = persona.grade(caseId == null ? null : labelsByCase.get(caseId), optionCount, random);
        ArrayNode array = json.createArrayNode();
        for (int i = 0; i < grades.length; i++) {
            array.addObject().put("Option", i + 1).put("GradeAI", grades[i] ? "Appropriate" : "Inappropriate")
                    .put("Rationale", grades[i] ? "Benefit outweighs harm for this patient." : "Not indicated now.");
        }
        if (!wrapped) {
            return array.toString();
        }
        // Real models wrap their arrays in different ways; the parser must take all of them.
        return switch (random.nextInt(3)) {
            case 0 -> array.toString();
            case 1 -> "```json\n" + array.toPrettyString() + "\n```";
            default -> "Here is my assessment of each option.\n" + array.toString() + "\nLet me know if you need more detail.";
        };
    }

    /** OpenAI's quota headers: requests left in the window and when it resets, as a duration like {@code 12.5s}. */
    static Map<String, String> openAiRateLimitHeaders(Admission admission) {
        if (admission.remaining() < 0) {
            return Map.of();
        }
        return Map.of("x-ratelimit-remaining-requests", Integer.toString(admission.remaining()),
                "x-ratelimit-reset-requests", String.format(java.util.Locale.ROOT, "%.3fs", admission.resetMillis() / 1000.0));
    }

    private String completion(String model, String content, String finishReason, int promptChars, long reasoningTokens)
            throws IOException {
        ObjectNode body = json.createObjectNode()
                .put("id", "chatcmpl-sim-" + served.get())
                .put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000)
                .put("model", model);
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", finishReason);
        choice.putObject("message").put("role", "assistant").put("content", content);
        long promptTokens = (promptChars + 3) / 4;
        long completionTokens = (content.length() + 3) / 4;
        ObjectNode usage = body.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
        if (reasoningTokens > 0) {
            usage.putObject("completion_tokens_details").put("reasoning_tokens", reasoningTokens);
        }
        return json.writeValueAsString(body);
    }

    static String lastUserMessage(JsonNode request) {
        String prompt = "";
        for (JsonNode message : request.path("messages")) {
            if ("user".equals(message.path("role").asText())) {
                JsonNode content = message.path("content");
                prompt = content.isTextual() ? content.asText() : content.path(0).path("text").asText("");
            }
        }
        return prompt;
    }

    private String error(String message, String code) {
        ObjectNode body = json.createObjectNode();
        body.putObject("error").put("message", message).put("type", code).put("code", code);
        return body.toString();
    }

    private long latencyMillis() {
        double gaussian;
        synchronized (latencies) {
            gaussian = gaussian(latencies);
        }
        return Math.round(config.latencyMedianMs() * Math.exp(config.latencySigma() * gaussian));
    }

    /**
     * Where in [0, 1) this arrival falls on the fault scale: a function of the simulator's seed, the request
     * (model, prompt, sample seed) and how many times that request has arrived, never of the order in which
     * requests arrive. So two runs of the same spec meet the same faults on the same items and attempts, and a
     * retry of a faulted call draws again.
     */
    private double faultDraw(String model, String prompt, long seed) {
        String request = Ids.sha256Hex(model + "\u0000" + seed + "\u0000" + prompt);
        int attempt = attempts.computeIfAbsent(request, k -> new AtomicInteger()).incrementAndGet();
        long requestHash = Long.parseUnsignedLong(request.substring(0, 15), 16);
        return new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + requestHash + attempt).nextDouble();
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void respond(HttpExchange exchange, int status, String body, String retryAfter) throws IOException {
        respond(exchange, status, body, retryAfter, Map.of());
    }

    static void respond(HttpExchange exchange, int status, String body, String retryAfter, Map<String, String> headers)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", body.startsWith("<") ? "text/html" : "application/json");
        if (retryAfter != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfter);
        }
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        } catch (IOException clientGone) {
            // The client timed out and closed the connection (a hang fault): nothing more to do.
        }
    }

    public SimulatorStats stats() {
        Map<String, Long> accepted = new TreeMap<>();
        Map<String, Long> maxPerMinute = new TreeMap<>();
        synchronized (recent) {
            for (Map.Entry<String, List<Long>> e : arrivals.entrySet()) {
                List<Long> times = e.getValue();
                accepted.put(e.getKey(), (long) times.size());
                long max = 0;
                for (int lo = 0, hi = 0; hi < times.size(); hi++) {
                    while (times.get(hi) - times.get(lo) >= MINUTE_NANOS) {
                        lo++;
                    }
                    max = Math.max(max, hi - lo + 1);
                }
                maxPerMinute.put(e.getKey(), max);
            }
        }
        return new SimulatorStats(received.get(), served.get(), rateLimited.get(), serverErrors.get(), hangs.get(),
                malformed.get(), truncated.get(), badBodies.get(), notFound.get(), accepted, maxPerMinute, batches.created(), batches.requests());
    }

    /**
     * Lets the next {@code count} accepted chat-completions requests (OpenAI and Azure OpenAI shapes; not the other
     * vendors' endpoints) through and holds every one after them (accepted, so counted as paid for, but unanswered)
     * until {@link #release()}. A test can then stop a client while it has calls under way at a point that does not
     * depend on how fast the machine is. Held requests each keep a thread of the server's unbounded pool.
     */
    public void holdAfter(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("holdAfter: count must be 0 or more, got " + count);
        }
        gate.allow(count);
    }

    /** Answers the held requests and holds none from now on. */
    public void release() {
        gate.allow(Long.MAX_VALUE);
    }

    /** How many more requests may pass ({@code Long.MAX_VALUE}: any number); the others wait in {@link #pass}. */
    private static final class Gate {
        private long passesLeft = Long.MAX_VALUE;

        synchronized void allow(long count) {
            passesLeft = count;
            notifyAll();
        }

        synchronized void pass() {
            try {
                while (passesLeft == 0) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (passesLeft != Long.MAX_VALUE) {
                passesLeft--;
            }
        }
    }

    /** The distinct Authorization headers the chat API received. */
    public java.util.Set<String> authorizations() {
        return java.util.Set.copyOf(authorizations);
    }

    /** Accepted arrival times (System.nanoTime) of one model, for rate measurements. */
    public List<Long> arrivals(String model) {
        synchronized (recent) {
            return List.copyOf(arrivals.getOrDefault(model, List.of()));
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }
}
