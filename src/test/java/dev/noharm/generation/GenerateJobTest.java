package dev.noharm.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.Benchmark;
import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.generation.plan.WorkKeys;
import dev.noharm.lake.Lake;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.GenerationFixture;
import dev.noharm.testing.ScriptedModelServer.Step;
import dev.noharm.testing.ScriptedModelServer;
import dev.noharm.testing.SparkTestSession;
import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.ValidationProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SparkTestSession.class)
class GenerateJobTest {
    @TempDir
    Path tmp;

    private final Benchmark sample = new BenchmarkReader().read(BenchmarkSource.bundledSample());

    private Lake lakeWith(SparkSession spark, BenchmarkFixture fixture) {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        GenerationFixture.ingest(lake, BenchmarkSource.folder(fixture.writeTo(tmp.resolve("bench")).toString(), new Configuration()));
        return lake;
    }

    @Test
    void storesEveryItemWithItsColumnsAndARerunCallsNothing(SparkSession spark) throws Exception {
        Lake lake = lakeWith(spark, BenchmarkFixture.tiny());
        Benchmark tiny = new BenchmarkReader().read(BenchmarkSource.folder(tmp.resolve("bench").toString(), new Configuration()));
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(5, 0.2), tiny, 0)) {
            ModelRegistry registry = GenerationFixture.registry(
                    GenerationFixture.model("a", "careful-1", sim.baseUrl(), 600, 4, ""),
                    GenerationFixture.model("b", "omitter-1", sim.baseUrl(), 600, 4, ""));
            RunSpec spec = GenerationFixture.spec("r1", Map.of("a", 2, "b", 1), "");
            GenerationFixture.Run run = GenerationFixture.generate(lake, spec, registry, name -> null);

            assertEquals(6, run.result().planned());
            assertEquals(6, run.result().ok());
            List<Row> rows = GenerationFixture.generations(lake);
            assertEquals(6, rows.size());
            Row first = rows.get(0);
            String prompt = PromptBuilder.prompt("standard", "Case one. What next?", tiny.optionsByCase().get("c1"));
            assertEquals("r1", first.getAs("run_id"));
            assertEquals("a", first.getAs("model_id"));
            assertEquals("c1", first.getAs("case_id"));
            assertEquals(1, (int) first.getAs("sample_index"));
            assertEquals("careful-1", first.getAs("model_name"));
            assertEquals("openai-compatible", first.getAs("provider"));
            assertEquals(WorkKeys.promptHash(prompt), first.getAs("prompt_hash"));
            assertEquals("{\"temperature\":0.0,\"max_output_tokens\":512,\"seed\":5,\"response_format\":\"text\",\"timeout_seconds\":5}",
                    first.getAs("request_params"));
            long in = first.getAs("input_tokens");
            long out = first.getAs("output_tokens");
            assertEquals((prompt.length() + 3) / 4, in);
            assertEquals((first.<String>getAs("response_text").length() + 3) / 4, out);
            assertEquals((in * 2.0 + out * 10.0) / 1e6, first.<Double>getAs("cost_usd"), 1e-12);
            assertEquals("ok", first.getAs("status"));
            assertEquals("stop", first.getAs("finish_reason"));
            assertEquals(1, (int) first.getAs("attempts"));
            assertNull(first.getAs("error_class"));
            assertTrue(first.<java.sql.Timestamp>getAs("finished_at").compareTo(first.getAs("started_at")) >= 0);
            assertEquals(6, rows.stream().map(r -> r.<String>getAs("work_key")).distinct().count());
            assertTrue(run.output().contains("generate: 6/6 items (100%)"), run.output());
            // The batches (a commit per 5 results per task) were compacted into a file per partition (model), and the
            // batch snapshots squashed: the batch files are gone from disk, not only from the table.
            assertTrue(run.output().contains("generate: compacted the job's"), run.output());
            assertEquals(2, lake.spark().table(lake.tableName(dev.noharm.lake.Tables.GENERATIONS) + ".files").count());
            assertEquals(2, parquetFiles(tmp.resolve("lake/warehouse/noharm/generations/data")).size());

            GenerationFixture.Run again = GenerationFixture.generate(lake, spec, registry, name -> null);
            assertEquals(0, again.result().attempted());
            assertEquals(6, again.result().alreadyDone());
            assertEquals(6, sim.stats().accepted(), "the rerun paid for nothing");
        }
    }

    @Test
    void aMissingKeyOrUnknownModelFailsBeforeAnyCall(SparkSession spark) throws Exception {
        Lake lake = lakeWith(spark, BenchmarkFixture.tiny());
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults(), sample, 0)) {
            String keyed = GenerationFixture.model("k", "careful-1", sim.baseUrl(), 600, 4, "")
                    .replace("    model_version:", "    api_key_env: NOHARM_TEST_KEY_THAT_IS_NOT_SET\n    model_version:");
            ModelRegistry registry = GenerationFixture.registry(keyed);
            Map<String, Integer> samples = new LinkedHashMap<>();
            samples.put("k", 1);
            samples.put("nope", 1);
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> GenerationFixture.generate(lake,
                    GenerationFixture.spec("r2", samples, ""), registry, name -> null));
            assertEquals(List.of(
                    "test-registry.yaml: model 'k': api_key_env: environment variable NOHARM_TEST_KEY_THAT_IS_NOT_SET is not set (it must hold the model's API key)",
                    "test-spec.yaml: models[2].model: no model 'nope' in the registry test-registry.yaml (has: k)"),
                    e.problems().stream().map(ValidationProblem::toString).sorted().toList());
            assertEquals(0, sim.stats().received());
        }
    }

    @Test
    void retriesByStatusCode(SparkSession spark) throws Exception {
        Lake lake = lakeWith(spark, BenchmarkFixture.oneCase());
        try (ScriptedModelServer server = new ScriptedModelServer()) {
            server.script("flaky", Step.status(500), Step.status(502))
                    .script("down", Step.status(503), Step.status(503), Step.status(503), Step.status(503))
                    .script("bad-request", Step.status(400))
                    .script("no-key", Step.status(401))
                    .script("busy", Step.rateLimited("1"))
                    .script("garbled", Step.body("not json at all"));
            List<String> names = List.of("flaky", "down", "bad-request", "no-key", "busy", "garbled");
            ModelRegistry registry = GenerationFixture.registry(names.stream()
                    .map(n -> GenerationFixture.model(n, n, server.baseUrl(), 600, 4, "")).toArray(String[]::new));
            Map<String, Integer> samples = new LinkedHashMap<>();
            names.forEach(n -> samples.put(n, 1));
            GenerationFixture.generate(lake, GenerationFixture.spec("r3", samples, ""), registry, name -> null);

            Map<String, String> outcome = GenerationFixture.generations(lake).stream().collect(Collectors.toMap(
                    r -> r.getAs("model_id"),
                    r -> r.getAs("status") + " attempts=" + r.getAs("attempts") + " waits=" + r.getAs("rate_limit_waits")
                            + " class=" + r.getAs("error_class") + " http=" + r.getAs("http_status")));
            assertEquals(Map.of(
                    "flaky", "ok attempts=3 waits=0 class=null http=null",
                    "down", "error attempts=3 waits=0 class=server_error http=503",
                    "bad-request", "error attempts=1 waits=0 class=client_error http=400",
                    "no-key", "error attempts=1 waits=0 class=auth http=401",
                    "busy", "ok attempts=2 waits=1 class=null http=null",
                    "garbled", "ok attempts=2 waits=0 class=null http=null"), outcome);
            // Retry-After: 1 was honoured; 5xx backoff stayed within max_delay_ms (200) plus scheduling slack.
            List<Long> busy = server.arrivals("busy");
            assertTrue(busy.get(1) - busy.get(0) >= 1_000_000_000L, "waited " + (busy.get(1) - busy.get(0)) / 1e6 + " ms");
            List<Long> flaky = server.arrivals("flaky");
            assertTrue(flaky.get(2) - flaky.get(1) < 1_500_000_000L);
            assertEquals(3, server.arrivals("down").size(), "max_attempts is 3");
        }
    }

    @Test
    void aFailedTaskIsRetriedWithoutPayingTwiceOrDuplicatingRows(SparkSession spark) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        GenerationFixture.ingest(lake, BenchmarkSource.bundledSample());
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(5, 0.2), sample, 0)) {
            ModelRegistry registry = GenerationFixture.registry(GenerationFixture.model("a", "careful-1", sim.baseUrl(), 6000, 8, ""));
            spark.conf().set(GenerationSettings.CHAOS_FAIL_AFTER_COMMITS, "1");
            spark.conf().set(GenerationSettings.CONF_PREFIX + "compact", "false"); // keep the batch files to look at
            GenerationFixture.Run run;
            try {
                run = GenerationFixture.generate(lake, GenerationFixture.spec("r4", Map.of("a", 3), ""), registry, name -> null);
            } finally {
                spark.conf().unset(GenerationSettings.CHAOS_FAIL_AFTER_COMMITS);
                spark.conf().unset(GenerationSettings.CONF_PREFIX + "compact");
            }
            List<Row> rows = GenerationFixture.generations(lake);
            assertEquals(60, rows.size());
            assertEquals(60, rows.stream().map(r -> r.<String>getAs("work_key")).distinct().count(), "no duplicates");
            List<String> files = lake.spark().table(lake.tableName(dev.noharm.lake.Tables.GENERATIONS) + ".files").select("file_path")
                    .collectAsList().stream().map(r -> r.getString(0)).toList();
            assertTrue(files.stream().anyMatch(f -> f.contains("-a0-")) && files.stream().anyMatch(f -> f.contains("-a1-")),
                    "the first attempt committed and failed, the second finished: " + files);
            // At most the calls in flight when the first attempts failed (2 tasks x 4 threads) were paid twice.
            long calls = sim.stats().accepted();
            assertTrue(calls >= 60 && calls <= 68, "calls " + calls);
            // The items the second attempts called again count once in the progress and the result, and so do those
            // the first attempts stored without reporting them (the injected failure comes right after a commit).
            assertEquals(60, run.result().ok(), run.output());
            GenerationFixture.assertProgressCountsEachItemOnce(run.output(), 60);
            assertTrue(run.output().contains("\na                                  60        0 "), run.output());
        }
    }

    private static List<String> parquetFiles(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".parquet")).toList();
        }
    }
}
