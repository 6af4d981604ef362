package dev.noharm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.testing.SubmitProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./submit.sh demo}: the one command a newcomer runs, with no keys, from an empty folder. */
class DemoIT {
    private static int run(Path work, Map<String, String> env, String... args) throws Exception {
        return SubmitProcess.run(work, env, 5, List.of(args));
    }

    @Test
    void theDemoRunsEndToEndWithNoKeysAndLeavesNothingToCall(@TempDir Path work) throws Exception {
        assertEquals(0, run(work, Map.of(), "demo"));
        String out = Files.readString(work.resolve("stdout.txt"));
        // Stage 1: 4 chat models (11 trials x 23 cases) + the leaderboard-protocol system (23) + the free-text planner (2 x 23).
        assertTrue(out.contains("322 items planned, 0 already done, 322 to call"), out);
        assertTrue(out.contains("generate: 322/322 items (100%)"), out);
        assertTrue(out.contains("sim-careful") && out.contains("tokens in"), "per-model summary: " + out);
        assertTrue(out.contains("team stage 2: 92 items planned, 0 already done, 92 to call")
                && out.contains("team stage 3: 46 items planned, 0 already done, 46 to call"), "the teams' review stages: " + out);
        // The jury: three judges on each of the planner's 46 plans, after every answer stage.
        assertTrue(out.contains("judges: 138 items planned, 0 already done, 138 to call"), out);
        assertTrue(out.contains("generate: 138 judge answers recorded in the judgments table"), out);
        // sim-random (2 x 23) and judge C (46 plans) go through the simulated OpenAI batch API, one batch each.
        assertTrue(out.contains("of sim-random (completed): 46 answered, 0 failed, 0 unanswered"), out);
        assertTrue(out.contains("of sim-judge-c (completed): 46 answered, 0 failed, 0 unanswered"), out);
        assertTrue(out.contains("batchesCreated=2, batchRequests=92"), out);
        // 23 cases (20 and 3 perturbed copies): 4 chat models (11 trials: 253) + the leaderboard-protocol system (23)
        // + a 2-agent and a 3-agent team (46 each) + No Intervention (23) + Random Intervention (5 x 23) + the
        // majority of three models (3 trials x 23) + the free-text planner (2 x 23).
        assertTrue(out.contains("score: dataset ") && out.contains("11 responders, 621 responses"), out);
        assertTrue(out.contains("Simulated careful model"), "headline table: " + out);
        try (Stream<Path> exports = Files.list(work.resolve("lake/exports"))) {
            Path csv = exports.filter(p -> p.getFileName().toString().endsWith("-long.csv")).findFirst().orElseThrow();
            List<String> lines = Files.readAllLines(csv);
            assertEquals("Model,Team,Condition,Harm,Metric,trials,mean,sd,se,ci,Format,Cases,Grading,Type,Label,Provider", lines.get(0));
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("Simulated careful model,Solo Models,Advisor,All,Safety,3,")), "3 trials");
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("Simulated model that over-treats + Simulated careful model + Simulated careful model,"
                    + "3-Agent Teams,Advisor + Guardian + Steward,All,Safety,2,")), "the 3-agent team");
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("No Intervention,Solo Models,Control,All,Safety,1,")), "the control");
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("Simulated free-text planner (plan-500-words prompt),Solo Models,Advisor,All,Safety,2,")
                    && l.contains(",FT,AllCases,Majority,")), "the free-text planner, Format FT");
            assertTrue(lines.stream().noneMatch(l -> l.startsWith("Simulated careful model,") && l.contains(",FT,")), "options models are NO");
            for (String kind : List.of("sex", "age", "lab_values")) {
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("Simulated careful model,Solo Models,Advisor,All,SafetyShift,3,")
                        && l.contains(",Perturbation=" + kind + ",Majority,")), "robustness of the careful model, " + kind);
            }
        }
        assertTrue(out.contains("demo: HTML report"), out);
        String report = Files.readString(work.resolve("lake/report/index.html"));
        assertTrue(report.contains("Simulated careful model") && report.contains("echarts.min.js"), "the report embeds the results");
        assertTrue(report.contains("\"perturbation\":\"lab_values\""), "the report's robustness panel has the demo's shifts");
        assertTrue(report.contains("\"otherJudge\":\"sim-judge-b\""), "the report's jury panel has the judges' agreement");
        assertTrue(Files.size(work.resolve("lake/report/echarts.min.js")) > 500_000, "the chart library is bundled");
        // A second demo would call nothing: every stage's items are in the lake (the dry run reads the same plan).
        assertEquals(0, run(work, Map.of("SIMULATOR_URL", "http://127.0.0.1:9/v1"), "generate", "--spec", "jobs/demo.yaml", "--dry-run"));
        String again = Files.readString(work.resolve("stdout.txt")).substring(out.length());
        assertTrue(again.contains("generate --dry-run: 0 calls, at most $0.0000 (at most $0.0000 through batch APIs)"), again);
        // Six models, three team stages and three judges, each with all its planned items done and none to call.
        assertEquals(12, again.lines().filter(l -> l.matches("sim-\\S+ +\\S.* (\\d+) +\\1 +0 +0 +0 +0\\.0000 +0\\.0000")).count(), again);
        assertTrue(again.contains("team overtreater-guarded-stewarded stage 3         46       46        0"), again);
    }
}
