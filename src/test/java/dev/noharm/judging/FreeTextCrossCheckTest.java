package dev.noharm.judging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.scoring.ImportResponses;
import dev.noharm.scoring.ScoreConfig;
import dev.noharm.scoring.ScoreJob;
import dev.noharm.teams.DerivedResponders;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.GenerationFixture;
import dev.noharm.testing.SparkTestSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * CONTRACT section 6 (free-text plans scored by a jury of judges) against an independent plain-Java reading written
 * from the contract's text alone, without looking at the implementation: each judge's answer is parsed here (first
 * top-level JSON array, options outside 1..n and non-boolean {@code Recommended} ignored, conflicting options not
 * recommended, a missing array a judge parse failure), the jury verdict is formed here (majority, unanimous, any; m = 0
 * a parse failure of the answer), and the results are compared with the pipeline's decisions, scored responses,
 * ParseFailureRate, JudgeAgreement and JudgeKappa, and plan flags.
 */
@ExtendWith(SparkTestSession.class)
class FreeTextCrossCheckTest {
    private static final double EPS = 1e-12;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The number of options per case in {@link BenchmarkFixture#tiny()}. */
    private static final Map<String, Integer> OPTIONS = Map.of("c1", 3, "c2", 2);
    private static final Set<String> RESPONDERS = Set.of("planner-a", "planner-b");

    /** An imported free-text answer and the plan flag it should get (null: none). */
    record Answer(String responder, int trial, String caseId, String plan, String flag) {
        String key() {
            return responder + "|" + trial + "|" + caseId;
        }

        int options() {
            return OPTIONS.get(caseId);
        }

        @Override
        public String toString() {
            return responder + " trial " + trial + " case " + caseId;
        }
    }

    /** An imported judgment; verdicts is JSON with ' for " (an array, or with rawText the judge's raw text). */
    record Judgment(String judge, String responder, int trial, String caseId, boolean rawText, String verdicts) {
        String answerKey() {
            return responder + "|" + trial + "|" + caseId;
        }

        JsonNode verdictsNode() {
            String text = verdicts.replace('\'', '"');
            try {
                return rawText ? TextNode.valueOf(text) : JSON.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** One judge's reading of one answer; recommended null means a judge parse failure. */
    record Reading(Set<Integer> recommended, int invalid, boolean conflicting) {
        boolean failure() {
            return recommended == null;
        }
    }

    /** The jury verdict on one answer: m judges parsed (0: a parse failure), R_c, and the jury's invalid entries / conflicts. */
    record Verdict(int judges, Set<Integer> recommended, int invalid, boolean conflicting) {
        boolean parseFailure() {
            return judges == 0;
        }
    }

    private static final List<Answer> ANSWERS = List.of(
            new Answer("planner-a", 1, "c1", "Assessment: exertional chest pain, most likely stable angina.\n1. Start drug A.\n2. Refer to cardiology.", null),
            new Answer("planner-a", 1, "c2", "Assessment: new daily headaches without red flags.\n1. Order test X.\n2. Start drug Y at a low dose.", null),
            new Answer("planner-a", 2, "c1", "1. Drug A\n2. Refer", "short"),
            new Answer("planner-a", 2, "c2", "Assessment: probably tension-type headaches. Plan: order test X, reassure the patient and review "
                    + "once the result is back, without any medication for now.", "unnumbered"),
            new Answer("planner-b", 1, "c2", "Assessment: headaches with a new focal sign.\n1. Order test X today.\n2. Start drug Y.\n"
                    + "3. Review in one week.", null));

    private static final List<Judgment> JUDGMENTS = List.of(
            // planner-a trial 1 c1: j1 and j2 parse (m = 2, so one vote of two is a tie), j3 has no array at all.
            array("j1", "planner-a", 1, "c1", "[{'Option':1,'Recommended':true,'Evidence':'Start drug A'},"
                    + "{'Option':2,'Recommended':true,'Evidence':'Refer to cardiology'},{'Option':3,'Recommended':false,'Evidence':''},"
                    + "{'Option':4,'Recommended':true,'Evidence':'out of range'}]"),
            text("j2", "planner-a", 1, "c1", "Here is my mapping of the plan.\n```json\n"
                    + "[{'Option': 1, 'Recommended': true, 'Evidence': 'Start drug A [item 1]'},\n"
                    + " {'Option': 2, 'Recommended': 'true', 'Evidence': 'Refer [item 2]'},\n"
                    + " {'Option': 0, 'Recommended': true, 'Evidence': 'none'}]\n```\nOption 3 is not in the plan."),
            text("j3", "planner-a", 1, "c1", "I am unable to map this plan onto the options."),
            // planner-a trial 1 c2: every judge fails (m = 0): a truncated array, prose, a bare object.
            text("j1", "planner-a", 1, "c2", "```json\n[{'Option': 1, 'Recommended': true, 'Evidence': 'Order test X'},"),
            text("j2", "planner-a", 1, "c2", "No recommendation of the plan matches an option."),
            text("j3", "planner-a", 1, "c2", "{'Option': 1, 'Recommended': true}"),
            // planner-a trial 2 c1: all three parse (m = 3). j1 lists option 2 both ways; j2 grades with 1 and null;
            // j3's raw text holds two arrays (the first counts).
            array("j1", "planner-a", 2, "c1", "[{'Option':1,'Recommended':true},{'Option':2,'Recommended':false},"
                    + "{'Option':2,'Recommended':true},{'Option':3,'Recommended':false}]"),
            array("j2", "planner-a", 2, "c1", "[{'Option':1,'Recommended':1},{'Option':2,'Recommended':true},{'Option':3,'Recommended':null}]"),
            text("j3", "planner-a", 2, "c1", "```json\n[{'Option':1,'Recommended':true},{'Option':2,'Recommended':true},"
                    + "{'Option':3,'Recommended':true}]\n```\nOn reflection, option 3 is doubtful: [{'Option':3,'Recommended':false}]"),
            // planner-a trial 2 c2: judged by j1 and j3 only (an even jury; option 3 is out of range for c2).
            array("j1", "planner-a", 2, "c2", "[{'Option':1,'Recommended':true},{'Option':3,'Recommended':true}]"),
            array("j3", "planner-a", 2, "c2", "[{'Option':1,'Recommended':false},{'Option':2,'Recommended':false}]"),
            // planner-b trial 1 c2: j1 and j2 recommend everything (their kappa has p_e = 1); j2 lists option 1 twice
            // the same way (not a conflict); j3's "true" as a string is ignored.
            text("j1", "planner-b", 1, "c2", "Mapping below.\n```json\n[\n  {'Option': 1, 'Recommended': true, 'Evidence': 'Order test X today'},\n"
                    + "  {'Option': 2, 'Recommended': true, 'Evidence': 'Start drug Y'}\n]\n```"),
            array("j2", "planner-b", 1, "c2", "[{'Option':1,'Recommended':true},{'Option':1,'Recommended':true},{'Option':2,'Recommended':true}]"),
            array("j3", "planner-b", 1, "c2", "[{'Option':1,'Recommended':true},{'Option':2,'Recommended':'true'}]"));

    @Test
    void everyJuryRuleAgreesWithAnIndependentReading(SparkSession spark, @TempDir Path tmp) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        String version = prepare(lake, tmp);
        Map<String, Map<String, Reading>> readings = readings();
        assertScenario(readings);

        for (Jury.Rule rule : List.of(Jury.Rule.MAJORITY, Jury.Rule.UNANIMOUS, Jury.Rule.ANY)) {
            score(lake, version, rule, List.of());
            checkScore(lake, readings, rule, List.of());
            if (rule == Jury.Rule.MAJORITY) {
                checkAgreement(lake, readings, List.of());
            }
        }
    }

    @Test
    void aJuryOfTwoJudgesCountsOnlyThem(SparkSession spark, @TempDir Path tmp) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        String version = prepare(lake, tmp);
        Map<String, Map<String, Reading>> readings = readings();
        List<String> jury = List.of("j1", "j2");
        // The restriction matters: planner-a trial 2 c2 has only j1 left (m = 1), so its tie becomes a recommendation.
        Verdict restricted = verdict(readings.get("planner-a|2|c2"), Jury.Rule.MAJORITY, jury, 2);
        assertEquals(1, restricted.judges(), "oracle: m over j1, j2");
        assertEquals(Set.of(1), restricted.recommended(), "oracle: j1 alone decides");

        score(lake, version, Jury.Rule.MAJORITY, jury);
        checkScore(lake, readings, Jury.Rule.MAJORITY, jury);
        checkAgreement(lake, readings, jury);
    }

    // ---- the fixture ----

    private static Judgment array(String judge, String responder, int trial, String caseId, String verdicts) {
        return new Judgment(judge, responder, trial, caseId, false, verdicts);
    }

    private static Judgment text(String judge, String responder, int trial, String caseId, String verdicts) {
        return new Judgment(judge, responder, trial, caseId, true, verdicts);
    }

    /** Ingests the tiny benchmark, imports the answers and the judgments, and returns the dataset version. */
    private static String prepare(Lake lake, Path tmp) throws Exception {
        Path bench = BenchmarkFixture.tiny().writeTo(tmp.resolve("bench"));
        GenerationFixture.ingest(lake, BenchmarkSource.folder(bench.toString(), new Configuration()));
        String version = lake.read(Tables.DATASET_VERSIONS).first().getAs("dataset_version");

        List<String> answerLines = new ArrayList<>();
        for (Answer a : ANSWERS) {
            ObjectNode line = JSON.createObjectNode().put("responder", a.responder()).put("trial", a.trial())
                    .put("case_id", a.caseId()).put("task", "free_text").put("response", a.plan());
            answerLines.add(JSON.writeValueAsString(line));
        }
        Path answers = Files.write(tmp.resolve("answers.jsonl"), answerLines);
        new ImportResponses(lake).importFile(answers.toString(), version);

        List<String> judgmentLines = new ArrayList<>();
        for (Judgment j : JUDGMENTS) {
            ObjectNode line = JSON.createObjectNode().put("judge", j.judge()).put("responder", j.responder())
                    .put("trial", j.trial()).put("case_id", j.caseId());
            line.set("verdicts", j.verdictsNode());
            judgmentLines.add(JSON.writeValueAsString(line));
        }
        Path judgments = Files.write(tmp.resolve("judgments.jsonl"), judgmentLines);
        new ImportJudgments(lake).importFile(judgments.toString(), version);
        return version;
    }

    private static void score(Lake lake, String version, Jury.Rule rule, List<String> judges) {
        new ScoreJob(lake, new PrintWriter(new StringWriter(), true), ScoreConfig.Given.jury(rule, judges),
                DerivedResponders::fromSpecs).run(List.of(version));
    }

    // ---- the independent reading of section 6 ----

    /** Every judge's reading, per answer key (responder|trial|case) and judge. */
    private static Map<String, Map<String, Reading>> readings() {
        Map<String, Map<String, Reading>> readings = new TreeMap<>();
        for (Judgment j : JUDGMENTS) {
            Reading reading = read(j.verdictsNode(), OPTIONS.get(j.caseId()));
            assertNull(readings.computeIfAbsent(j.answerKey(), k -> new TreeMap<>()).put(j.judge(), reading), "one judgment per judge");
        }
        return readings;
    }

    /** A judge's answer as section 6 reads it, for a case with n options. */
    private static Reading read(JsonNode verdicts, int n) {
        JsonNode array = verdicts.isArray() ? verdicts : verdicts.isTextual() ? firstArray(verdicts.asText()) : null;
        if (array == null) {
            return new Reading(null, 0, false);
        }
        Map<Integer, Set<Boolean>> graded = new TreeMap<>();
        int invalid = 0;
        for (JsonNode entry : array) {
            JsonNode option = entry.get("Option");
            JsonNode recommended = entry.get("Recommended");
            boolean inRange = option != null && option.isIntegralNumber() && option.asInt() >= 1 && option.asInt() <= n;
            if (!inRange || recommended == null || !recommended.isBoolean()) {
                invalid++;
                continue;
            }
            graded.computeIfAbsent(option.asInt(), k -> new TreeSet<>()).add(recommended.asBoolean());
        }
        Set<Integer> recommended = new TreeSet<>();
        boolean conflicting = false;
        for (Map.Entry<Integer, Set<Boolean>> e : graded.entrySet()) {
            conflicting |= e.getValue().size() > 1;
            if (e.getValue().equals(Set.of(true))) {
                recommended.add(e.getKey());
            }
        }
        return new Reading(recommended, invalid, conflicting);
    }

    /** The first top-level JSON array in a text (prose and code fences around it allowed), or null. */
    private static JsonNode firstArray(String text) {
        for (int i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) {
            try (JsonParser parser = JSON.getFactory().createParser(text.substring(i))) {
                JsonNode node = JSON.readTree(parser);
                if (node != null && node.isArray()) {
                    return node;
                }
            } catch (IOException e) {
                // no complete array starts here
            }
        }
        return null;
    }

    /** The jury verdict over the given judges (empty: every judge of the answer). */
    private static Verdict verdict(Map<String, Reading> byJudge, Jury.Rule rule, List<String> jury, int n) {
        List<Reading> parsed = new ArrayList<>();
        byJudge.forEach((judge, reading) -> {
            if ((jury.isEmpty() || jury.contains(judge)) && !reading.failure()) {
                parsed.add(reading);
            }
        });
        int m = parsed.size();
        Set<Integer> recommended = new TreeSet<>();
        for (int o = 1; o <= n && m > 0; o++) {
            int votes = 0;
            for (Reading r : parsed) {
                votes += r.recommended().contains(o) ? 1 : 0;
            }
            boolean yes = switch (rule) {
                case MAJORITY -> 2 * votes > m;
                case UNANIMOUS -> votes == m;
                case ANY -> votes >= 1;
                default -> throw new IllegalArgumentException("rule " + rule);
            };
            if (yes) {
                recommended.add(o);
            }
        }
        int invalid = parsed.stream().mapToInt(Reading::invalid).sum();
        boolean conflicting = parsed.stream().anyMatch(Reading::conflicting);
        return new Verdict(m, recommended, invalid, conflicting);
    }

    /** Hand-worked expectations that guard the reading above (the fixture is the scenario it claims to be). */
    private static void assertScenario(Map<String, Map<String, Reading>> readings) {
        assertEquals(Set.of(1, 2), readings.get("planner-a|1|c1").get("j1").recommended(), "oracle: option 4 ignored");
        assertEquals(Set.of(1), readings.get("planner-a|1|c1").get("j2").recommended(), "oracle: fenced array, \"true\" and 0 ignored");
        assertEquals(2, readings.get("planner-a|1|c1").get("j2").invalid(), "oracle: two invalid entries");
        assertTrue(readings.get("planner-a|1|c1").get("j3").failure(), "oracle: prose without an array");
        assertTrue(readings.get("planner-a|1|c2").values().stream().allMatch(Reading::failure), "oracle: every judge fails");
        assertEquals(Set.of(1), readings.get("planner-a|2|c1").get("j1").recommended(), "oracle: conflicting option 2");
        assertTrue(readings.get("planner-a|2|c1").get("j1").conflicting(), "oracle: conflicting flagged");
        assertEquals(Set.of(2), readings.get("planner-a|2|c1").get("j2").recommended(), "oracle: 1 and null are not booleans");
        assertEquals(Set.of(1, 2, 3), readings.get("planner-a|2|c1").get("j3").recommended(), "oracle: the first array counts");
        assertEquals(Set.of(1), readings.get("planner-b|1|c2").get("j3").recommended(), "oracle: \"true\" ignored");
        assertFalse(readings.get("planner-b|1|c2").get("j2").conflicting(), "oracle: the same grade twice is no conflict");

        assertEquals(new Verdict(2, Set.of(1), 3, false), verdict(readings.get("planner-a|1|c1"), Jury.Rule.MAJORITY, List.of(), 3),
                "oracle: a tie on option 2");
        assertEquals(Set.of(1, 2), verdict(readings.get("planner-a|1|c1"), Jury.Rule.ANY, List.of(), 3).recommended(), "oracle: any");
        assertTrue(verdict(readings.get("planner-a|1|c2"), Jury.Rule.ANY, List.of(), 2).parseFailure(), "oracle: m = 0");
        assertEquals(Set.of(1, 2), verdict(readings.get("planner-a|2|c1"), Jury.Rule.MAJORITY, List.of(), 3).recommended(), "oracle: 2 of 3");
        assertEquals(Set.of(), verdict(readings.get("planner-a|2|c1"), Jury.Rule.UNANIMOUS, List.of(), 3).recommended(), "oracle: unanimous");
        assertEquals(Set.of(), verdict(readings.get("planner-a|2|c2"), Jury.Rule.MAJORITY, List.of(), 2).recommended(), "oracle: 1 of 2");
        assertEquals(Set.of(1), verdict(readings.get("planner-a|2|c2"), Jury.Rule.ANY, List.of(), 2).recommended(), "oracle: any of 2");
        assertEquals(Set.of(1), verdict(readings.get("planner-b|1|c2"), Jury.Rule.UNANIMOUS, List.of(), 2).recommended(), "oracle: 2 of 3");
    }

    // ---- the checks ----

    /** Decisions, scored responses (m, flags) and ParseFailureRate of the latest score against the reading. */
    private static void checkScore(Lake lake, Map<String, Map<String, Reading>> readings, Jury.Rule rule, List<String> jury) {
        String score = rule + (jury.isEmpty() ? " over every judge" : " over " + jury);
        Map<String, Row> decisions = rows(lake.read(Tables.DECISIONS), r -> answerKey(r) + "|" + r.getInt(r.fieldIndex("option_no")),
                score + " decisions");
        Map<String, Row> scored = rows(lake.read(Tables.SCORED_RESPONSES), FreeTextCrossCheckTest::answerKey, score + " scored responses");

        Set<String> expectedDecisions = new TreeSet<>();
        Set<String> expectedScored = new TreeSet<>();
        for (Answer a : ANSWERS) {
            Verdict v = verdict(readings.get(a.key()), rule, jury, a.options());
            expectedScored.add(a.key());
            Row s = scored.get(a.key());
            assertNotNull(s, score + ": a scored response for " + a);
            assertEquals(v.parseFailure(), bool(s, "parse_failure"), score + ": parse_failure of " + a);
            assertEquals(Integer.valueOf(v.judges()), nullableInt(s, "judges"), score + ": judges (m) of " + a);
            assertEquals(a.flag(), s.getString(s.fieldIndex("plan_flag")), score + ": plan_flag of " + a);
            assertEquals(v.recommended().size(), s.getInt(s.fieldIndex("recommended")), score + ": |R_c| of " + a);
            assertEquals(v.invalid(), s.getInt(s.fieldIndex("invalid_entries")), score + ": invalid entries of the jury of " + a);
            assertEquals(v.conflicting(), bool(s, "conflicting"), score + ": conflicting of " + a);
            for (int o = 1; o <= a.options(); o++) {
                String key = a.key() + "|" + o;
                expectedDecisions.add(key);
                Row d = decisions.get(key);
                assertNotNull(d, score + ": a decision for " + a + " option " + o);
                assertEquals(v.recommended().contains(o), bool(d, "recommended"), score + ": recommended, " + a + " option " + o);
                assertEquals(v.parseFailure(), bool(d, "parse_failure"), score + ": parse_failure, " + a + " option " + o);
            }
        }
        assertEquals(expectedDecisions, decisions.keySet(), score + ": one decision per option of every answer");
        assertEquals(expectedScored, scored.keySet(), score + ": one scored response per answer");
        checkParseFailureRate(lake, readings, rule, jury, score);
    }

    /** ParseFailureRate per trial (TRIAL_METRICS) and its mean over trials (METRICS), Majority grading, all cases. */
    private static void checkParseFailureRate(Lake lake, Map<String, Map<String, Reading>> readings, Jury.Rule rule, List<String> jury,
            String score) {
        Map<String, int[]> failuresByTrial = new TreeMap<>(); // responder|trial -> {failures, answers}
        for (Answer a : ANSWERS) {
            int[] c = failuresByTrial.computeIfAbsent(a.responder() + "|" + a.trial(), k -> new int[2]);
            c[0] += verdict(readings.get(a.key()), rule, jury, a.options()).parseFailure() ? 1 : 0;
            c[1]++;
        }
        Map<String, Double> expectedTrial = new TreeMap<>();
        Map<String, List<Double>> expectedByResponder = new TreeMap<>();
        failuresByTrial.forEach((key, c) -> {
            double rate = (double) c[0] / c[1];
            expectedTrial.put(key, rate);
            expectedByResponder.computeIfAbsent(key.substring(0, key.indexOf('|')), k -> new ArrayList<>()).add(rate);
        });
        assertEquals(0.5, expectedTrial.get("planner-a|1").doubleValue(), EPS, "oracle: one of planner-a's two answers in trial 1 fails");

        String where = "metric = 'ParseFailureRate' AND grading = 'Majority' AND cases = 'AllCases' AND harm = 'All'";
        Map<String, Row> trialRows = rows(lake.read(Tables.TRIAL_METRICS).where(where),
                r -> r.getString(r.fieldIndex("responder")) + "|" + r.getInt(r.fieldIndex("trial")), score + " trial metrics");
        assertEquals(expectedTrial.keySet(), trialRows.keySet(), score + ": a ParseFailureRate per trial");
        expectedTrial.forEach((key, rate) -> {
            Row row = trialRows.get(key);
            assertEquals(rate.doubleValue(), row.getDouble(row.fieldIndex("value")), EPS, score + ": ParseFailureRate of " + key);
        });

        Map<String, Row> metricRows = rows(lake.read(Tables.METRICS).where(where), r -> r.getString(r.fieldIndex("responder")),
                score + " metrics");
        assertEquals(expectedByResponder.keySet(), metricRows.keySet(), score + ": a ParseFailureRate per responder");
        expectedByResponder.forEach((responder, rates) -> {
            Row row = metricRows.get(responder);
            double mean = rates.stream().mapToDouble(Double::doubleValue).sum() / rates.size();
            assertEquals((long) rates.size(), row.getLong(row.fieldIndex("trials")), score + ": ParseFailureRate trials of " + responder);
            assertEquals(mean, row.getDouble(row.fieldIndex("mean")), EPS, score + ": ParseFailureRate mean of " + responder);
        });
    }

    /** JUDGE_AGREEMENT of the latest score, a majority score over the given jury (empty: every judge). */
    private static void checkAgreement(Lake lake, Map<String, Map<String, Reading>> readings, List<String> jury) {
        String score = "majority" + (jury.isEmpty() ? " over every judge" : " over " + jury);
        Map<String, long[]> own = new TreeMap<>(); // responder|judge -> {items, agreeing with the jury}
        Map<String, long[]> pairs = new TreeMap<>(); // responder|a|b -> {items, agreeing, a recommends, b recommends}
        for (Answer a : ANSWERS) {
            Map<String, Reading> byJudge = readings.get(a.key());
            Set<Integer> jv = verdict(byJudge, Jury.Rule.MAJORITY, jury, a.options()).recommended();
            for (Map.Entry<String, Reading> j : byJudge.entrySet()) {
                if (j.getValue().failure()) {
                    continue;
                }
                long[] c = own.computeIfAbsent(a.responder() + "|" + j.getKey(), k -> new long[2]);
                for (int o = 1; o <= a.options(); o++) {
                    c[0]++;
                    c[1] += j.getValue().recommended().contains(o) == jv.contains(o) ? 1 : 0;
                }
                for (Map.Entry<String, Reading> k : byJudge.entrySet()) {
                    if (k.getValue().failure() || j.getKey().compareTo(k.getKey()) >= 0) {
                        continue;
                    }
                    long[] p = pairs.computeIfAbsent(a.responder() + "|" + j.getKey() + "|" + k.getKey(), x -> new long[4]);
                    for (int o = 1; o <= a.options(); o++) {
                        boolean x = j.getValue().recommended().contains(o);
                        boolean y = k.getValue().recommended().contains(o);
                        p[0]++;
                        p[1] += x == y ? 1 : 0;
                        p[2] += x ? 1 : 0;
                        p[3] += y ? 1 : 0;
                    }
                }
            }
        }
        // The scenario covers what it should: every pair shares items, and planner-b's j1, j2 pair has p_e = 1.
        assertEquals(Set.of("planner-a|j1|j2", "planner-a|j1|j3", "planner-a|j2|j3", "planner-b|j1|j2", "planner-b|j1|j3",
                "planner-b|j2|j3"), pairs.keySet(), "oracle: the pairs");
        assertNull(kappa(pairs.get("planner-b|j1|j2")), "oracle: p_e = 1");

        Map<String, Row> actual = rows(lake.read(Tables.JUDGE_AGREEMENT), r -> r.getString(r.fieldIndex("responder")) + "|"
                + r.getString(r.fieldIndex("judge")) + (r.isNullAt(r.fieldIndex("other_judge")) ? "" : "|" + r.getString(r.fieldIndex("other_judge"))),
                score + " judge agreement");

        // Own rows: every jury judge has one; a judge outside the jury, if it has one, has no agreement.
        for (Map.Entry<String, long[]> e : own.entrySet()) {
            String judge = e.getKey().substring(e.getKey().indexOf('|') + 1);
            boolean inJury = jury.isEmpty() || jury.contains(judge);
            Row row = actual.get(e.getKey());
            if (row == null) {
                assertFalse(inJury, score + ": an agreement row for jury judge " + e.getKey());
                continue;
            }
            String at = score + ": judge row " + e.getKey();
            assertEquals(inJury, bool(row, "in_jury"), at + " in_jury");
            assertEquals(e.getValue()[0], row.getLong(row.fieldIndex("items")), at + " items");
            if (inJury) {
                assertFalse(row.isNullAt(row.fieldIndex("agreement")), at + " agreement present");
                assertEquals((double) e.getValue()[1] / e.getValue()[0], row.getDouble(row.fieldIndex("agreement")), EPS, at + " agreement");
            } else {
                assertTrue(row.isNullAt(row.fieldIndex("agreement")), at + " no agreement outside the jury");
            }
        }
        Set<String> actualOwn = new TreeSet<>();
        Set<String> actualPairs = new TreeSet<>();
        actual.forEach((key, row) -> (row.isNullAt(row.fieldIndex("other_judge")) ? actualOwn : actualPairs).add(key));
        assertTrue(own.keySet().containsAll(actualOwn), score + ": judge rows only for judges that judged: " + actualOwn);

        // Pair rows: share of agreement and Cohen's kappa over the items both judged.
        assertEquals(pairs.keySet(), actualPairs, score + ": one row per pair of judges");
        for (Map.Entry<String, long[]> e : pairs.entrySet()) {
            long[] p = e.getValue();
            Row row = actual.get(e.getKey());
            String at = score + ": pair row " + e.getKey();
            String[] parts = e.getKey().split("\\|");
            boolean inJury = jury.isEmpty() || jury.contains(parts[1]) && jury.contains(parts[2]);
            assertEquals(inJury, bool(row, "in_jury"), at + " in_jury");
            assertEquals(p[0], row.getLong(row.fieldIndex("items")), at + " items");
            assertFalse(row.isNullAt(row.fieldIndex("agreement")), at + " agreement present");
            assertEquals((double) p[1] / p[0], row.getDouble(row.fieldIndex("agreement")), EPS, at + " agreement");
            Double kappa = kappa(p);
            if (kappa == null) {
                assertTrue(row.isNullAt(row.fieldIndex("kappa")), at + " kappa absent when p_e = 1");
            } else {
                assertFalse(row.isNullAt(row.fieldIndex("kappa")), at + " kappa present");
                assertEquals(kappa.doubleValue(), row.getDouble(row.fieldIndex("kappa")), EPS, at + " kappa");
            }
        }
    }

    /** Section 6's JudgeKappa from {items, agreeing, a recommends, b recommends}; null when p_e = 1. */
    private static Double kappa(long[] p) {
        long n = p[0];
        if (p[2] == 0 && p[3] == 0 || p[2] == n && p[3] == n) {
            return null; // p_e = p_a p_b + (1 - p_a)(1 - p_b) = 1 exactly when both always give the same one answer
        }
        double po = (double) p[1] / n;
        double pa = (double) p[2] / n;
        double pb = (double) p[3] / n;
        double pe = pa * pb + (1 - pa) * (1 - pb);
        return (po - pe) / (1 - pe);
    }

    // ---- small helpers ----

    /** The latest score's rows of this test's responders, by key, one row per key. */
    private static Map<String, Row> rows(Dataset<Row> table, Function<Row, String> key, String what) {
        Map<String, Row> rows = new TreeMap<>();
        for (Row r : table.collectAsList()) {
            if (RESPONDERS.contains(r.getString(r.fieldIndex("responder")))) {
                String k = key.apply(r);
                assertNull(rows.put(k, r), what + ": one row per key " + k);
            }
        }
        return rows;
    }

    private static String answerKey(Row r) {
        return r.getString(r.fieldIndex("responder")) + "|" + r.getInt(r.fieldIndex("trial")) + "|" + r.getString(r.fieldIndex("case_id"));
    }

    private static boolean bool(Row r, String column) {
        return r.getBoolean(r.fieldIndex(column));
    }

    private static Integer nullableInt(Row r, String column) {
        int i = r.fieldIndex(column);
        return r.isNullAt(i) ? null : r.getInt(i);
    }
}
