package dev.noharm.generation.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.Benchmark;
import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.generation.GenerateJob;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.generation.PromptBuilder;
import dev.noharm.generation.RunSpec;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.GenerationFixture;
import dev.noharm.testing.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generation through the providers' batch APIs, over loopback HTTP to the simulator's batch endpoints, into a real
 * Iceberg lake: each provider's shape end to end, partial failures and expiry, a driver that stopped after submitting,
 * one that stopped before it could record the provider's id, and cancellation.
 */
@ExtendWith(SparkTestSession.class)
class BatchCallsTest {
    @TempDir
    Path tmp;

    private static final Function<String, String> KEYS = name -> name.equals("BATCH_TEST_KEY") ? "sk-ant-test-key" : null;

    private Lake tinyLake(SparkSession spark, String name) {
        Lake lake = new Lake(spark, tmp.resolve(name).toString());
        GenerationFixture.ingest(lake, BenchmarkSource.folder(BenchmarkFixture.tiny().writeTo(tmp.resolve(name + "-bench")).toString(),
                new Configuration()));
        return lake;
    }

    private Benchmark tiny() {
        return new BenchmarkReader().read(BenchmarkSource.folder(tmp.resolve("lake-bench").toString(), new Configuration()));
    }

    /** A registry entry of {@code provider} at the simulator, with a key from the environment and batch prices of 1 and 5. */
    private static String entry(String id, String provider, String baseUrl) {
        return "  - id: " + id + "\n"
                + "    display_name: Batch model " + id + "\n"
                + "    provider: " + provider + "\n"
                + "    base_url: " + baseUrl + "\n"
                + "    model_name: careful-1\n"
                + "    model_version: \"1\"\n"
                + (provider.equals("openai-compatible") ? "    batch_api: true\n" : "    api_key_env: BATCH_TEST_KEY\n")
                + "    params: {temperature: 0.0, max_output_tokens: 512, seed: 5, timeout_seconds: 5}\n"
                + "    limits: {requests_per_minute: 600, max_concurrent: 4}\n"
                + "    price: {input_per_million: 2.0, output_per_million: 10.0, batch_input_per_million: 1.0, batch_output_per_million: 5.0}\n";
    }

    private static RunSpec spec(String model, int samples, String batch) {
        return RunSpec.parse("run_id: batch-run\nregistry: test-registry.yaml\nmodels:\n  - {model: " + model + ", samples: " + samples
                + ", mode: batch}\nprogress_seconds: 60\n" + batch, "test-spec.yaml");
    }

    private static GenerationFixture.Run generate(Lake lake, RunSpec spec, ModelRegistry registry) {
        StringWriter out = new StringWriter();
        GenerateJob.Result result = new GenerateJob(lake, spec, "test-spec.yaml", registry, KEYS, new PrintWriter(out, true)).run();
        return new GenerationFixture.Run(result, out.toString());
    }

    @Test
    void eachProvidersBatchShapeEndToEndAtBatchPricesAndARerunSubmitsNothing(SparkSession spark) throws Exception {
        Lake lake = tinyLake(spark, "lake");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(0, 0, 0), tiny(), 0)) {
            String host = "http://127.0.0.1:" + sim.port();
            Map<String, String> providers = new java.util.LinkedHashMap<>();
            providers.put("openai-compatible", host + "/v1");
            providers.put("azure-openai", host + "/openai/v1");
            providers.put("mistral", host + "/v1");
            providers.put("anthropic", host + "/v1");
            providers.put("gemini", host + "/v1beta");
            long batches = 0;
            for (Map.Entry<String, String> provider : providers.entrySet()) {
                String id = "m-" + provider.getKey();
                ModelRegistry registry = GenerationFixture.registry(entry(id, provider.getKey(), provider.getValue()));
                GenerationFixture.Run run = generate(lake, spec(id, 2, ""), registry);
                batches++;
                assertEquals(4, run.result().ok(), provider.getKey() + ": " + run.output());
                assertEquals(batches, sim.stats().batchesCreated(), provider.getKey());
                assertEquals(0, sim.stats().accepted(), "no real-time call was made");

                List<Row> rows = lake.read(Tables.GENERATIONS).where(org.apache.spark.sql.functions.col("model_id").equalTo(id))
                        .orderBy("case_id", "sample_index").collectAsList();
                assertEquals(4, rows.size(), provider.getKey());
                Row first = rows.get(0);
                String prompt = PromptBuilder.prompt("standard", "Case one. What next?", tiny().optionsByCase().get("c1"));
                long in = first.getAs("input_tokens");
                long out = first.getAs("output_tokens");
                assertEquals("batch", first.getAs("call_mode"), provider.getKey());
                assertEquals("ok", first.getAs("status"));
                assertEquals("stop", first.getAs("finish_reason"), provider.getKey());
                assertEquals((prompt.length() + 3) / 4, in, provider.getKey() + ": the simulator counts 4 characters to a token");
                assertEquals((first.<String>getAs("response_text").length() + 3) / 4, out, provider.getKey());
                assertEquals((in * 1.0 + out * 5.0) / 1e6, first.<Double>getAs("cost_usd"), 1e-12, "batch prices, not real-time");
                assertTrue(first.<String>getAs("response_text").contains("\"Option\""), first.<String>getAs("response_text"));

                List<BatchLedger.Batch> ledger = new BatchLedger(lake).batches(List.of(id));
                assertEquals(1, ledger.size());
                assertEquals(BatchLedger.State.COLLECTED, ledger.get(0).state());
                assertEquals(4, ledger.get(0).requests());
                assertEquals(4, ledger.get(0).workKeys().size());

                GenerationFixture.Run again = generate(lake, spec(id, 2, ""), registry);
                assertEquals(0, again.result().attempted(), again.output());
                assertEquals(batches, sim.stats().batchesCreated(), provider.getKey() + ": the rerun submitted nothing");
            }
            assertEquals(20, sim.stats().batchRequests());
        }
    }

    @Test
    void failedRequestsAreStoredAndUnansweredOnesStayToDo(SparkSession spark) throws Exception {
        Lake lake = tinyLake(spark, "lake");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(0, 0.25, 0.25), tiny(), 0)) {
            ModelRegistry registry = GenerationFixture.registry(entry("m", "openai-compatible", sim.baseUrl()));
            GenerationFixture.Run run = generate(lake, spec("m", 8, ""), registry);
            List<Row> rows = GenerationFixture.generations(lake);
            long ok = rows.stream().filter(r -> "ok".equals(r.getAs("status"))).count();
            long failed = rows.stream().filter(r -> "error".equals(r.getAs("status"))).count();
            long unanswered = 16 - ok - failed;
            assertTrue(failed > 0 && unanswered > 0 && ok > 0, "the seed gives each kind: " + ok + "/" + failed + "/" + unanswered);
            Row error = rows.stream().filter(r -> "error".equals(r.getAs("status"))).findFirst().orElseThrow();
            assertEquals("client_error", error.getAs("error_class"));
            assertEquals(400, (int) error.getAs("http_status"));
            assertNull(error.getAs("cost_usd"));
            assertTrue(run.output().contains(ok + " answered, " + failed + " failed, " + unanswered + " unanswered"), run.output());
            BatchLedger.Batch first = new BatchLedger(lake).batches(List.of("m")).get(0);
            assertEquals(BatchLedger.State.COLLECTED, first.state());

            // The rerun submits one batch of what is not done (failed and unanswered alike), and nothing twice.
            generate(lake, spec("m", 8, ""), registry);
            assertEquals(2, sim.stats().batchesCreated());
            assertEquals(16 + (16 - ok), sim.stats().batchRequests());
            assertEquals(16 - ok, new BatchLedger(lake).batches(List.of("m")).get(1).requests());
        }
    }

    @Test
    void aRunThatDidNotWaitIsCollectedByTheNextWithoutSubmittingAgain(SparkSession spark) throws Exception {
        Lake lake = tinyLake(spark, "lake");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(1500, 0, 0), tiny(), 0)) {
            ModelRegistry registry = GenerationFixture.registry(entry("m", "anthropic", sim.baseUrl()));
            GenerationFixture.Run submitted = generate(lake, spec("m", 2, "batch: {wait: false, poll_seconds: 1}\n"), registry);
            assertEquals(0, submitted.result().ok());
            assertTrue(submitted.output().contains("not waiting for them"), submitted.output());
            List<BatchLedger.Batch> open = new BatchLedger(lake).pending(List.of("m"));
            assertEquals(1, open.size());
            assertEquals(BatchLedger.State.OPEN, open.get(0).state());
            assertTrue(open.get(0).providerBatchId().startsWith("msgbatch_"));

            StringWriter status = new StringWriter();
            List<GenerateJob.OpenBatch> listed = new GenerateJob(lake, spec("m", 2, ""), "test-spec.yaml", registry, KEYS,
                    new PrintWriter(status, true)).openBatches();
            assertEquals(1, listed.size());
            assertEquals(4, listed.get(0).provider().total());

            GenerationFixture.Run collected = generate(lake, spec("m", 2, "batch: {poll_seconds: 1}\n"), registry);
            assertEquals(4, collected.result().ok(), collected.output());
            assertTrue(collected.output().contains("resuming anthropic batch"), collected.output());
            assertEquals(1, sim.stats().batchesCreated(), "nothing was submitted again");
            assertEquals(4, GenerationFixture.generations(lake).size());
            assertTrue(new BatchLedger(lake).pending(List.of("m")).isEmpty());
        }
    }

    @Test
    void aBatchWhoseIdWasNeverRecordedIsFoundAtTheProviderNotPaidAgain(SparkSession spark) throws Exception {
        Lake lake = tinyLake(spark, "lake");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(0, 0, 0), tiny(), 0)) {
            for (String provider : List.of("openai-compatible", "anthropic")) {
                String id = "m-" + provider;
                ModelRegistry registry = GenerationFixture.registry(entry(id, provider, sim.baseUrl()));
                RunSpec spec = spec(id, 1, "");
                // What a driver leaves when it dies after the provider created the batch and before the lake heard its id:
                // the ledger's submitting row, and the batch at the provider. The plan's items, as the job would make them.
                var dryRun = new GenerateJob(lake, spec, "test-spec.yaml", registry, KEYS, new PrintWriter(new StringWriter())).dryRun();
                assertEquals(2, dryRun.get(0).toCall());
                List<BatchRequest> requests = plannedRequests(lake, spec, registry);
                List<String> keys = requests.stream().map(BatchRequest::workKey).toList();
                String batchId = dev.noharm.ids.Ids.newId();
                java.time.Instant before = java.time.Instant.now();
                BatchLedger ledger = new BatchLedger(lake);
                ledger.submitting(new BatchLedger.Batch(batchId, "batch-run", "dead-job", datasetVersion(lake), id, provider, "models",
                        BatchLedger.State.SUBMITTING, before, before, null, keys.size(), keys, 0.01, null));
                BatchProtocol protocol = BatchProtocol.create(registry.find(id).orElseThrow(), KEYS);
                protocol.submit(batchId, requests);
                long created = sim.stats().batchesCreated();

                GenerationFixture.Run run = generate(lake, spec, registry);
                assertEquals(created, sim.stats().batchesCreated(), provider + ": the rerun found the batch and submitted nothing");
                assertEquals(2, run.result().ok(), run.output());
                BatchLedger.Batch adopted = new BatchLedger(lake).batches(List.of(id)).get(0);
                assertEquals(BatchLedger.State.COLLECTED, adopted.state());
                assertTrue(adopted.providerBatchId() != null, "the provider's id is recorded now");
            }
        }
    }

    @Test
    void cancelledBatchesAreCollectedAndTheirUnansweredItemsStayToDo(SparkSession spark) throws Exception {
        Lake lake = tinyLake(spark, "lake");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(600_000, 0, 0), tiny(), 0)) {
            ModelRegistry registry = GenerationFixture.registry(entry("m", "mistral", sim.baseUrl()));
            generate(lake, spec("m", 2, "batch: {wait: false}\n"), registry);
            GenerateJob job = new GenerateJob(lake, spec("m", 2, ""), "test-spec.yaml", registry, KEYS, new PrintWriter(new StringWriter()));
            assertEquals(1, job.cancelOpenBatches().size());
            GenerationFixture.Run after = generate(lake, spec("m", 2, "batch: {poll_seconds: 1}\n"), registry);
            assertEquals(0, after.result().ok());
            assertTrue(after.output().contains("0 answered, 0 failed, 4 unanswered (to do again)"), after.output());
            assertTrue(new BatchLedger(lake).pending(List.of("m")).isEmpty());
            assertEquals(0, GenerationFixture.generations(lake).size(), "nothing was answered, nothing stored");
            assertEquals(1, sim.stats().batchesCreated());
        }
    }

    private static String datasetVersion(Lake lake) {
        return lake.read(Tables.DATASET_VERSIONS).first().getAs("dataset_version");
    }

    /** The requests generate would send for the spec (its planner's items: work keys and prompts). */
    private static List<BatchRequest> plannedRequests(Lake lake, RunSpec spec, ModelRegistry registry) {
        var models = dev.noharm.generation.RunModels.resolve(spec, "test-spec.yaml", registry, KEYS, false);
        var lakeView = new dev.noharm.generation.GenerationsLake(lake);
        var planner = new dev.noharm.generation.plan.Planner(spec, models, lakeView.planInputs(datasetVersion(lake)));
        return planner.answers().items().stream()
                .map(i -> new BatchRequest(i.workKey(), i.prompt(planner.sharedPrompts()), i.sampleIndex())).toList();
    }
}
