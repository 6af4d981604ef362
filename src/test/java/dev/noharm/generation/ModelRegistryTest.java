package dev.noharm.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.ValidationProblem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {

    private static List<String> problems(String yaml) {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ModelRegistry.parse(yaml, "models.yaml", Map.of("SIM", "http://127.0.0.1:9/v1")::get));
        return e.problems().stream().map(ValidationProblem::toString).toList();
    }

    @Test
    void readsEveryField() {
        ModelRegistry registry = ModelRegistry.parse("""
                models:
                  - id: m1
                    display_name: Model One
                    provider: openai-compatible
                    base_url: ${SIM}
                    model_name: careful-1
                    model_version: "2025-01"
                    api_key_env: M1_KEY
                    params: {temperature: 0.2, max_output_tokens: 1000, seed: 9, response_format: json_object, timeout_seconds: 30}
                    limits: {requests_per_minute: 120, tokens_per_minute: 50000, max_concurrent: 4}
                    price: {input_per_million: 1.5, output_per_million: 6}
                """, "models.yaml", Map.of("SIM", "http://127.0.0.1:9/v1")::get);
        ModelSpec m = registry.find("m1").orElseThrow();
        assertEquals(new ModelSpec("m1", "Model One", ProviderKind.OPENAI_COMPATIBLE, "", "careful-1", "2025-01",
                "http://127.0.0.1:9/v1", new ModelSpec.RequestParams(0.2, 1000, 9, "json_object", 30),
                new ModelSpec.Limits(120, 50000, 4), new ModelSpec.Price(1.5, 6.0), ApiKeyRef.env("M1_KEY"), null), m);
        assertEquals(0.0015 + 0.006, m.price().cost(1000, 1000), 1e-12);
        assertEquals(11, m.params().seedFor(2));
    }

    @Test
    void batchPricesDefaultToHalfAndABatchApiIsPricedOnlyWhereTheProviderHasOne() {
        ModelRegistry registry = ModelRegistry.parse("""
                models:
                  - {id: o, display_name: O, provider: openai, api_key_env: K, model_name: x, model_version: "1", limits: {requests_per_minute: 1},
                     params: {max_output_tokens: 1000}, price: {input_per_million: 2.5, output_per_million: 10}}
                  - {id: a, display_name: A, provider: anthropic, api_key_env: K, model_name: x, model_version: "1", limits: {requests_per_minute: 1},
                     params: {max_output_tokens: 1000}, price: {input_per_million: 3, output_per_million: 15, batch_input_per_million: 2, batch_output_per_million: 9}}
                  - {id: s, display_name: S, provider: openai-compatible, base_url: "http://127.0.0.1:1/v1", model_name: x, model_version: "1",
                     limits: {requests_per_minute: 1}, params: {max_output_tokens: 1000}, price: {input_per_million: 2.5, output_per_million: 10}}
                """, "models.yaml", name -> null);
        assertEquals(new ModelSpec.Price(2.5, 10, 1.25, 5), registry.find("o").orElseThrow().price());
        assertEquals(new ModelSpec.Price(3, 15, 2, 9), registry.find("a").orElseThrow().price());
        // A 4,000-character prompt: 2,000 input tokens at most, and all 1,000 output tokens.
        assertEquals(new TokenEstimator.CallBound(2000, 1000, 0.015, 0.0075), TokenEstimator.upperBound(registry.find("o").orElseThrow(), 4000));
        assertEquals(0.013, TokenEstimator.upperBound(registry.find("a").orElseThrow(), 4000).batchCostUsd(), 1e-12);
        assertEquals(0.015, TokenEstimator.upperBound(registry.find("s").orElseThrow(), 4000).batchCostUsd(), 1e-12,
                "a self-hosted endpoint has no batch API: real-time price");
    }

    @Test
    void organizationDefaultsByProviderAsSectionFiveSaysAndIsEmptyWhereNoneIsKnown() {
        ModelRegistry registry = ModelRegistry.parse("""
                models:
                  - {id: o, display_name: O, provider: openai, api_key_env: K, model_name: x, model_version: "1", limits: {requests_per_minute: 1}}
                  - {id: z, display_name: Z, provider: azure-openai, base_url: "https://r.openai.azure.com/openai/v1", api_key_env: K, model_name: x, model_version: "1", limits: {requests_per_minute: 1}}
                  - {id: a, display_name: A, provider: anthropic, api_key_env: K, model_name: x, model_version: "1", limits: {requests_per_minute: 1}}
                  - {id: g, display_name: G, provider: gemini, api_key_env: K, model_name: x, model_version: "1", limits: {requests_per_minute: 1}}
                  - {id: m, display_name: M, provider: mistral, api_key_env: K, model_name: x, model_version: "1", limits: {requests_per_minute: 1}}
                  - {id: l, display_name: L, provider: ollama, base_url: "http://127.0.0.1:1", model_name: x, model_version: "1", limits: {requests_per_minute: 1}}
                  - {id: b, display_name: B, provider: bedrock, organization: Meta, model_name: x, model_version: "1", limits: {requests_per_minute: 1}}
                  - {id: c, display_name: C, provider: openai, organization: ACME, api_key_env: K, model_name: x, model_version: "1", limits: {requests_per_minute: 1}}
                """, "models.yaml", name -> null);
        assertEquals(List.of("OpenAI", "OpenAI", "Anthropic", "Google", "Mistral", "", "Meta", "ACME"),
                List.of("o", "z", "a", "g", "m", "l", "b", "c").stream().map(id -> registry.find(id).orElseThrow().organization()).toList());
    }

    @Test
    void namesTheModelAndTheFieldOfEveryProblem() {
        assertEquals(List.of(
                        "models.yaml: model 'a': provider: unknown value \"azure\" (allowed: openai, openai-compatible, azure-openai, anthropic, gemini, mistral, ollama, bedrock, noharm-leaderboard)",
                        "models.yaml: model 'a': limits.requests_per_minute: must be an integer >= 1, got 0",
                        "models.yaml: model 'b': api_key_env: required for provider openai: where the key is (api_key_env, api_key_file or api_key_secret)",
                        "models.yaml: model 'b': params.temperature: must be a number >= 0, got \"hot\"",
                        "models.yaml: model 'b': limits.requests_per_minute: required field is missing",
                        "models.yaml: model 'c': pricee: unknown field (expected one of: api_key_env, api_key_file, api_key_secret, aws, base_url, batch_api, display_name, id, limits, model_name, model_version, organization, params, price, provider)",
                        "models.yaml: model 'c': display_name: required field is missing",
                        "models.yaml: model 'c': base_url: ${NOT_SET} is not set",
                        "models.yaml: model 'c': base_url: must be an http:// or https:// URL, got \"/v1\""),
                problems("""
                        models:
                          - {id: a, display_name: A, provider: azure, model_name: x, model_version: "1", limits: {requests_per_minute: 0}}
                          - {id: b, display_name: B, provider: openai, model_name: x, model_version: "1", params: {temperature: hot}}
                          - {id: c, provider: openai-compatible, base_url: "${NOT_SET}/v1", model_name: x, model_version: "1", limits: {requests_per_minute: 5}, pricee: {}}
                        """));
    }

    @Test
    void eachProviderSaysWhatItNeeds() {
        assertEquals(List.of(
                        "models.yaml: model 'az': base_url: required for provider azure-openai",
                        "models.yaml: model 'az': api_key_env: required for provider azure-openai: where the key is (api_key_env, api_key_file or api_key_secret)",
                        "models.yaml: model 'ol': base_url: required for provider ollama",
                        "models.yaml: model 'cl': params.response_format: provider anthropic has no JSON mode here; use text",
                        "models.yaml: model 'ge': aws: only for provider bedrock",
                        "models.yaml: model 'br': aws.regio: unknown field (expected one of: profile, region)",
                        "models.yaml: model 'mi': params.response_format: must be text, json_object or json_schema, got \"yaml\""),
                problems("""
                        models:
                          - {id: az, display_name: A, provider: azure-openai, model_name: x, model_version: "1", limits: {requests_per_minute: 5}}
                          - {id: ol, display_name: O, provider: ollama, model_name: x, model_version: "1", limits: {requests_per_minute: 5}}
                          - {id: cl, display_name: C, provider: anthropic, api_key_env: K, model_name: x, model_version: "1", params: {response_format: json_schema}, limits: {requests_per_minute: 5}}
                          - {id: ge, display_name: G, provider: gemini, api_key_env: K, model_name: x, model_version: "1", aws: {region: us-east-1}, limits: {requests_per_minute: 5}}
                          - {id: br, display_name: B, provider: bedrock, model_name: x, model_version: "1", aws: {regio: us-east-1}, limits: {requests_per_minute: 5}}
                          - {id: mi, display_name: M, provider: mistral, api_key_env: K, model_name: x, model_version: "1", params: {response_format: yaml}, limits: {requests_per_minute: 5}}
                        """));
        ModelSpec bedrock = ModelRegistry.parse("""
                models:
                  - {id: br, display_name: B, provider: bedrock, model_name: "anthropic.claude-3-5-sonnet-20240620-v1:0", model_version: "1", aws: {region: eu-west-1, profile: eval}, limits: {requests_per_minute: 5}}
                """, "models.yaml", name -> null).find("br").orElseThrow();
        assertEquals(new ModelSpec.Aws("eu-west-1", "eval"), bedrock.aws());
        assertEquals(null, bedrock.apiKey(), "Bedrock signs with AWS credentials, not a key");
    }

    @Test
    void duplicateIdsAndAnEmptyRegistryAreRejected() {
        assertEquals(List.of("models.yaml: model 'a': id: duplicate model id"), problems("""
                models:
                  - {id: a, display_name: A, provider: openai-compatible, base_url: "http://h/v1", model_name: x, model_version: "1", limits: {requests_per_minute: 5}}
                  - {id: a, display_name: A, provider: openai-compatible, base_url: "http://h/v1", model_name: x, model_version: "1", limits: {requests_per_minute: 5}}
                """));
        assertEquals(List.of("models.yaml: models: must be a non-empty list of models"), problems("models: []"));
    }

    @Test
    void theBundledRegistriesAreValid() {
        assertEquals(9, ModelRegistry.load("conf/models.yaml", name -> null).all().size());
        ModelRegistry simulated = ModelRegistry.load("conf/simulated-models.yaml", Map.of("SIMULATOR_URL", "http://127.0.0.1:1/v1")::get);
        assertEquals(9, simulated.all().size(), "four chat personas, two leaderboard systems, three judges");
        assertEquals("http://127.0.0.1:1/v1/leaderboard/careful-submission", simulated.find("sim-leaderboard-system").orElseThrow().baseUrl());
        assertEquals("http://127.0.0.1:1/v1/leaderboard/careful-planner?wrap=response", simulated.find("sim-planner").orElseThrow().baseUrl());
        RunSpec demo = RunSpec.load("jobs/demo.yaml");
        assertEquals(14, demo.models().stream().mapToInt(RunSpec.ModelRun::samples).sum());
        assertEquals(2, demo.teams().size());
        assertEquals(List.of("sim-judge-a", "sim-judge-b", "sim-judge-c"), demo.judges());
        assertEquals(List.of("sim-planner"), demo.models().stream().filter(m -> m.task() == Task.FREE_TEXT).map(RunSpec.ModelRun::model).toList());
        RunSpec.load("jobs/openai-example.yaml");
        dev.noharm.nightly.NightlySpec.load("jobs/nightly.yaml");
    }
}
