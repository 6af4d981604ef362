package dev.noharm.generation.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.PromptBuilder;
import dev.noharm.generation.ProviderKind;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.testing.ScriptedModelServer;
import dev.noharm.testing.ScriptedModelServer.Step;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real LangChain4j OpenAI client over real HTTP: what is sent, what comes back, how failures are classified. */
class ProviderMappingTest {

    private static ChatProvider provider(String baseUrl, String modelName, int timeoutSeconds) {
        ModelSpec model = new ModelSpec("m", "Model", ProviderKind.OPENAI_COMPATIBLE, "", modelName, "1", baseUrl,
                new ModelSpec.RequestParams(0.0, 256, 5, "text", timeoutSeconds), new ModelSpec.Limits(600, 0, 4),
                new ModelSpec.Price(1.0, 1.0), null, null);
        return ChatProvider.create(model, name -> null);
    }

    @Test
    void mapsTextFinishReasonAndTokenUsageFromTheSimulator() throws Exception {
        var sample = new BenchmarkReader().read(BenchmarkSource.bundledSample());
        try (EndpointSimulator simulator = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(1, 0), sample, 0)) {
            var first = sample.cases().get(0);
            String prompt = PromptBuilder.prompt("standard", first.text(), sample.optionsByCase().get(first.caseId()));
            ChatResult result = provider(simulator.baseUrl(), "careful-1", 5).chat(prompt, 1);

            assertEquals("stop", result.finishReason());
            assertEquals((prompt.length() + 3) / 4, result.inputTokens(), "the simulator counts 4 characters to a token");
            assertEquals((result.text().length() + 3) / 4, result.outputTokens());
            String array = result.text().substring(result.text().indexOf('['), result.text().lastIndexOf(']') + 1);
            JsonNode grades = new ObjectMapper().readTree(array);
            assertEquals(sample.optionsByCase().get(first.caseId()).size(), grades.size(), "one grade per option");
            // Same model, case and seed: the same answer.
            assertEquals(result.text(), provider(simulator.baseUrl(), "careful-1", 5).chat(prompt, 1).text());
            assertEquals(Map.of("careful-1", 2L), simulator.stats().acceptedPerModel());
        }
    }

    @Test
    void classifiesEveryKindOfFailure() throws Exception {
        try (ScriptedModelServer server = new ScriptedModelServer()) {
            server.script("limited", Step.rateLimited("2"))
                    .script("dated", Step.rateLimited("Wed, 21 Oct 2015 07:28:00 GMT"))
                    .script("broken", Step.status(503))
                    .script("refused", Step.status(401))
                    .script("invalid", Step.status(400))
                    .script("garbled", Step.body("<html>proxy error</html>"))
                    .script("slow", Step.hang(3000));
            assertFailure(server, "limited", CallFailure.Kind.RATE_LIMITED, 429, 2000);
            assertFailure(server, "dated", CallFailure.Kind.RATE_LIMITED, 429, 0);
            assertFailure(server, "broken", CallFailure.Kind.SERVER_ERROR, 503, -1);
            assertFailure(server, "refused", CallFailure.Kind.AUTH, 401, -1);
            assertFailure(server, "invalid", CallFailure.Kind.CLIENT_ERROR, 400, -1);
            assertFailure(server, "garbled", CallFailure.Kind.BAD_RESPONSE, 0, -1);
            assertFailure(server, "slow", CallFailure.Kind.TIMEOUT, 0, -1);
            assertTrue(CallFailure.Kind.RATE_LIMITED.retryable() && CallFailure.Kind.SERVER_ERROR.retryable()
                    && CallFailure.Kind.TIMEOUT.retryable() && !CallFailure.Kind.AUTH.retryable()
                    && !CallFailure.Kind.CLIENT_ERROR.retryable());
        }
    }

    @Test
    void aRefusedConnectionIsAConnectionFailure() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> provider("http://127.0.0.1:1/v1", "x", 5).chat("hello", 1));
        assertEquals(CallFailure.Kind.CONNECTION, CallFailure.classify(e).kind());
    }

    private static void assertFailure(ScriptedModelServer server, String model, CallFailure.Kind kind, int status, long retryAfter) {
        ChatProvider provider = provider(server.baseUrl(), model, 1); // "slow" hangs 3 s, past the 1-s timeout
        RuntimeException e = assertThrows(RuntimeException.class, () -> provider.chat("prompt", 1), model);
        CallFailure failure = CallFailure.classify(e);
        assertEquals(kind, failure.kind(), model + ": " + failure);
        assertEquals(status, failure.httpStatus(), model);
        assertEquals(retryAfter, failure.retryAfterMillis(), model);
    }
}
