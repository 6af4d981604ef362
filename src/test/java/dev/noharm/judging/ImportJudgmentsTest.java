package dev.noharm.judging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.scoring.ImportResponses;
import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.GenerationFixture;
import dev.noharm.testing.SparkTestSession;
import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.ValidationProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** import --judgments: validated whole with file, line and field, nothing written on any problem, the same file twice stored once. */
@ExtendWith(SparkTestSession.class)
class ImportJudgmentsTest {
    @TempDir
    Path tmp;

    @Test
    void badLinesAreReportedWithTheirPlaceAndNothingIsWrittenAndAFileIsImportedOnce(SparkSession spark) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        GenerationFixture.ingest(lake, BenchmarkSource.folder(BenchmarkFixture.tiny().writeTo(tmp.resolve("bench")).toString(), new Configuration()));
        String version = lake.read(Tables.DATASET_VERSIONS).first().getAs("dataset_version");
        Files.write(tmp.resolve("answers.jsonl"), List.of(
                "{\"responder\": \"planner-x\", \"trial\": 1, \"case_id\": \"c1\", \"task\": \"free_text\", \"response\": \"1. Drug A\\n2. Refer to the specialist today.\"}",
                "{\"responder\": \"planner-x\", \"trial\": 1, \"case_id\": \"c2\", \"task\": \"free_text\", \"response\": \"1. Test X first, then review.\"}",
                "{\"responder\": \"dr-o\", \"trial\": 1, \"case_id\": \"c1\", \"response\": [{\"Option\": 1, \"GradeAI\": \"Appropriate\"}]}"));
        new ImportResponses(lake).importFile(tmp.resolve("answers.jsonl").toString(), version);

        String good = "{\"judge\": \"dr-h\", \"responder\": \"planner-x\", \"trial\": 1, \"case_id\": \"c1\", \"verdicts\": [{\"Option\": 1, \"Recommended\": true}]}";
        Files.write(tmp.resolve("bad.jsonl"), List.of(
                good,
                "{\"judge\": \"dr-h\", \"responder\": \"planner-x\", \"trial\": 1, \"case_id\": \"c2\", \"verdicts\": [], \"score\": 3}",
                "{\"judge\": \"dr-h\", \"responder\": \"planner-x\", \"trial\": 0, \"case_id\": \"c2\", \"verdicts\": []}",
                "{\"judge\": \"dr-h\", \"responder\": \"planner-x\", \"trial\": 1, \"case_id\": \"c9\", \"verdicts\": []}",
                "{\"judge\": \"dr-h\", \"responder\": \"dr-o\", \"trial\": 1, \"case_id\": \"c1\", \"verdicts\": []}",
                good.replace("true", "false"),
                "{\"judge\": \"dr-h\", \"responder\": \"planner-x\", \"trial\": 1, \"case_id\": \"c2\", \"verdicts\": 7}",
                "{\"judge\": \"\", \"responder\": \"planner-x\", \"trial\": 1, \"case_id\": \"c2\", \"verdicts\": []}",
                "not json"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new ImportJudgments(lake).importFile(tmp.resolve("bad.jsonl").toString(), version));
        assertEquals(List.of(
                "bad.jsonl:2: score: unknown field (expected one of: case_id, judge, responder, trial, verdicts)",
                "bad.jsonl:3: trial: must be an integer >= 1, got 0",
                "bad.jsonl:4: case_id: no case \"c9\" in dataset version " + version,
                "bad.jsonl:5: responder: no free-text answer of \"dr-o\" to case \"c1\" in trial 1 in dataset version " + version
                        + " (generate it, or import it with \"task\": \"free_text\", first)",
                "bad.jsonl:6: judge: judge \"dr-h\" already judged this answer (line 1)",
                "bad.jsonl:7: verdicts: must be the judge's JSON array or its raw text as a string",
                // Line 2 judges the same answer: fixing its unknown field would still leave two judgments of it.
                "bad.jsonl:7: judge: judge \"dr-h\" already judged this answer (line 2)",
                "bad.jsonl:8: judge: must not be empty",
                "bad.jsonl:9: malformed JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                e.problems().stream().map(ValidationProblem::toString).toList());
        assertEquals(0, lake.readAll(Tables.JUDGMENTS).count(), "nothing written");

        Files.write(tmp.resolve("good.jsonl"), List.of(good,
                "{\"judge\": \"dr-h\", \"responder\": \"planner-x\", \"trial\": 1, \"case_id\": \"c2\", \"verdicts\": \"I read: [{\\\"Option\\\": 2, \\\"Recommended\\\": \\\"yes\\\"}]\"}"));
        ImportJudgments.Result first = new ImportJudgments(lake).importFile(tmp.resolve("good.jsonl").toString(), version);
        assertEquals(2, first.judgments());
        assertEquals(1, first.judges());
        assertFalse(first.alreadyPresent());
        ImportJudgments.Result again = new ImportJudgments(lake).importFile(tmp.resolve("good.jsonl").toString(), version);
        assertTrue(again.alreadyPresent());
        assertEquals(first.importId(), again.importId());
        List<Row> rows = lake.read(Tables.JUDGMENTS).orderBy("case_id").collectAsList();
        assertEquals(2, rows.size(), "the same file twice is stored once");
        assertEquals(List.of("import", "import"), rows.stream().map(r -> r.<String>getAs("source")).toList());
        assertEquals(List.of(1), rows.get(0).getList(rows.get(0).fieldIndex("recommended_options")));
        // "yes" is not a JSON boolean: the entry is ignored (invalid), and the judge recommends nothing on c2.
        assertEquals(List.of(), rows.get(1).getList(rows.get(1).fieldIndex("recommended_options")));
        assertEquals(1, (int) rows.get(1).getAs("invalid_entries"));
        assertFalse(rows.get(1).<Boolean>getAs("parse_failure"));

        // A responder answers one task: free-text lines of an options responder (from an earlier import or this file) are refused.
        Files.write(tmp.resolve("mixed.jsonl"), List.of(
                "{\"responder\": \"dr-o\", \"trial\": 2, \"case_id\": \"c1\", \"task\": \"free_text\", \"response\": \"1. Drug A now, then review in a week.\"}",
                "{\"responder\": \"planner-z\", \"trial\": 1, \"case_id\": \"c1\", \"task\": \"free_text\", \"response\": \"1. Drug A now, then review.\"}",
                "{\"responder\": \"planner-z\", \"trial\": 1, \"case_id\": \"c2\", \"response\": []}"));
        InvalidInputException mixed = assertThrows(InvalidInputException.class,
                () -> new ImportResponses(lake).importFile(tmp.resolve("mixed.jsonl").toString(), version));
        assertEquals(List.of(
                "mixed.jsonl:1: task: responder \"dr-o\" answers task options in an earlier import; one task per responder (name the other responder differently)",
                "mixed.jsonl:3: task: responder \"planner-z\" answers task free_text on line 2; one task per responder (name the other responder differently)"),
                mixed.problems().stream().map(ValidationProblem::toString).toList());
    }
}
