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
import dev.noharm.scoring.ResponseParser;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.testing.GenerationFixture;
import org.junit.jupiter.api.Test;

/** LangChain4j's Anthropic client, with the pipeline's HTTP client, against the simulator's messages API over HTTP. */
class AnthropicProviderTest {
    private final Benchmark sample = new BenchmarkReader().read(BenchmarkSource.bundledSample());

    private static ModelSpec claude(String baseUrl, String modelName) {
        String entry = "  - id: claude\n    display_name: Claude\n    provider: anthropic\n    base_url: " + baseUrl + "\n"
                + "    api_key_env: ANTHROPIC_API_KEY\n    model_name: " + modelName + "\n    model_version: \"1\"\n"
                + "    params: {temperature: 0.0, max_output_tokens: 1024, timeout_seconds: 10}\n"
                + "    limits: {requests_per_minute: 60}\n    price: {input_per_million: 3.0, output_per_million: 15.0}\n";
        return GenerationFixture.registry(entry).find("claude").orElseThrow();
    }

    private String prompt() {
        BenchmarkCase first = sample.cases().get(0);
        return PromptBuilder.prompt(PromptBuilder.DEFAULT_VARIANT, first.text(), sample.optionsByCase().get(first.caseId()));
    }

    @Test
    void mapsTheAnswerUsageAndStopReason() throws Exception {
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(5, 0.1), sample, 0)) {
            ChatResult result = new AnthropicProvider(claude(sim.baseUrl(), "careful-claude"), name -> "sk-ant-test").chat(prompt(), 1);
            int options = sample.optionsByCase().get(sample.cases().get(0).caseId()).size();
            assertFalse(ResponseParser.parse(result.text(), options).parseFailure(), result.text());
            assertEquals((prompt().length() + 3) / 4, result.inputTokens(), "usage.input_tokens as the simulator counts it");
            assertEquals((result.text().length() + 3) / 4, result.outputTokens());
            assertEquals("stop", result.finishReason(), "end_turn maps to stop");
        }
    }

    @Test
    void rateLimitsAuthAndUnknownModelsAreClassifiedLikeEveryProvider() throws Exception {
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(5, 0.1).withRpm(1), sample, 0)) {
            AnthropicProvider provider = new AnthropicProvider(claude(sim.baseUrl(), "careful-claude"), name -> "sk-ant-test");
            provider.chat(prompt(), 1);
            CallFailure limited = CallFailure.classify(assertThrows(RuntimeException.class, () -> provider.chat(prompt(), 2)));
            assertEquals(CallFailure.Kind.RATE_LIMITED, limited.kind());
            assertTrue(limited.retryAfterMillis() > 0, "retry-after is read");

            CallFailure auth = CallFailure.classify(assertThrows(RuntimeException.class,
                    () -> new AnthropicProvider(claude(sim.baseUrl(), "careful-claude"), name -> "wrong-key").chat(prompt(), 1)));
            assertEquals(CallFailure.Kind.AUTH, auth.kind());

            CallFailure unknown = CallFailure.classify(assertThrows(RuntimeException.class,
                    () -> new AnthropicProvider(claude(sim.baseUrl(), "nobody-9"), name -> "sk-ant-test").chat(prompt(), 1)));
            assertEquals(404, unknown.httpStatus());
            assertEquals(CallFailure.Kind.CLIENT_ERROR, unknown.kind());
        }
    }
}
