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
import dev.noharm.generation.plan.WorkItem;
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
                assertTrue(!run.output().contains("sk-ant-test-key"), "no key in the job's output");
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
            // The key went out in headers (the simulator refuses requests without it) and nowhere else.
            try (var files = java.nio.file.Files.walk(tmp.resolve("lake"))) {
                for (Path file : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                    assertTrue(!new String(java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1)
                            .contains("sk-ant-test-key"), "the key is in " + file);
                }
            }
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
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(3_600_000, 0, 0), tiny(), 0)) {
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

            sim.endBatchesNow();
            GenerationFixture.Run collected = generate(lake, spec("m", 2, "batch: {poll_seconds: 1}\n"), registry);
            assertEquals(4, collected.result().ok(), collected.output());
            assertTrue(collected.output().contains("resuming anthropic batch"), collected.output());
            assertEquals(1, sim.stats().batchesCreated(), "nothing was submitted again");
            assertEquals(4, GenerationFixture.generations(lake).size());
            assertTrue(new BatchLedger(lake).pending(List.of("m")).isEmpty());
        }
    }

    /** What a driver leaves when it dies inside the create call: the ledger's submitting row of the planned items. */
    private static BatchLedger.Batch strandedSubmission(Lake lake, List<WorkItem> items, String modelId, String protocol) {
        BatchLedger.Batch batch = BatchLedger.Batch.submitting(dev.noharm.ids.Ids.newId(), "batch-run", "dead-job", datasetVersion(lake), modelId,
                protocol, "models", java.time.Instant.now(), items.stream().map(BatchedItem::of).toList(), 0.01);
        new BatchLedger(lake).submitting(batch);
        return batch;
    }

    private static List<BatchRequest> requests(List<WorkItem> items, Map<String, String> prompts) {
        return items.stream().map(i -> new BatchRequest(i.workKey(), i.prompt(prompts), i.sampleIndex())).toList();
    }

    @Test
    void batchesWhoseDriverDiedWhileCreatingThemAreFoundAtTheProviderAndNeverPaidAgain(SparkSession spark) throws Exception {
        Lake lake = tinyLake(spark, "lake");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(0, 0, 0), tiny(), 0)) {
            // Two Anthropic models whose drivers both died after the provider created their equal-sized batches: Anthropic
            // keeps no metadata, so each lookup must tell its batch from the other by the results' custom ids.
            String registryYaml = entry("a", "anthropic", sim.baseUrl()) + entry("b", "anthropic", sim.baseUrl());
            ModelRegistry registry = GenerationFixture.registry(registryYaml);
            RunSpec spec = RunSpec.parse("run_id: batch-run\nregistry: test-registry.yaml\nmodels:\n  - {model: a, samples: 1, mode: batch}\n"
                    + "  - {model: b, samples: 1, mode: batch}\nbatch: {poll_seconds: 1}\n", "test-spec.yaml");
            Planned plan = plan(lake, spec, registry);
            for (String model : List.of("b", "a")) {
                List<WorkItem> items = plan.items().stream().filter(i -> i.modelId().equals(model)).toList();
                BatchLedger.Batch stranded = strandedSubmission(lake, items, model, "anthropic");
                BatchProtocol.create(registry.find(model).orElseThrow(), KEYS).submit(stranded.batchId(), requests(items, plan.prompts()));
            }
            assertEquals(2, sim.stats().batchesCreated());

            GenerationFixture.Run run = generate(lake, spec, registry);
            assertEquals(2, sim.stats().batchesCreated(), "the rerun found both batches and submitted nothing: " + run.output());
            assertEquals(4, run.result().ok(), run.output());
            for (String model : List.of("a", "b")) {
                BatchLedger.Batch adopted = new BatchLedger(lake).batches(List.of(model)).get(0);
                assertEquals(BatchLedger.State.COLLECTED, adopted.state(), model);
                List<Row> rows = lake.read(Tables.GENERATIONS).where(org.apache.spark.sql.functions.col("model_id").equalTo(model)).collectAsList();
                assertEquals(adopted.workKeys(), rows.stream().map(r -> r.<String>getAs("work_key")).collect(java.util.stream.Collectors.toSet()),
                        model + " stored its own batch's answers");
            }
        }
    }

    @Test
    void aGatewayErrorAfterTheProviderCreatedABatchDoesNotBuyASecondOne(SparkSession spark) throws Exception {
        Lake lake = tinyLake(spark, "lake");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(0, 0, 0), tiny(), 0)) {
            ModelRegistry registry = GenerationFixture.registry(entry("m", "openai-compatible", sim.baseUrl()));
            sim.failBatchCreatesAfterCreating(1);
            GenerationFixture.Run first = generate(lake, spec("m", 2, ""), registry);
            assertEquals(0, first.result().ok());
            assertTrue(first.output().contains("the provider may have created it"), first.output());
            assertEquals(BatchLedger.State.SUBMITTING, new BatchLedger(lake).batches(List.of("m")).get(0).state());

            GenerationFixture.Run second = generate(lake, spec("m", 2, ""), registry);
            assertEquals(1, sim.stats().batchesCreated(), "found by the id in its metadata: " + second.output());
            assertEquals(4, second.result().ok(), second.output());
            assertEquals(4, GenerationFixture.generations(lake).size());
        }
    }

    @Test
    void aBatchTheProviderNeverCreatedIsMarkedLostAndItsItemsSubmittedOnce(SparkSession spark) throws Exception {
        Lake lake = tinyLake(spark, "lake");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(0, 0, 0), tiny(), 0)) {
            ModelRegistry registry = GenerationFixture.registry(entry("m", "gemini", "http://127.0.0.1:" + sim.port() + "/v1beta"));
            RunSpec spec = spec("m", 2, "");
            strandedSubmission(lake, plan(lake, spec, registry).items(), "m", "gemini");
            GenerationFixture.Run run = generate(lake, spec, registry);
            assertTrue(run.output().contains("was never created at the provider"), run.output());
            assertEquals(1, sim.stats().batchesCreated());
            assertEquals(4, run.result().ok());
            List<BatchLedger.Batch> batches = new BatchLedger(lake).batches(List.of("m"));
            assertEquals(List.of(BatchLedger.State.LOST, BatchLedger.State.COLLECTED), batches.stream().map(BatchLedger.Batch::state).toList());
        }
    }

    @Test
    void anOpenBatchIsCollectedWholeByAnotherSpecAndItsItemsAreNeverCalledInRealTime(SparkSession spark) throws Exception {
        Lake lake = tinyLake(spark, "lake");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(3_600_000, 0, 0), tiny(), 0)) {
            ModelRegistry registry = GenerationFixture.registry(entry("m", "openai-compatible", sim.baseUrl()));
            generate(lake, spec("m", 2, "batch: {wait: false}\n"), registry);
            assertEquals(1, sim.stats().batchesCreated());
            // Another spec: one sample only, and the model called in real time now.
            RunSpec realtime = RunSpec.parse("run_id: other\nregistry: test-registry.yaml\nmodels:\n  - {model: m, samples: 1}\n"
                    + "batch: {poll_seconds: 1}\n", "test-spec.yaml");
            sim.endBatchesNow();
            GenerationFixture.Run run = generate(lake, realtime, registry);
            assertEquals(0, sim.stats().accepted(), "the open batch holds the items: no real-time call: " + run.output());
            assertEquals(1, sim.stats().batchesCreated());
            assertEquals(4, GenerationFixture.generations(lake).size(), "the whole batch was stored, the sample this spec does not plan too");
            assertEquals(2, run.result().ok(), "the run counts what it planned: " + run.output());
            assertEquals(BatchLedger.State.COLLECTED, new BatchLedger(lake).batches(List.of("m")).get(0).state());
            assertTrue(GenerationFixture.generations(lake).stream().allMatch(r -> "batch-run".equals(r.getAs("run_id"))),
                    "the generations are the submitting run's");
        }
    }

    @Test
    void anOpenBatchOfAModelNowCalledInRealTimeOnOtherWorkIsCollectedAndACollectionIsNeverStoredTwice(SparkSession spark)
            throws Exception {
        Lake lake = tinyLake(spark, "lake");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(3_600_000, 0.5, 0), tiny(), 0)) {
            ModelRegistry registry = GenerationFixture.registry(entry("m", "openai-compatible", sim.baseUrl()));
            generate(lake, spec("m", 2, "batch: {wait: false}\n"), registry);
            var dryRun = new GenerateJob(lake, spec("m", 2, ""), "test-spec.yaml", registry, KEYS, new PrintWriter(new StringWriter())).dryRun();
            assertEquals(0, dryRun.get(0).toCall(), "what the open batch holds is not to call again");
            sim.endBatchesNow();
            // The model in real time, on other work (the concise prompt): its open batch is collected all the same.
            RunSpec concise = RunSpec.parse("run_id: other\nregistry: test-registry.yaml\nmodels:\n  - {model: m, samples: 1}\n"
                    + "prompt_variants: [concise]\nbatch: {poll_seconds: 1}\n", "test-spec.yaml");
            GenerationFixture.Run run = generate(lake, concise, registry);
            assertEquals(2, sim.stats().accepted(), "the concise items in real time: " + run.output());
            assertTrue(run.output().contains("4 of them for items this run does not plan"), run.output());
            List<Row> rows = GenerationFixture.generations(lake);
            assertEquals(6, rows.size());
            long batchRows = rows.stream().filter(r -> "batch".equals(r.getAs("call_mode"))).count();
            assertEquals(4, batchRows);
            assertTrue(rows.stream().anyMatch(r -> "error".equals(r.getAs("status")) && "batch".equals(r.getAs("call_mode"))),
                    "the seed fails some batch requests");
            BatchLedger ledger = new BatchLedger(lake);
            BatchLedger.Batch collected = ledger.batches(List.of("m")).get(0);
            assertEquals(BatchLedger.State.COLLECTED, collected.state());

            // As if the driver had stopped after storing the results and before recording the collection: collected again,
            // nothing is stored twice, failed rows included.
            ledger.record(collected.next(BatchLedger.State.OPEN, java.time.Instant.now(), null, "test: collection not recorded"), null);
            GenerationFixture.Run again = generate(lake, spec("m", 2, "batch: {poll_seconds: 1}\n"), registry);
            assertEquals(6, GenerationFixture.generations(lake).size(), again.output());
            // The run plans the failed items again and finds them stored by the collection: counted, as no call.
            int failed = (int) rows.stream().filter(r -> "error".equals(r.getAs("status"))).count();
            GenerationFixture.assertProgressCountsEachItemOnce(again.output(), failed);
            assertTrue(again.output().contains("m                                   0        " + failed + "        0 "), again.output());
            assertEquals(BatchLedger.State.COLLECTED, new BatchLedger(lake).batches(List.of("m")).get(0).state());
            assertEquals(1, sim.stats().batchesCreated(), "the failed items go into a new batch only once the old one is closed");
        }
    }

    @Test
    void anAnthropicLookupWaitsWhileASameSizedCandidateIsStillRunning(SparkSession spark) throws Exception {
        Lake lake = tinyLake(spark, "lake");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(3_600_000, 0, 0), tiny(), 0)) {
            ModelRegistry registry = GenerationFixture.registry(entry("m", "anthropic", sim.baseUrl()));
            RunSpec spec = spec("m", 1, "batch: {wait: false}\n");
            Planned plan = plan(lake, spec, registry);
            BatchLedger.Batch stranded = strandedSubmission(lake, plan.items(), "m", "anthropic");
            BatchProtocol.create(registry.find("m").orElseThrow(), KEYS).submit(stranded.batchId(), requests(plan.items(), plan.prompts()));

            GenerationFixture.Run waiting = generate(lake, spec, registry);
            assertTrue(waiting.output().contains("cannot tell yet whether the provider created it"), waiting.output());
            assertEquals(1, sim.stats().batchesCreated(), "nothing submitted while it cannot tell");
            assertEquals(BatchLedger.State.SUBMITTING, new BatchLedger(lake).batches(List.of("m")).get(0).state());

            sim.endBatchesNow();
            GenerationFixture.Run found = generate(lake, spec, registry);
            assertEquals(1, sim.stats().batchesCreated(), found.output());
            assertEquals(2, found.result().ok(), found.output());
            assertEquals(BatchLedger.State.COLLECTED, new BatchLedger(lake).batches(List.of("m")).get(0).state());
        }
    }

    @Test
    void aTeamsReviewStageGoesThroughABatchOnceTheAdvisorsAnswersAreIn(SparkSession spark) throws Exception {
        Lake lake = tinyLake(spark, "lake");
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(0, 0, 0), tiny(), 0)) {
            ModelRegistry registry = GenerationFixture.registry(GenerationFixture.model("adv", "omitter-1", sim.baseUrl(), 600, 4, ""),
                    entry("rev", "openai-compatible", sim.baseUrl()));
            RunSpec spec = RunSpec.parse("""
                    run_id: team-run
                    registry: test-registry.yaml
                    models:
                      - {model: rev, samples: 1, mode: batch}
                    teams:
                      - {id: t, samples: 1, advisor: adv, reviewers: [{role: Guardian, model: rev}]}
                    batch: {poll_seconds: 1}
                    """, "test-spec.yaml");
            GenerationFixture.Run run = generate(lake, spec, registry);
            assertEquals(2, sim.stats().accepted(), "the advisor in real time: " + run.output());
            assertEquals(2, sim.stats().batchesCreated(), "the reviewer's solo answers, then its reviews: " + run.output());
            List<Row> reviews = GenerationFixture.generations(lake).stream().filter(r -> "t".equals(r.getAs("team_id"))).toList();
            assertEquals(2, reviews.size());
            java.util.Set<String> advisorKeys = GenerationFixture.generations(lake).stream().filter(r -> "adv".equals(r.getAs("model_id")))
                    .map(r -> r.<String>getAs("work_key")).collect(java.util.stream.Collectors.toSet());
            for (Row review : reviews) {
                assertEquals("batch", review.getAs("call_mode"));
                assertEquals("rev", review.getAs("model_id"));
                assertEquals(2, (int) review.getAs("team_stage"));
                assertEquals("Advisor + Guardian", review.getAs("team_condition"));
                assertTrue(advisorKeys.contains(review.<String>getAs("reviewed_work_key")), "lineage to the advisor's answer");
                assertTrue(review.<Long>getAs("chain_latency_ms") >= review.<Long>getAs("latency_ms"));
            }
            assertEquals(List.of("models", "team stage 2"), new BatchLedger(lake).batches(List.of("rev")).stream().map(BatchLedger.Batch::stage).toList());
            GenerationFixture.Run again = generate(lake, spec, registry);
            assertEquals(0, again.result().attempted(), again.output());
            assertEquals(2, sim.stats().batchesCreated());
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

    /** The items generate would plan for the spec's models, and the prompts they share. */
    private record Planned(List<WorkItem> items, Map<String, String> prompts) {}

    private static Planned plan(Lake lake, RunSpec spec, ModelRegistry registry) {
        var models = dev.noharm.generation.RunModels.resolve(spec, "test-spec.yaml", registry, KEYS, false);
        var lakeView = new dev.noharm.generation.GenerationsLake(lake);
        var planner = new dev.noharm.generation.plan.Planner(spec, models, lakeView.planInputs(datasetVersion(lake)));
        return new Planned(planner.answers().items(), planner.sharedPrompts());
    }
}
