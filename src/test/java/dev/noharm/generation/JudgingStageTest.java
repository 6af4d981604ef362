package dev.noharm.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.noharm.benchmark.Benchmark;
import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.generation.plan.DryRun;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.GenerationFixture;
import dev.noharm.testing.ScriptedModelServer;
import dev.noharm.testing.ScriptedModelServer.Step;
import dev.noharm.testing.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The judging stage over real HTTP: a simulated model writes free-text plans, scripted judges answer, and the test
 * reads what each judge was sent off the wire; a rerun after a failed judge call, and one with a judge added, pay
 * for the missing judge calls only.
 */
@ExtendWith(SparkTestSession.class)
class JudgingStageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERDICT = "[{\"Option\": 1, \"Recommended\": true, \"Evidence\": \"Drug A\"}]";

    @TempDir
    Path tmp;

    private static String spec(String judges) {
        return "run_id: ft\nregistry: test-registry.yaml\nmodels: [{model: p, task: free_text}]\njudges: [" + judges + "]\n"
                + "retry: {max_attempts: 2, base_delay_ms: 10, max_delay_ms: 50, max_rate_limit_waits: 5}\n"
                + "commit: {every_results: 5, every_seconds: 2}\nconcurrency_per_task: 4\nprogress_seconds: 60\n";
    }

    @Test
    void eachJudgeIsSentTheCaseItsOptionsAndTheStoredPlanAndARerunPaysOnlyWhatIsMissing(SparkSession spark) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        Path bench = BenchmarkFixture.tiny().writeTo(tmp.resolve("bench"));
        GenerationFixture.ingest(lake, BenchmarkSource.folder(bench.toString(), new Configuration()));
        Benchmark tiny = new BenchmarkReader().read(BenchmarkSource.folder(bench.toString(), new Configuration()));
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(5, 0.2), tiny, 0);
                ScriptedModelServer judges = new ScriptedModelServer()) {
            judges.script("judge-one", Step.body(ScriptedModelServer.completionWith("judge-one", VERDICT)),
                    Step.body(ScriptedModelServer.completionWith("judge-one", VERDICT)));
            // The second judge's first call is refused for good (a 400 is never retried): the jury is left incomplete.
            judges.script("judge-two", Step.status(400), Step.body(ScriptedModelServer.completionWith("judge-two", VERDICT)),
                    Step.body(ScriptedModelServer.completionWith("judge-two", VERDICT)));
            ModelRegistry registry = GenerationFixture.registry(
                    GenerationFixture.model("p", "careful-1", sim.baseUrl(), 600, 4, ""),
                    GenerationFixture.model("j1", "judge-one", judges.baseUrl(), 600, 4, ""),
                    GenerationFixture.model("j2", "judge-two", judges.baseUrl(), 600, 4, ""),
                    GenerationFixture.model("j3", "judge-three", judges.baseUrl(), 600, 4, ""));

            // Before anything exists, a dry run prices each judge's two calls on the longest plan it could be shown.
            List<DryRun.Estimate> dry = new GenerateJob(lake, RunSpec.parse(spec("{model: j1}, {model: j2}"), "test-spec.yaml"),
                    "test-spec.yaml", registry, name -> null, new PrintWriter(new StringWriter())).dryRun();
            assertEquals(List.of("p models 2", "j1 judges 2", "j2 judges 2"), dry.stream().map(e -> e.model() + " " + e.stage() + " " + e.toCall()).toList());
            assertTrue(dry.get(1).inputTokens() > dev.noharm.generation.PromptBuilder.MAX_JUDGED_CHARS / 4, dry.get(1).toString());

            GenerationFixture.Run first = GenerationFixture.generate(lake, RunSpec.parse(spec("{model: j1}, {model: j2}"), "test-spec.yaml"),
                    registry, name -> null);
            assertEquals(6, first.result().planned(), "2 plans, then 2 judges x 2 plans");
            assertEquals(5, first.result().ok());
            assertEquals(1, first.result().failed());

            // What each judge was sent, read off the wire, is the judge prompt over the plan stored for that answer.
            Set<String> expected = new HashSet<>();
            for (Row plan : lake.read(Tables.GENERATIONS).where("model_id = 'p'").collectAsList()) {
                assertEquals("free_text", plan.getAs("task"));
                String caseId = plan.getAs("case_id");
                String caseText = tiny.cases().stream().filter(c -> c.caseId().equals(caseId)).findFirst().orElseThrow().text();
                String prompt = PromptBuilder.prompt("plan-500-words", caseText, tiny.optionsByCase().get(caseId));
                assertTrue(prompt.endsWith("\n" + caseText) && !prompt.contains("Drug A"), "a free-text prompt shows the case alone");
                expected.add(PromptBuilder.judgePrompt(caseText, tiny.optionsByCase().get(caseId), plan.getAs("response_text")));
            }
            assertEquals(2, expected.size());
            assertEquals(expected, sentPrompts(judges.requests("judge-one")));
            assertEquals(expected, sentPrompts(judges.requests("judge-two")));
            assertTrue(expected.stream().allMatch(p -> p.contains("1: Medication: Drug A") || p.contains("1: Diagnostic: Test X")));

            List<Row> judgeRows = lake.read(Tables.GENERATIONS).where("model_id = 'j1'").collectAsList();
            Set<String> planKeys = new TreeSet<>(lake.read(Tables.GENERATIONS).where("model_id = 'p'").select("work_key").as(
                    org.apache.spark.sql.Encoders.STRING()).collectAsList());
            assertEquals(planKeys, new TreeSet<>(judgeRows.stream().map(r -> r.<String>getAs("judged_work_key")).toList()));
            assertTrue(judgeRows.stream().allMatch(r -> "judge".equals(r.getAs("task"))));
            List<Row> judgments = lake.read(Tables.JUDGMENTS).orderBy("judge", "case_id").collectAsList();
            assertEquals(List.of("j1", "j1", "j2"), judgments.stream().map(r -> r.<String>getAs("judge")).toList(),
                    "judgments of the ok judge calls only");
            assertEquals("p/plan-500-words", judgments.get(0).getAs("responder"));
            assertEquals(List.of(1), judgments.get(0).getList(judgments.get(0).fieldIndex("recommended_options")));
            long plansServed = sim.stats().served();

            // Rerun: only the refused judge call is made again.
            GenerationFixture.Run rerun = GenerationFixture.generate(lake, RunSpec.parse(spec("{model: j1}, {model: j2}"), "test-spec.yaml"),
                    registry, name -> null);
            assertEquals(5, rerun.result().alreadyDone());
            assertEquals(1, rerun.result().attempted());
            assertEquals(plansServed, sim.stats().served(), "no plan is asked for again");
            assertEquals(2, judges.requests("judge-one").size());
            assertEquals(3, judges.requests("judge-two").size());
            assertEquals(4, lake.read(Tables.JUDGMENTS).count());

            // A third judge joins the jury: its two calls, and nothing else.
            GenerationFixture.Run widened = GenerationFixture.generate(lake,
                    RunSpec.parse(spec("{model: j1}, {model: j2}, {model: j3}"), "test-spec.yaml"), registry, name -> null);
            assertEquals(2, widened.result().attempted());
            assertEquals(2, judges.requests("judge-three").size());
            assertEquals(List.of(2, 3), List.of(judges.requests("judge-one").size(), judges.requests("judge-two").size()));
            assertEquals(plansServed, sim.stats().served());
            assertEquals(6, lake.read(Tables.JUDGMENTS).count());

            // A new version of the planner writes new plans, and the judges now see option 2 in them: each version is
            // scored on the judgments of its own plans, never on the other's.
            String secondVerdict = "[{\"Option\": 2, \"Recommended\": true, \"Evidence\": \"the second\"}]";
            for (String judge : List.of("judge-one", "judge-two", "judge-three")) {
                judges.script(judge, Step.body(ScriptedModelServer.completionWith(judge, secondVerdict)),
                        Step.body(ScriptedModelServer.completionWith(judge, secondVerdict)));
            }
            ModelRegistry version2 = GenerationFixture.registry(
                    GenerationFixture.model("p", "careful-1", sim.baseUrl(), 600, 4, "", "2"),
                    GenerationFixture.model("j1", "judge-one", judges.baseUrl(), 600, 4, ""),
                    GenerationFixture.model("j2", "judge-two", judges.baseUrl(), 600, 4, ""),
                    GenerationFixture.model("j3", "judge-three", judges.baseUrl(), 600, 4, ""));
            GenerationFixture.Run second = GenerationFixture.generate(lake,
                    RunSpec.parse(spec("{model: j1}, {model: j2}, {model: j3}"), "test-spec.yaml"), version2, name -> null);
            assertEquals(2 + 6, second.result().attempted(), "two new plans, three judges each");
            new dev.noharm.scoring.ScoreJob(lake, new PrintWriter(new StringWriter()),
                    dev.noharm.scoring.ScoreConfig.Given.jury(dev.noharm.judging.Jury.Rule.MAJORITY, List.of()),
                    dev.noharm.teams.DerivedResponders::fromSpecs).run(List.of());
            for (String version : List.of("1", "2")) {
                List<Row> recommended = lake.read(Tables.DECISIONS).where("responder = 'p/plan-500-words' "
                        + "AND recommended AND version = '" + version + "'").orderBy("case_id").collectAsList();
                assertEquals(List.of("c1 " + version, "c2 " + version),
                        recommended.stream().map(r -> r.getAs("case_id") + " " + r.<Integer>getAs("option_no")).toList(), "version " + version);
            }

            // The report's jury panels, one per version, each with what the judge calls on its plans cost (the refused call cost nothing).
            String datasetVersion = lake.read(Tables.DATASET_VERSIONS).first().getAs("dataset_version");
            List<dev.noharm.report.ReportData.JuryPanel> panels = dev.noharm.report.ReportData.from(lake, datasetVersion, "Majority").juries();
            assertEquals(2, panels.size());
            for (String version : List.of("1", "2")) {
                double paid = lake.read(Tables.GENERATIONS).where("judged_work_key IN (SELECT work_key FROM "
                        + lake.tableName(Tables.GENERATIONS) + " WHERE model_id = 'p' AND model_version = '" + version + "')")
                        .agg(org.apache.spark.sql.functions.sum("cost_usd")).first().getDouble(0);
                long panelsOfVersion = panels.stream().filter(p -> Math.abs(p.judgeCostUsd() - paid) < 1e-12).count();
                assertTrue(paid > 0 && panelsOfVersion >= 1, "version " + version + ": judges cost " + paid + ", panels " + panels);
            }

            // A jury naming a judge with no judgments is refused before anything is written.
            long scores = lake.read(Tables.SCORE_RUNS).count();
            dev.noharm.validation.InvalidInputException unknown = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.noharm.validation.InvalidInputException.class, () -> new dev.noharm.scoring.ScoreJob(lake,
                            new PrintWriter(new StringWriter()), dev.noharm.scoring.ScoreConfig.Given.jury(null, List.of("j1", "j9")),
                            dev.noharm.teams.DerivedResponders::fromSpecs).run(List.of()));
            assertTrue(unknown.problems().get(0).message().startsWith("no judgments by j9 in dataset version ")
                    && unknown.problems().get(0).message().contains("(judges there: j1, j2, j3)"), unknown.problems().toString());
            assertEquals(scores, lake.read(Tables.SCORE_RUNS).count());

            // People's judgments: a name an LLM judge has is refused, and so is a line that cannot say which version's plan it judges.
            String version = lake.read(Tables.DATASET_VERSIONS).first().getAs("dataset_version");
            java.nio.file.Files.write(tmp.resolve("people.jsonl"), List.of(
                    "{\"judge\": \"j1\", \"responder\": \"p/plan-500-words\", \"trial\": 1, \"case_id\": \"c1\", \"verdicts\": []}",
                    "{\"judge\": \"dr-k\", \"responder\": \"p/plan-500-words\", \"trial\": 1, \"case_id\": \"c2\", \"verdicts\": []}"));
            dev.noharm.validation.InvalidInputException people = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.noharm.validation.InvalidInputException.class,
                    () -> new dev.noharm.judging.ImportJudgments(lake).importFile(tmp.resolve("people.jsonl").toString(), version));
            assertEquals(List.of("people.jsonl:1: judge: \"j1\" is an LLM judge's registry id in this lake; give imported judges names of their own, "
                            + "so the two are never counted as one",
                    "people.jsonl:1: responder: \"p/plan-500-words\" answered case \"c1\" in trial 1 under 2 model versions, and a judgment "
                            + "line names a responder, trial and case, not a version, so it cannot say which answer it judges",
                    "people.jsonl:2: responder: \"p/plan-500-words\" answered case \"c2\" in trial 1 under 2 model versions, and a judgment "
                            + "line names a responder, trial and case, not a version, so it cannot say which answer it judges"),
                    people.problems().stream().map(dev.noharm.validation.ValidationProblem::toString).toList());
        }
    }

    /** The user message of each OpenAI chat request body. */
    private static Set<String> sentPrompts(List<String> requests) throws Exception {
        Set<String> prompts = new HashSet<>();
        for (String request : requests) {
            JsonNode messages = JSON.readTree(request).path("messages");
            prompts.add(messages.get(messages.size() - 1).path("content").asText());
        }
        return prompts;
    }
}
