package dev.noharm.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.generation.plan.DryRun;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.scoring.HarmWeights;
import dev.noharm.scoring.ScoreJob;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.GenerationFixture;
import dev.noharm.testing.ScriptedModelServer.Step;
import dev.noharm.testing.ScriptedModelServer;
import dev.noharm.testing.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Teams: Advisor, then Guardian, then Steward, each a real call over HTTP to a scripted server. */
@ExtendWith(SparkTestSession.class)
class TeamChainTest {
    @TempDir
    Path tmp;

    private static final String TEAM = """
            teams:
              - id: trio
                samples: 1
                advisor: adv
                reviewers:
                  - {role: Guardian, model: grd}
                  - {role: Steward, model: stw}
            """;

    private static Step answer(String model, String marker) {
        return Step.body(ScriptedModelServer.completionWith(model,
                "[{\"Option\": 1, \"GradeAI\": \"Appropriate\", \"Rationale\": \"" + marker + "\"}]"));
    }

    private Lake lake(SparkSession spark) {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        GenerationFixture.ingest(lake, BenchmarkSource.folder(BenchmarkFixture.tiny().writeTo(tmp.resolve("bench")).toString(), new Configuration()));
        return lake;
    }

    private static ModelRegistry registry(ScriptedModelServer server) {
        return GenerationFixture.registry(
                GenerationFixture.model("adv", "adv", server.baseUrl(), 600, 4, ""),
                GenerationFixture.model("grd", "grd", server.baseUrl(), 600, 4, ""),
                GenerationFixture.model("stw", "stw", server.baseUrl(), 600, 4, ""));
    }

    @Test
    void eachReviewerSeesThePreviousGradesAndEveryStageIsStoredWithItsLineage(SparkSession spark) throws Exception {
        Lake lake = lake(spark);
        try (ScriptedModelServer server = new ScriptedModelServer()) {
            server.script("adv", answer("adv", "ADVISOR-SAYS"), answer("adv", "ADVISOR-SAYS"))
                    .script("grd", answer("grd", "GUARDIAN-SAYS"), answer("grd", "GUARDIAN-SAYS"))
                    .script("stw", answer("stw", "STEWARD-SAYS"), answer("stw", "STEWARD-SAYS"));
            GenerationFixture.generate(lake, GenerationFixture.spec("teams", Map.of(), TEAM), registry(server), name -> null);

            assertEquals(2, server.requests("adv").size(), "one advisor call per case");
            assertTrue(server.requests("grd").stream().allMatch(r -> r.contains("ADVISOR-SAYS") && r.contains("safety reviewer")),
                    "the guardian saw the advisor's grades and its own instruction");
            assertTrue(server.requests("stw").stream().allMatch(r -> r.contains("GUARDIAN-SAYS") && !r.contains("ADVISOR-SAYS")
                    && r.contains("stewardship reviewer")), "the steward saw the guardian's grades");

            Map<String, Row> byModelAndCase = GenerationFixture.generations(lake).stream()
                    .collect(Collectors.toMap(r -> r.getAs("model_id") + "/" + r.getAs("case_id"), r -> r));
            assertEquals(6, byModelAndCase.size());
            for (String c : List.of("c1", "c2")) {
                Row advisor = byModelAndCase.get("adv/" + c);
                Row guardian = byModelAndCase.get("grd/" + c);
                Row steward = byModelAndCase.get("stw/" + c);
                assertEquals(null, (Object) advisor.getAs("team_id"), "the advisor's call is an ordinary generation");
                assertEquals(advisor.<String>getAs("work_key"), guardian.getAs("reviewed_work_key"));
                assertEquals(guardian.<String>getAs("work_key"), steward.getAs("reviewed_work_key"));
                assertEquals(List.of("trio", 2, 3, "Advisor + Guardian + Steward"), List.of(guardian.getAs("team_id"),
                        guardian.getAs("team_stage"), guardian.getAs("team_size"), guardian.getAs("team_condition")));
                assertEquals("Test model adv + Test model grd + Test model stw", steward.getAs("team_display_name"));
                assertEquals("openai-compatible + openai-compatible + openai-compatible", steward.getAs("team_providers"));
                assertEquals("Lab adv + Lab grd + Lab stw", steward.getAs("team_organizations"));
                assertEquals(advisor.<Long>getAs("latency_ms") + guardian.<Long>getAs("latency_ms") + steward.<Long>getAs("latency_ms"),
                        steward.<Long>getAs("chain_latency_ms"));
            }

            // Scored as one responder, named as CONTRACT section 5 says, on the steward's answers.
            new ScoreJob(lake, HarmWeights.defaults(), new PrintWriter(new StringWriter())).run(List.of());
            Row team = lake.read(Tables.METRICS).where("responder = 'trio' AND metric = 'Safety' AND grading = 'Majority' AND cases = 'AllCases'").first();
            assertEquals(List.of("Test model adv + Test model grd + Test model stw", "3-Agent Teams", "Advisor + Guardian + Steward",
                    "Lab adv + Lab grd + Lab stw"),
                    List.of(team.getAs("display_name"), team.getAs("team"), team.getAs("condition"), team.getAs("provider")));
            assertEquals(2, lake.read(Tables.SCORED_RESPONSES).where("responder = 'trio'").count());
            assertEquals(2, lake.read(Tables.SCORED_RESPONSES).where("responder = 'adv' AND condition = 'Advisor'").count(),
                    "the advisor's own answers also score it as a solo model");
        }
    }

    @Test
    void aStageWhoseInputFailedIsNotCalledAndARerunResumesMidChain(SparkSession spark) throws Exception {
        Lake lake = lake(spark);
        try (ScriptedModelServer server = new ScriptedModelServer()) {
            // The guardian refuses its first request (400: never retried), so one steward call has no input.
            server.script("grd", Step.status(400));
            GenerationFixture.Run first = GenerationFixture.generate(lake, GenerationFixture.spec("teams", Map.of(), TEAM), registry(server), name -> null);
            assertEquals(List.of(2, 2, 1), List.of(server.requests("adv").size(), server.requests("grd").size(), server.requests("stw").size()));
            assertTrue(first.output().contains("1 not planned because the answer they review is missing (its call failed or was not made)"), first.output());
            assertEquals(1, first.result().failed());

            GenerationFixture.Run second = GenerationFixture.generate(lake, GenerationFixture.spec("teams", Map.of(), TEAM), registry(server), name -> null);
            assertEquals(List.of(2, 3, 2), List.of(server.requests("adv").size(), server.requests("grd").size(), server.requests("stw").size()),
                    "only the failed guardian call and the steward call after it");
            assertEquals(2, second.result().attempted());
            assertEquals(2, lake.read(Tables.GENERATIONS).where("model_id = 'stw' AND status = 'ok'").count());
        }
    }

    @Test
    void aModelThatReviewsItselfKeepsEveryStagesRows(SparkSession spark) throws Exception {
        // Stages are separate Spark jobs writing into the same model's folder: no file may replace another's.
        Lake lake = lake(spark);
        try (ScriptedModelServer server = new ScriptedModelServer()) {
            String selfReview = """
                    teams:
                      - {id: self, samples: 2, advisor: adv, reviewers: [{role: Guardian, model: adv}]}
                    """;
            GenerationFixture.generate(lake, GenerationFixture.spec("self", Map.of(), selfReview), registry(server), name -> null);
            assertEquals(8, server.requests("adv").size(), "2 cases x 2 samples x 2 stages");
            assertEquals(8, lake.read(Tables.GENERATIONS).where("status = 'ok'").count());
            assertEquals(4, lake.read(Tables.GENERATIONS).where("team_stage = 2").count());
        }
    }

    @Test
    void aDryRunCallsNothingAndCountsWhatIsLeft(SparkSession spark) throws Exception {
        Lake lake = lake(spark);
        try (ScriptedModelServer server = new ScriptedModelServer()) {
            RunSpec spec = GenerationFixture.spec("dry", Map.of("adv", 1), TEAM);
            List<DryRun.Estimate> before = new GenerateJob(lake, spec, "test-spec.yaml", registry(server), name -> null,
                    new PrintWriter(new StringWriter())).dryRun();
            assertEquals(0, server.requests("adv").size() + server.requests("grd").size() + server.requests("stw").size());
            assertEquals(0, lake.read(Tables.GENERATIONS).count(), "a dry run writes nothing");
            // adv once per case (its solo sample 1 is the team's advisor call), then each reviewer once per case.
            assertEquals(List.of("adv models 2", "grd team trio stage 2 2", "stw team trio stage 3 2"),
                    before.stream().map(e -> e.model() + " " + e.stage() + " " + e.toCall()).toList());
            DryRun.Estimate advisor = before.get(0);
            assertEquals(2 * 512, advisor.maxOutputTokens(), "max_output_tokens per call");
            assertEquals((advisor.inputTokens() * 2.0 + advisor.maxOutputTokens() * 10.0) / 1_000_000, advisor.maxCostUsd(), 1e-12);

            GenerationFixture.generate(lake, spec, registry(server), name -> null);
            List<DryRun.Estimate> after = new GenerateJob(lake, spec, "test-spec.yaml", registry(server), name -> null,
                    new PrintWriter(new StringWriter())).dryRun();
            assertTrue(after.stream().allMatch(e -> e.toCall() == 0 && e.maxCostUsd() == 0.0), after.toString());
        }
    }
}
