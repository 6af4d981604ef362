package dev.noharm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.benchmark.IngestBenchmark;
import dev.noharm.generation.GenerateJob;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.generation.RunSpec;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;

/** Builds registries and run specs for generation tests, and runs the real job on a real lake. */
public final class GenerationFixture {
    private GenerationFixture() {}

    /** One registry entry of an OpenAI-compatible model at {@code baseUrl}, made by "Lab {@code id}". */
    public static String model(String id, String modelName, String baseUrl, int rpm, int maxConcurrent, String extraParams) {
        return model(id, modelName, baseUrl, rpm, maxConcurrent, extraParams, "1");
    }

    /** The same, with a model version (nightly tests register a new version of the same model). */
    public static String model(String id, String modelName, String baseUrl, int rpm, int maxConcurrent, String extraParams,
            String version) {
        return "  - id: " + id + "\n"
                + "    display_name: Test model " + id + "\n"
                + "    provider: openai-compatible\n"
                + "    organization: Lab " + id + "\n"
                + "    base_url: " + baseUrl + "\n"
                + "    model_name: " + modelName + "\n"
                + "    model_version: \"" + version + "\"\n"
                + "    params: {temperature: 0.0, max_output_tokens: 512, seed: 5, timeout_seconds: 5" + extraParams + "}\n"
                + "    limits: {requests_per_minute: " + rpm + ", max_concurrent: " + maxConcurrent + "}\n"
                + "    price: {input_per_million: 2.0, output_per_million: 10.0}\n";
    }

    public static ModelRegistry registry(String... models) {
        return ModelRegistry.parse("models:\n" + String.join("", models), "test-registry.yaml", System::getenv);
    }

    /** A spec over the given {@code model: samples} pairs, committing every 5 results. */
    public static RunSpec spec(String runId, Map<String, Integer> samplesByModel, String extra) {
        StringBuilder yaml = new StringBuilder("run_id: " + runId + "\nregistry: test-registry.yaml\nmodels:\n");
        samplesByModel.forEach((m, n) -> yaml.append("  - {model: ").append(m).append(", samples: ").append(n).append("}\n"));
        yaml.append("retry: {max_attempts: 3, base_delay_ms: 50, max_delay_ms: 200, max_rate_limit_waits: 5}\n");
        yaml.append("commit: {every_results: 5, every_seconds: 2}\nconcurrency_per_task: 4\nprogress_seconds: 60\n");
        yaml.append(extra);
        return RunSpec.parse(yaml.toString(), "test-spec.yaml");
    }

    public static void ingest(Lake lake, BenchmarkSource source) {
        new IngestBenchmark(lake).ingest(source);
    }

    public record Run(GenerateJob.Result result, String output) {}

    public static Run generate(Lake lake, RunSpec spec, ModelRegistry registry, Function<String, String> environment) {
        StringWriter out = new StringWriter();
        GenerateJob.Result result = new GenerateJob(lake, spec, "test-spec.yaml", registry, environment, new PrintWriter(out, true)).run();
        return new Run(result, out.toString());
    }

    /**
     * A stage's progress lines in a generation's output never count more items than the stage planned, and the
     * last one counts them all: a retried task's repeated calls count as calls, not as items.
     */
    public static void assertProgressCountsEachItemOnce(String output, int planned) {
        Matcher line = Pattern.compile("generate: (\\d+)/" + planned + " items").matcher(output);
        int last = -1;
        while (line.find()) {
            last = Integer.parseInt(line.group(1));
            assertTrue(last <= planned, "progress past the items planned: " + line.group() + "\n" + output);
        }
        assertEquals(planned, last, "the last progress line of " + planned + " items:\n" + output);
    }

    public static List<Row> generations(Lake lake) {
        return lake.read(Tables.GENERATIONS).orderBy("model_id", "case_id", "sample_index").collectAsList();
    }
}
