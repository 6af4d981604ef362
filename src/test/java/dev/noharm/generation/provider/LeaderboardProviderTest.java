package dev.noharm.generation.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.Benchmark;
import dev.noharm.benchmark.BenchmarkCase;
import dev.noharm.benchmark.BenchmarkOption;
import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.PromptBuilder;
import dev.noharm.scoring.ParsedResponse;
import dev.noharm.scoring.ResponseParser;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.testing.GenerationFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The NOHARM leaderboard's submission protocol against the simulator, over HTTP on loopback. */
class LeaderboardProviderTest {
    private final Benchmark sample = new BenchmarkReader().read(BenchmarkSource.bundledSample());

    private static ModelSpec system(String url, boolean withToken) {
        String entry = "  - id: lb\n    display_name: LB\n    provider: noharm-leaderboard\n    base_url: " + url + "\n"
                + (withToken ? "    api_key_env: LB_TOKEN\n" : "")
                + "    model_name: lb\n    model_version: \"1\"\n    limits: {requests_per_minute: 60}\n"
                + "    price: {input_per_million: 0, output_per_million: 0}\n";
        return GenerationFixture.registry(entry).find("lb").orElseThrow();
    }

    private String prompt() {
        BenchmarkCase first = sample.cases().get(0);
        List<BenchmarkOption> options = sample.optionsByCase().get(first.caseId());
        return PromptBuilder.prompt(PromptBuilder.DEFAULT_VARIANT, first.text(), options);
    }

    @Test
    void postsThePromptAsTextAndReadsTheArrayFromTheBody() throws Exception {
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(5, 0.1), sample, 0)) {
            String url = sim.baseUrl() + "/leaderboard/careful-submission";
            ChatResult result = new LeaderboardProvider(system(url, true), name -> "token-123").chat(prompt(), 1);
            int options = sample.optionsByCase().get(sample.cases().get(0).caseId()).size();
            ParsedResponse parsed = ResponseParser.parse(result.text(), options);
            assertFalse(parsed.parseFailure(), result.text());
            assertTrue(result.text().strip().startsWith("["), "the body is the array itself");
            assertEquals(-1, result.inputTokens(), "the protocol reports no usage");
            // Anonymous submissions are accepted too (no api_key_env: no header).
            assertFalse(ResponseParser.parse(new LeaderboardProvider(system(url, false), name -> null).chat(prompt(), 1).text(), options)
                    .parseFailure());
        }
    }

    @Test
    void anAnswerWrappedAsResponseOrAsAChatCompletionIsTheTextInside() throws Exception {
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(5, 0.1), sample, 0)) {
            int options = sample.optionsByCase().get(sample.cases().get(0).caseId()).size();
            for (String wrap : List.of("response", "chat")) {
                String url = sim.baseUrl() + "/leaderboard/careful-submission?wrap=" + wrap;
                String text = new LeaderboardProvider(system(url, true), name -> "token-123").chat(prompt(), 1).text();
                assertTrue(text.strip().startsWith("[") && !text.contains("\"response\"") && !text.contains("choices"), wrap + ": " + text);
                assertFalse(ResponseParser.parse(text, options).parseFailure(), wrap + ": " + text);
            }
        }
        // A body that is JSON but neither shape stays as it is (a structured options answer, say).
        assertEquals("{\"grades\": []}", LeaderboardProvider.answer("{\"grades\": []}"));
        assertEquals("{not json", LeaderboardProvider.answer("{not json"));
        assertEquals("1. Refer.", LeaderboardProvider.answer("{\"response\": \"1. Refer.\"}"));
    }

    @Test
    void errorsAreClassifiedLikeEveryProvider() throws Exception {
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(5, 0.1).withRpm(1), sample, 0)) {
            String url = sim.baseUrl() + "/leaderboard/careful-submission";
            LeaderboardProvider provider = new LeaderboardProvider(system(url, true), name -> "token-123");
            provider.chat(prompt(), 1);
            CallFailure limited = CallFailure.classify(assertThrows(RuntimeException.class, () -> provider.chat(prompt(), 2)));
            assertEquals(CallFailure.Kind.RATE_LIMITED, limited.kind());
            assertTrue(limited.retryAfterMillis() > 0, "Retry-After is read");

            CallFailure auth = CallFailure.classify(assertThrows(RuntimeException.class,
                    () -> new LeaderboardProvider(system(url, true), name -> "").chat(prompt(), 1)));
            assertEquals(CallFailure.Kind.AUTH, auth.kind(), "an empty bearer token is refused");

            CallFailure missing = CallFailure.classify(assertThrows(RuntimeException.class,
                    () -> new LeaderboardProvider(system(sim.baseUrl() + "/leaderboard/nobody", true), name -> "t").chat(prompt(), 1)));
            assertEquals(CallFailure.Kind.CLIENT_ERROR, missing.kind());
            assertEquals(404, missing.httpStatus());
        }
    }
}
