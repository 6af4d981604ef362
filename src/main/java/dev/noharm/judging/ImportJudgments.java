package dev.noharm.judging;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import dev.noharm.generation.Task;
import dev.noharm.ids.Ids;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.scoring.ImportResponses;
import dev.noharm.scoring.ResponseParsing;
import dev.noharm.scoring.ResponseSources;
import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.JsonLinesFields;
import dev.noharm.validation.ValidationProblem;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Imports judgments of free-text answers by people or external judges, CONTRACT section 6's JSON Lines, for one
 * dataset version: validated whole (file, line, field; nothing written on any problem), each judging a free-text
 * answer already in the lake (generated, or imported with {@code "task": "free_text"}), parsed as section 6 says.
 * Each distinct file content is one import; importing it again is a no-op.
 */
public final class ImportJudgments {
    private static final Set<String> FIELDS = Set.of("judge", "responder", "trial", "case_id", "verdicts");
    private static final Set<String> PARSED = Set.of("parse_failure", "invalid_entries", "conflicting", "recommended_options");

    private final Lake lake;

    public ImportJudgments(Lake lake) {
        this.lake = lake;
    }

    public record Result(String importId, String datasetVersion, int judgments, int judges, boolean alreadyPresent) {}

    /** One valid line; {@code judgedWorkKey}: the generation judged, null for an imported answer. */
    private record Line(int line, String judge, String responder, int trial, String caseId, String verdicts, String judgedWorkKey) {}

    public Result importFile(String file, String datasetVersion) {
        List<String> lines = ImportResponses.readLines(lake, file, "judgments");
        String fileName = new Path(file).getName();
        Map<String, Integer> optionCounts = new HashMap<>();
        for (Row r : lake.read(Tables.CASES).where(col("dataset_version").equalTo(datasetVersion)).select("case_id", "option_count")
                .collectAsList()) {
            optionCounts.put(r.getString(0), r.getInt(1));
        }
        // Each free-text answer in the lake, with the generations behind it (none for an imported answer; one per model
        // version that answered it), so that a judgment of a generated answer names that generation.
        Map<String, Set<String>> answers = new HashMap<>();
        for (Row r : ResponseSources.forVersion(lake, datasetVersion).where(col("task").equalTo(Task.FREE_TEXT.wireName()))
                .select("responder", "trial", "case_id", "work_key").distinct().collectAsList()) {
            Set<String> generations = answers.computeIfAbsent(answerKey(r.getString(0), r.getInt(1), r.getString(2)), k -> new HashSet<>());
            if (!r.isNullAt(3)) {
                generations.add(r.getString(3));
            }
        }
        Set<String> llmJudges = new HashSet<>(lake.read(Tables.GENERATIONS).where(col("judged_work_key").isNotNull())
                .select("model_id").distinct().collectAsList().stream().map(r -> r.getString(0)).toList());
        List<ValidationProblem> problems = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        List<Line> valid = new ArrayList<>();
        JsonLinesFields.eachObject(lines, fileName, problems, f -> readLine(f, datasetVersion, optionCounts, answers, llmJudges, seen, valid));
        if (lines.stream().allMatch(String::isBlank)) {
            problems.add(new ValidationProblem(fileName, 0, null, "no judgments in the file"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException("judgments " + file, problems);
        }

        String importId = Ids.sha256Hex("judgments\n" + datasetVersion + "\n" + String.join("\n", lines)).substring(0, 16);
        int judges = (int) valid.stream().map(Line::judge).distinct().count();
        Result present = new Result(importId, datasetVersion, valid.size(), judges, true);
        if (!lake.readAll(Tables.JUDGMENTS).where(col("import_id").equalTo(importId)).isEmpty()) {
            return present;
        }
        StructType unparsed = new StructType(Arrays.stream(Tables.JUDGMENTS.schema().fields())
                .filter(field -> !PARSED.contains(field.name())).toArray(StructField[]::new));
        Timestamp now = Timestamp.from(Instant.now());
        List<Row> rows = new ArrayList<>();
        for (Line l : valid) {
            Map<String, Object> v = new HashMap<>();
            v.put("dataset_version", datasetVersion);
            v.put("judgment_key", Ids.sha256Hex(importId + "\n" + l.line()).substring(0, 32));
            v.put("source", Judgments.IMPORT);
            v.put("import_id", importId);
            v.put("judge", l.judge());
            v.put("responder", l.responder());
            v.put("trial", l.trial());
            v.put("case_id", l.caseId());
            v.put("judged_work_key", l.judgedWorkKey());
            v.put("option_count", optionCounts.get(l.caseId()));
            v.put("raw_text", l.verdicts());
            v.put("judged_at", now);
            rows.add(RowFactory.create(Arrays.stream(unparsed.fieldNames()).map(v::get).toArray()));
        }
        var parsed = ResponseParsing.parse(lake.spark().createDataFrame(rows, unparsed), ResponseParsing.Kind.JUDGMENT, "raw_text");
        // One commit, and only once: the same file imported twice at once is stored once.
        boolean written = lake.appendUnlessPresent(Tables.JUDGMENTS, Judgments.shape(parsed), col("import_id").equalTo(importId),
                Map.of("noharm.import-id", importId));
        return written ? new Result(importId, datasetVersion, valid.size(), judges, false) : present;
    }

    private static String answerKey(String responder, int trial, String caseId) {
        return responder + "\u0000" + trial + "\u0000" + caseId;
    }

    private static void readLine(JsonLinesFields f, String datasetVersion, Map<String, Integer> optionCounts,
            Map<String, Set<String>> answers, Set<String> llmJudges, Map<String, Integer> seen, List<Line> valid) {
        f.rejectUnknownFields(FIELDS);
        Optional<String> judge = f.requiredString("judge");
        judge.filter(String::isBlank).ifPresent(j -> f.problem("judge", "must not be empty"));
        judge.filter(j -> j.equals("all")).ifPresent(j -> f.problem("judge", "\"all\" is reserved (score --judges all means every judge)"));
        judge.filter(llmJudges::contains).ifPresent(j -> f.problem("judge", "\"" + j + "\" is an LLM judge's registry id in this lake; "
                + "give imported judges names of their own, so the two are never counted as one"));
        Optional<String> responder = f.requiredString("responder");
        Optional<Integer> trial = f.requiredPositiveInt("trial");
        Optional<String> caseId = f.requiredString("case_id");
        JsonNode verdicts = f.node().get("verdicts");
        String text = null;
        if (verdicts == null || verdicts.isNull()) {
            f.problem("verdicts", "required field is missing");
        } else if (verdicts.isArray()) {
            text = verdicts.toString();
        } else if (verdicts.isTextual()) {
            text = verdicts.textValue();
        } else {
            f.problem("verdicts", "must be the judge's JSON array or its raw text as a string");
        }
        if (caseId.isPresent() && !optionCounts.containsKey(caseId.get())) {
            f.problem("case_id", "no case \"" + caseId.get() + "\" in dataset version " + datasetVersion);
            return;
        }
        if (responder.isEmpty() || trial.isEmpty() || caseId.isEmpty() || judge.isEmpty()) {
            return;
        }
        Set<String> generations = answers.get(answerKey(responder.get(), trial.get(), caseId.get()));
        if (generations == null) {
            f.problem("responder", "no free-text answer of \"" + responder.get() + "\" to case \"" + caseId.get() + "\" in trial "
                    + trial.get() + " in dataset version " + datasetVersion + " (generate it, or import it with \"task\": \"free_text\", first)");
            return;
        }
        if (generations.size() > 1) {
            f.problem("responder", "\"" + responder.get() + "\" answered case \"" + caseId.get() + "\" in trial " + trial.get()
                    + " under " + generations.size() + " model versions, and a judgment line names a responder, trial and case, not a version,"
                    + " so it cannot say which answer it judges");
            return;
        }
        Integer first = seen.putIfAbsent(judge.get() + "\u0000" + answerKey(responder.get(), trial.get(), caseId.get()), f.line());
        if (first != null) {
            f.problem("judge", "judge \"" + judge.get() + "\" already judged this answer (line " + first + ")");
            return;
        }
        if (text != null && !judge.get().isBlank()) {
            valid.add(new Line(f.line(), judge.get(), responder.get(), trial.get(), caseId.get(), text,
                    generations.isEmpty() ? null : generations.iterator().next()));
        }
    }
}
