package dev.noharm.generation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.noharm.benchmark.Benchmark;
import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.benchmark.IngestBenchmark;
import dev.noharm.benchmark.SyntheticBenchmark;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Measures the generation job against the simulator at a set rate limit and latency: how close to the
 * limit it runs at steady state, how many 429s it caused, how many calls it made per item, and how many
 * items it lost; and the same for a naive baseline that makes one synchronous call at a time per task.
 */
public final class GenerationBench {
    private static final int CASES = 100;
    private static final String MODEL_NAME = "careful-bench";

    public record Settings(int items, int baselineItems, int requestsPerMinute, long latencyMs, int concurrencyPerTask) {}

    private final SparkSession spark;
    private final Path workDir;

    public GenerationBench(SparkSession spark, Path workDir) {
        this.spark = spark;
        this.workDir = workDir;
    }

    /** Runs both measurements and returns the JSON line. */
    public String run(Settings settings) throws IOException {
        Path dataset = workDir.resolve("benchmark");
        new SyntheticBenchmark(CASES, 12, 3, 11).writeTo(dataset);
        Benchmark benchmark = new BenchmarkReader().read(BenchmarkSource.folder(dataset.toString(), spark.sparkContext().hadoopConfiguration()));
        ObjectMapper json = new ObjectMapper();
        ObjectNode line = json.createObjectNode()
                .put("bench", "generation")
                .put("requests_per_minute_limit", settings.requestsPerMinute())
                .put("latency_median_ms", settings.latencyMs())
                .put("executor_slots", spark.sparkContext().defaultParallelism());
        line.set("pipelined", measure(benchmark, dataset, "pipelined", settings.items(), settings.concurrencyPerTask(), settings, json));
        line.set("baseline_one_call_at_a_time", measure(benchmark, dataset, "baseline", settings.baselineItems(), 1, settings, json));
        return json.writeValueAsString(line);
    }

    private ObjectNode measure(Benchmark benchmark, Path dataset, String name, int items, int concurrency, Settings settings,
            ObjectMapper json) throws IOException {
        Lake lake = new Lake(spark, workDir.resolve("lake-" + name).toString());
        new IngestBenchmark(lake).ingest(BenchmarkSource.folder(dataset.toString(), spark.sparkContext().hadoopConfiguration()));
        int samples = (items + CASES - 1) / CASES;
        SimulatorConfig config = SimulatorConfig.defaults().withLatency(settings.latencyMs(), 0.3).withRpm(settings.requestsPerMinute());
        try (EndpointSimulator simulator = EndpointSimulator.start(config, benchmark, 0)) {
            ModelRegistry registry = ModelRegistry.parse("""
                    models:
                      - id: bench
                        display_name: Simulated model for the generation benchmark
                        provider: openai-compatible
                        base_url: %s
                        model_name: %s
                        model_version: "1"
                        params: {temperature: 0.0, max_output_tokens: 1024, seed: 1, timeout_seconds: 30}
                        limits: {requests_per_minute: %d, max_concurrent: 256}
                    """.formatted(simulator.baseUrl(), MODEL_NAME, settings.requestsPerMinute()), "bench-registry", n -> null);
            RunSpec spec = RunSpec.parse("""
                    run_id: bench-%s
                    registry: bench-registry
                    models: [{model: bench, samples: %d}]
                    commit: {every_results: 50, every_seconds: 10}
                    concurrency_per_task: %d
                    progress_seconds: 10
                    """.formatted(name, samples, concurrency), "bench-spec");
            long start = System.nanoTime();
            GenerateJob.Result result = new GenerateJob(lake, spec, "bench-spec", registry, n -> null,
                    new PrintWriter(new StringWriter())).run();
            double seconds = (System.nanoTime() - start) / 1e9;
            long okKeys = lake.read(Tables.GENERATIONS).where(functions.col("status").equalTo("ok"))
                    .select("work_key").distinct().count();
            List<Long> arrivals = simulator.arrivals(MODEL_NAME);
            var stats = simulator.stats();
            return json.createObjectNode()
                    .put("items", result.planned())
                    .put("concurrency_per_task", concurrency)
                    .put("seconds", round(seconds))
                    .put("achieved_rpm_steady", round(steadyRatePerMinute(arrivals)))
                    .put("achieved_over_limit", round(steadyRatePerMinute(arrivals) / settings.requestsPerMinute()))
                    .put("max_requests_in_any_minute", stats.maxPerMinute().getOrDefault(MODEL_NAME, 0L))
                    .put("http_429", stats.rateLimited())
                    .put("calls_per_item", round((double) stats.accepted() / result.planned()))
                    .put("items_lost", result.planned() - okKeys);
        }
    }

    /** Requests per minute between the 10th and 90th percentile arrivals: ramp-up and tail left out. */
    static double steadyRatePerMinute(List<Long> arrivals) {
        if (arrivals.size() < 10) {
            return 0;
        }
        List<Long> sorted = arrivals.stream().sorted().toList();
        int lo = sorted.size() / 10;
        int hi = sorted.size() * 9 / 10;
        double seconds = (sorted.get(hi) - sorted.get(lo)) / 1e9;
        return seconds <= 0 ? 0 : (hi - lo) / seconds * 60;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
