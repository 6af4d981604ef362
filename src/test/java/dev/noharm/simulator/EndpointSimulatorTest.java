package dev.noharm.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.noharm.benchmark.Benchmark;
import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.benchmark.GradingMode;
import dev.noharm.benchmark.OptionLabel;
import dev.noharm.generation.PromptBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The simulator over plain HTTP, as any OpenAI client would see it. */
class EndpointSimulatorTest {
    private final Benchmark sample = new BenchmarkReader().read(BenchmarkSource.bundledSample());
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(EndpointSimulator sim, String model, String prompt, int seed) throws Exception {
        String body = json.createObjectNode().put("model", model).put("seed", seed)
                .set("messages", json.createArrayNode().add(json.createObjectNode().put("role", "user").put("content", prompt))).toString();
        return http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String prompt(int caseIndex) {
        var c = sample.cases().get(caseIndex);
        return PromptBuilder.prompt("standard", c.text(), sample.optionsByCase().get(c.caseId()));
    }

    @Test
    void answersDeterministicallyByPersonaSeedAndCase() throws Exception {
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(1, 0), sample, 0)) {
            String a = content(post(sim, "careful-1", prompt(0), 7));
            assertEquals(a, content(post(sim, "careful-1", prompt(0), 7)));
            assertNotEquals(content(post(sim, "random-1", prompt(0), 7)), content(post(sim, "random-1", prompt(0), 8)));
            assertEquals(404, post(sim, "gpt-9", prompt(0), 7).statusCode(), "unknown persona is an unknown model");
            assertEquals(1, sim.stats().notFound());
        }
    }

    @Test
    void theCarefulPersonaMostlyAgreesWithTheLabels() throws Exception {
        int agree = 0;
        int total = 0;
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(0, 0), sample, 0)) {
            for (int i = 0; i < sample.cases().size(); i++) {
                String caseId = sample.cases().get(i).caseId();
                List<OptionLabel> labels = sample.labels(GradingMode.MAJORITY).stream().filter(l -> l.caseId().equals(caseId)).toList();
                JsonNode grades = grades(content(post(sim, "careful-1", prompt(i), 1)));
                assertEquals(labels.size(), grades.size());
                for (int o = 0; o < labels.size(); o++) {
                    total++;
                    if (labels.get(o).appropriate() == "Appropriate".equals(grades.get(o).get("GradeAI").asText())) {
                        agree++;
                    }
                }
            }
        }
        assertTrue(agree > 0.85 * total && agree < total, agree + " of " + total);
    }

    @Test
    void omittersMissMoreHighlyAppropriateOptionsThanCarefulModels() {
        List<OptionLabel> labels = sample.labels(GradingMode.MAJORITY);
        int carefulMisses = 0;
        int omitterMisses = 0;
        for (int seed = 0; seed < 50; seed++) {
            boolean[] careful = Persona.CAREFUL.grade(labels, labels.size(), new SplittableRandom(seed));
            boolean[] omitter = Persona.OMITTER.grade(labels, labels.size(), new SplittableRandom(seed));
            for (int i = 0; i < labels.size(); i++) {
                if (labels.get(i).highlyAppropriate()) {
                    carefulMisses += careful[i] ? 0 : 1;
                    omitterMisses += omitter[i] ? 0 : 1;
                }
            }
        }
        assertTrue(omitterMisses > 3 * carefulMisses, "careful " + carefulMisses + ", omitter " + omitterMisses);
    }

    @Test
    void answers429WithRetryAfterAboveTheLimitAndCountsUsage() throws Exception {
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(0, 0).withRpm(3), sample, 0)) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> ok = post(sim, "careful-1", prompt(1), 1);
                assertEquals(200, ok.statusCode());
                JsonNode usage = json.readTree(ok.body()).get("usage");
                assertEquals((prompt(1).length() + 3) / 4, usage.get("prompt_tokens").asLong());
            }
            HttpResponse<String> limited = post(sim, "careful-1", prompt(1), 1);
            assertEquals(429, limited.statusCode());
            long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 59 && retryAfter <= 60, "Retry-After " + retryAfter);
            assertEquals(200, post(sim, "omitter-1", prompt(1), 1).statusCode(), "limits are per model");
            SimulatorStats stats = sim.stats();
            assertEquals(5, stats.received());
            assertEquals(1, stats.rateLimited());
            assertEquals(3L, stats.maxPerMinute().get("careful-1"));
        }
    }

    @Test
    void injectsFaults() throws Exception {
        SimulatorConfig allMalformed = SimulatorConfig.defaults().withLatency(0, 0).withFaults(0, 0, 0, 1.0, 0, 0);
        try (EndpointSimulator sim = EndpointSimulator.start(allMalformed, sample, 0)) {
            assertTrue(content(post(sim, "careful-1", prompt(0), 1)).indexOf(']') < 0, "no complete array");
        }
        SimulatorConfig all500 = SimulatorConfig.defaults().withLatency(0, 0).withFaults(1.0, 0, 0, 0, 0, 0);
        try (EndpointSimulator sim = EndpointSimulator.start(all500, sample, 0)) {
            assertEquals(500, post(sim, "careful-1", prompt(0), 1).statusCode());
            assertEquals(1, sim.stats().serverErrors());
        }
    }

    /** Faults are a function of the seed, the request and its attempt: the order requests arrive in changes nothing. */
    @Test
    void faultsLandOnTheSameRequestsAndAttemptsWhateverTheOrder() throws Exception {
        SimulatorConfig someFail = SimulatorConfig.defaults().withLatency(0, 0).withFaults(0.4, 0, 0, 0, 0, 0);
        java.util.List<Integer> seeds = java.util.stream.IntStream.rangeClosed(1, 12).boxed().toList();
        java.util.Map<Integer, java.util.List<Integer>> forward = statusesPerRequest(someFail, seeds);
        java.util.List<Integer> reversed = new java.util.ArrayList<>(seeds);
        java.util.Collections.reverse(reversed);
        java.util.Map<Integer, java.util.List<Integer>> backward = statusesPerRequest(someFail, reversed);
        assertEquals(forward, backward);
        assertTrue(forward.values().stream().anyMatch(s -> s.contains(500)), "some attempts failed: " + forward);
        assertTrue(forward.values().stream().anyMatch(s -> s.equals(java.util.List.of(200))), "some did not: " + forward);
        assertNotEquals(forward, statusesPerRequest(someFail.withSeed(someFail.seed() + 1), seeds), "another seed, other faults");
    }

    /** Each request (one sample seed each) sent until it succeeds, at most 4 times: the status of every attempt. */
    private java.util.Map<Integer, java.util.List<Integer>> statusesPerRequest(SimulatorConfig config, java.util.List<Integer> order) throws Exception {
        java.util.Map<Integer, java.util.List<Integer>> statuses = new java.util.TreeMap<>();
        try (EndpointSimulator sim = EndpointSimulator.start(config, sample, 0)) {
            for (int round = 0; round < 4; round++) {
                for (int seed : order) {
                    java.util.List<Integer> seen = statuses.computeIfAbsent(seed, k -> new java.util.ArrayList<>());
                    if (!seen.contains(200)) {
                        seen.add(post(sim, "careful-1", prompt(0), seed).statusCode());
                    }
                }
            }
        }
        return statuses;
    }

    @Test
    void theLeaderboardEndpointTakesTheCaseAloneAndAnswersAPlanInsideResponse() throws Exception {
        var c = sample.cases().get(0);
        String prompt = PromptBuilder.prompt("plan-200-words", c.text(), sample.optionsByCase().get(c.caseId()));
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(1, 0), sample, 0)) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/leaderboard/careful-planner?wrap=response"))
                    .POST(HttpRequest.BodyPublishers.ofString(prompt)).header("Content-Type", "text/plain").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            JsonNode body = json.readTree(response.body());
            assertEquals(List.of("response"), iterable(body.fieldNames()));
            String plan = body.get("response").asText();
            assertTrue(plan.length() >= 50 && plan.contains("\n1") && !plan.contains("1: "), plan);
            assertTrue(dev.noharm.judging.PlanFlags.flag(plan).isEmpty(), plan);
        }
    }

    @Test
    void judgePersonasMapPlansBackAtTheirConfiguredErrorRate() throws Exception {
        SimulatorConfig config = SimulatorConfig.defaults().withLatency(0, 0).withJudgeErrors(0.0, java.util.Map.of("judge-sloppy", 0.2));
        int options = 0;
        int sloppyWrong = 0;
        java.util.Set<String> shapes = new java.util.HashSet<>();
        try (EndpointSimulator sim = EndpointSimulator.start(config, sample, 0)) {
            for (var c : sample.cases()) {
                var caseOptions = sample.optionsByCase().get(c.caseId());
                String plan = content(post(sim, "careful-1", PromptBuilder.prompt("plan", c.text(), caseOptions), 3));
                // What the plan recommends, read here independently: an option whose text is in one of its numbered items.
                List<String> numbered = plan.lines().filter(l -> l.matches("\\s*\\d+[.)]\\s+.+")).map(l -> l.toLowerCase(java.util.Locale.ROOT)).toList();
                if (plan.contains(PlanWriter.UNLISTED_ACTION)) {
                    shapes.add("unlisted action");
                }
                if (plan.contains("I would not ")) {
                    shapes.add("distractor");
                }
                if (plan.lines().anyMatch(l -> l.startsWith("- "))) {
                    shapes.add("unnumbered item");
                }
                shapes.add(plan.contains("\n1) ") ? "1)" : "1.");
                String judgePrompt = PromptBuilder.judgePrompt(c.text(), caseOptions, plan);
                JsonNode exact = grades(content(post(sim, "judge-exact", judgePrompt, 1)));
                JsonNode sloppy = grades(content(post(sim, "judge-sloppy", judgePrompt, 1)));
                assertEquals(caseOptions.size(), exact.size());
                for (int i = 0; i < caseOptions.size(); i++) {
                    String text = caseOptions.get(i).text().toLowerCase(java.util.Locale.ROOT);
                    boolean inPlan = numbered.stream().anyMatch(l -> l.contains(text));
                    assertEquals(i + 1, exact.get(i).get("Option").asInt());
                    assertEquals(inPlan, exact.get(i).get("Recommended").asBoolean(), c.caseId() + " option " + (i + 1) + " in\n" + plan);
                    assertTrue(exact.get(i).get("Recommended").isBoolean());
                    options++;
                    sloppyWrong += sloppy.get(i).get("Recommended").asBoolean() != inPlan ? 1 : 0;
                }
            }
        }
        assertEquals(java.util.Set.of("unlisted action", "distractor", "unnumbered item", "1)", "1."), shapes, "plans come in every shape");
        double rate = sloppyWrong / (double) options;
        assertTrue(rate > 0.14 && rate < 0.26, "the sloppy judge's error rate " + rate + " over " + options + " options");
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new java.util.ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    private String content(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        return json.readTree(response.body()).at("/choices/0/message/content").asText();
    }

    private JsonNode grades(String content) throws Exception {
        return json.readTree(content.substring(content.indexOf('['), content.lastIndexOf(']') + 1));
    }
}
