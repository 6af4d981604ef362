package dev.noharm.generation.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.Benchmark;
import dev.noharm.benchmark.BenchmarkCase;
import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.PromptBuilder;
import dev.noharm.scoring.ParsedResponse;
import dev.noharm.scoring.ResponseParser;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.testing.GenerationFixture;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Azure OpenAI, Gemini, Mistral, Ollama and Bedrock through their real LangChain4j clients (and the AWS SDK),
 * over HTTP against the simulator's endpoints for each wire format: answers, usage, finish reasons, structured
 * output, hidden reasoning, quota headers, and each provider's rate-limit and error answers. Token counts are
 * the simulator's rule (4 characters to a token) applied by hand to what was sent and received.
 */
class VendorProvidersTest {
    private static final Map<String, String> KEYS = Map.of("KEY", "test-key-123", "ANTHROPIC_KEY", "sk-ant-test");
    private final Benchmark sample = new BenchmarkReader().read(BenchmarkSource.bundledSample());
    private final BenchmarkCase first = sample.cases().get(0);
    private final int options = sample.optionsByCase().get(first.caseId()).size();
    private final String prompt = PromptBuilder.prompt(PromptBuilder.DEFAULT_VARIANT, first.text(), sample.optionsByCase().get(first.caseId()));

    /** Bedrock signs with AWS credentials from the default chain; these system properties are its first link. */
    @BeforeAll
    static void awsCredentials() {
        System.setProperty("aws.accessKeyId", "AKIATESTNOHARM000000");
        System.setProperty("aws.secretAccessKey", "test-secret");
    }

    @AfterAll
    static void clearAwsCredentials() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    private static ModelSpec spec(String provider, String baseUrl, String modelName, String responseFormat) {
        String key = switch (provider) {
            case "ollama", "bedrock" -> "";
            case "anthropic" -> "    api_key_env: ANTHROPIC_KEY\n";
            default -> "    api_key_env: KEY\n";
        };
        String entry = "  - id: m\n    display_name: M\n    provider: " + provider + "\n    base_url: " + baseUrl + "\n" + key
                + "    model_name: " + modelName + "\n    model_version: \"1\"\n"
                + "    params: {temperature: 0.0, max_output_tokens: 1024, seed: 3, timeout_seconds: 10, response_format: " + responseFormat + "}\n"
                + "    limits: {requests_per_minute: 60}\n"
                + (provider.equals("bedrock") ? "    aws: {region: us-east-1}\n" : "");
        return GenerationFixture.registry(entry).find("m").orElseThrow();
    }

    /** The base URL each client is given for the simulator: each provider's own path layout. */
    private static String baseUrl(String provider, EndpointSimulator sim) {
        String root = "http://127.0.0.1:" + sim.port();
        return switch (provider) {
            case "azure-openai" -> root + "/openai/v1";
            case "gemini" -> root + "/v1beta";
            case "ollama", "bedrock" -> root;
            default -> root + "/v1";
        };
    }

    private ChatProvider provider(String provider, EndpointSimulator sim, String modelName, String responseFormat) {
        return ChatProvider.create(spec(provider, baseUrl(provider, sim), modelName, responseFormat), KEYS::get);
    }

    private static EndpointSimulator simulator(int rpm) throws Exception {
        return EndpointSimulator.start(SimulatorConfig.defaults().withLatency(2, 0.1).withRpm(rpm), null, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"azure-openai", "gemini", "mistral", "ollama", "bedrock"})
    void mapsAnswerUsageAndFinishReason(String provider) throws Exception {
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(2, 0.1), sample, 0)) {
            ChatResult result = provider(provider, sim, "careful-1", "text").chat(prompt, 1);
            ParsedResponse parsed = ResponseParser.parse(result.text(), options);
            assertFalse(parsed.parseFailure(), result.text());
            assertEquals(0, parsed.invalidEntries(), "every option graded once, in range");
            assertEquals((prompt.length() + 3) / 4, result.inputTokens(), provider + ": input tokens as the simulator counted them");
            assertEquals((result.text().length() + 3) / 4, result.outputTokens(), provider + ": output tokens");
            assertEquals("stop", result.finishReason());
            assertEquals(-1, result.reasoningTokens(), "no reasoning reported");
            assertEquals(1, sim.stats().acceptedPerModel().get("careful-1"), "one call reached the server");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"azure-openai", "gemini", "mistral", "ollama"})
    void jsonSchemaOutputComesBackAsTheGradesObjectAndParses(String provider) throws Exception {
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(2, 0.1), sample, 0)) {
            ChatResult result = provider(provider, sim, "careful-1", "json_schema").chat(prompt, 1);
            // The simulator answers the object form only when the request asked for JSON output.
            assertTrue(result.text().startsWith("{\"grades\":["), result.text());
            ParsedResponse parsed = ResponseParser.parse(result.text(), options);
            assertFalse(parsed.parseFailure());
            assertEquals(0, parsed.invalidEntries());
            ParsedResponse plain = ResponseParser.parse(provider(provider, sim, "careful-1", "text").chat(prompt, 1).text(), options);
            assertEquals(java.util.Arrays.toString(plain.recommended()), java.util.Arrays.toString(parsed.recommended()),
                    "same persona, case and seed: the same grades, structured or not");
        }
    }

    @Test
    void hiddenReasoningIsNeverTheAnswerButItsTokensAreCounted() throws Exception {
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(2, 0.1), sample, 0)) {
            // OpenAI-compatible server that leaves <think>...</think> inline before the answer.
            ChatResult inline = provider("openai-compatible", sim, "careful-reasoner", "text").chat(prompt, 1);
            String think = "<think>Option [1] first; weigh the harm of leaving each option out.</think>\n";
            assertFalse(inline.text().contains("think>"), inline.text());
            assertFalse(inline.text().contains("weigh the harm"), "the reasoning text is gone");
            assertEquals((think.length() + 3) / 4, inline.reasoningTokens(), "completion_tokens_details.reasoning_tokens");
            // Without stripping, the contract's first-array rule would have read "[1]" from the reasoning.
            assertEquals(0, ResponseParser.parse(inline.text(), options).invalidEntries());
            assertTrue(ResponseParser.parse(think + inline.text(), options).invalidEntries() > 0, "the trap is real");

            // Gemini returns its thought as a separate part and counts it in thoughtsTokenCount.
            ChatResult gemini = provider("gemini", sim, "careful-reasoner", "text").chat(prompt, 1);
            String thought = "Weigh each option: [1] first, then the harm of omitting each one.";
            assertFalse(gemini.text().contains("Weigh each option"), gemini.text());
            assertEquals((thought.length() + 3) / 4, gemini.reasoningTokens());
            assertEquals(0, ResponseParser.parse(gemini.text(), options).invalidEntries());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai-compatible", "anthropic"})
    void quotaHeadersTellTheLimiterToPauseBeforeA429(String provider) throws Exception {
        try (EndpointSimulator sim = simulator(2)) {
            ChatProvider p = provider(provider, sim, "careful-1", "text");
            assertEquals(-1, p.chat(prompt, 1).serverPauseMillis(), "one request of two left: no pause");
            long pause = p.chat(prompt, 2).serverPauseMillis();
            assertTrue(pause > 0 && pause <= 61_000, "quota used up: pause until the window resets, got " + pause);
        }
    }

    @Test
    void rateLimitsAreClassifiedWithEachProvidersWait() throws Exception {
        Map<String, CallFailure.Kind> kinds = Map.of("azure-openai", CallFailure.Kind.RATE_LIMITED,
                "gemini", CallFailure.Kind.RATE_LIMITED, "mistral", CallFailure.Kind.RATE_LIMITED,
                "ollama", CallFailure.Kind.SERVER_ERROR, "bedrock", CallFailure.Kind.RATE_LIMITED);
        for (var e : kinds.entrySet()) {
            try (EndpointSimulator sim = simulator(1)) {
                ChatProvider p = provider(e.getKey(), sim, "careful-1", "text");
                p.chat(prompt, 1);
                CallFailure failure = CallFailure.classify(assertThrows(RuntimeException.class, () -> p.chat(prompt, 2)));
                assertEquals(e.getValue(), failure.kind(), e.getKey() + ": " + failure);
                switch (e.getKey()) {
                    case "azure-openai", "mistral" -> assertTrue(failure.retryAfterMillis() >= 1000, "Retry-After header: " + failure);
                    case "gemini" -> assertTrue(failure.retryAfterMillis() >= 1000, "RetryInfo.retryDelay in the body: " + failure);
                    case "bedrock" -> {
                        assertEquals(429, failure.httpStatus());
                        assertTrue(failure.message().contains("ThrottlingException"), failure.message());
                    }
                    default -> assertEquals(503, failure.httpStatus(), "Ollama's queue is full");
                }
            }
        }
    }

    @Test
    void authAndInvalidRequestsAreNotRetryable() throws Exception {
        try (EndpointSimulator sim = simulator(60)) {
            // Azure wants its key in api-key; a bearer token is refused (the OpenAI provider must not send one).
            ModelSpec bearer = spec("openai-compatible", "http://127.0.0.1:" + sim.port() + "/openai/v1", "careful-1", "text");
            CallFailure azureBearer = CallFailure.classify(assertThrows(RuntimeException.class,
                    () -> ChatProvider.create(bearer, KEYS::get).chat(prompt, 1)));
            assertEquals(CallFailure.Kind.AUTH, azureBearer.kind());

            ModelSpec gemini = spec("gemini", baseUrl("gemini", sim), "careful-1", "text");
            CallFailure badKey = CallFailure.classify(assertThrows(RuntimeException.class,
                    () -> ChatProvider.create(gemini, name -> " ").chat(prompt, 1)));
            assertEquals(CallFailure.Kind.AUTH, badKey.kind(), badKey.toString());

            CallFailure unknownBedrockModel = CallFailure.classify(assertThrows(RuntimeException.class,
                    () -> provider("bedrock", sim, "nobody.model-v1:0", "text").chat(prompt, 1)));
            assertEquals(CallFailure.Kind.CLIENT_ERROR, unknownBedrockModel.kind());
            assertTrue(unknownBedrockModel.message().contains("ValidationException"), unknownBedrockModel.message());

            CallFailure unknownOllamaModel = CallFailure.classify(assertThrows(RuntimeException.class,
                    () -> provider("ollama", sim, "nobody", "text").chat(prompt, 1)));
            assertEquals(404, unknownOllamaModel.httpStatus());
            assertFalse(unknownOllamaModel.kind().retryable());
        }
    }
}
