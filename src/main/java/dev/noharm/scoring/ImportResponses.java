package dev.noharm.scoring;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import dev.noharm.generation.Task;
import dev.noharm.ids.Ids;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.JsonLinesFields;
import dev.noharm.validation.ValidationProblem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Imports responses from outside (physicians, other systems) in CONTRACT section 3's JSON Lines (with
 * {@code "task": "free_text"}, a free-text plan as section 6 says, judged by imported or LLM judges), for one
 * dataset version. Validated whole like a benchmark (file, line and field; nothing written on any
 * problem). Each distinct file content is one import; importing it again is a no-op. An optional
 * {@code display_name} names the responder in reports and exports (for example "Human Generalist
 * Physicians"); given on any of a responder's lines, it holds for all of them, and two lines may not disagree.
 */
public final class ImportResponses {
    private static final Set<String> FIELDS = Set.of("responder", "display_name", "condition", "trial", "case_id", "response", "task");

    private final Lake lake;

    public ImportResponses(Lake lake) {
        this.lake = lake;
    }

    public record Result(String importId, String datasetVersion, int responses, int responders, boolean alreadyPresent) {}

    public Result importFile(String file, String datasetVersion) {
        List<String> lines = readLines(lake, file, "responses");
        String fileName = new Path(file).getName();
        Map<String, Integer> optionCounts = new HashMap<>();
        for (Row r : lake.read(Tables.CASES).where(col("dataset_version").equalTo(datasetVersion)).select("case_id", "option_count").collectAsList()) {
            optionCounts.put(r.getString(0), r.getInt(1));
        }
        List<ValidationProblem> problems = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Named> names = new HashMap<>();
        // A responder answers one task: its earlier imports' task, or its first line's here.
        Map<String, Named> tasks = new HashMap<>();
        for (Row r : lake.read(Tables.RESPONSES).where(col("dataset_version").equalTo(datasetVersion))
                .select(col("responder"), functions.coalesce(col("task"), functions.lit(Task.OPTIONS.wireName()))).distinct().collectAsList()) {
            tasks.put(r.getString(0), new Named(r.getString(1), 0));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        JsonLinesFields.eachObject(lines, fileName, problems, f -> readLine(f, datasetVersion, optionCounts, seen, names, tasks, rows));
        if (lines.stream().allMatch(String::isBlank)) {
            problems.add(new ValidationProblem(fileName, 0, null, "no responses in the file"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException("responses " + file, problems);
        }

        String importId = Ids.sha256Hex(datasetVersion + "\n" + String.join("\n", lines)).substring(0, 16);
        int responders = (int) rows.stream().map(r -> r.get("responder") + "\u0000" + r.get("condition")).distinct().count();
        Result present = new Result(importId, datasetVersion, rows.size(), responders, true);
        if (!lake.readAll(Tables.RESPONSES).where(col("import_id").equalTo(importId)).isEmpty()) {
            return present;
        }
        Timestamp now = Timestamp.from(Instant.now());
        List<Row> sparkRows = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            Map<String, Object> v = new HashMap<>(r);
            Named named = names.get((String) r.get("responder"));
            v.put("display_name", named == null ? null : named.name());
            v.put("import_id", importId);
            v.put("dataset_version", datasetVersion);
            v.put("source", file);
            v.put("imported_at", now);
            sparkRows.add(Tables.RESPONSES.row(v));
        }
        // One commit, and only once: the same file imported twice at once is stored once.
        boolean written = lake.appendUnlessPresent(Tables.RESPONSES, lake.spark().createDataFrame(sparkRows, Tables.RESPONSES.schema()),
                col("import_id").equalTo(importId), Map.of("noharm.import-id", importId));
        return written ? new Result(importId, datasetVersion, rows.size(), responders, false) : present;
    }

    /** A responder's display name and the line that first gave it. */
    private record Named(String name, int line) {}

    private static void readLine(JsonLinesFields f, String datasetVersion, Map<String, Integer> optionCounts,
            Map<String, Integer> seen, Map<String, Named> names, Map<String, Named> tasks, List<Map<String, Object>> rows) {
        JsonNode node = f.node();
        f.rejectUnknownFields(FIELDS);
        Optional<String> responder = f.requiredString("responder");
        Optional<String> displayName = f.optionalString("display_name");
        if (displayName.isPresent() && displayName.get().isBlank()) {
            f.problem("display_name", "must not be empty (leave it out to be named by the responder id)");
            displayName = Optional.empty();
        }
        if (responder.isPresent() && displayName.isPresent()) {
            Named first = names.putIfAbsent(responder.get(), new Named(displayName.get(), f.line()));
            if (first != null && !first.name().equals(displayName.get())) {
                f.problem("display_name", "responder \"" + responder.get() + "\" is named \"" + first.name() + "\" on line "
                        + first.line() + "; one name per responder");
            }
        }
        String condition = f.optionalString("condition").orElse("Human");
        Task task = f.has("task") ? f.requiredEnum("task", Task::fromSpec, Task.specNames()).orElse(Task.OPTIONS) : Task.OPTIONS;
        if (responder.isPresent()) {
            Named first = tasks.putIfAbsent(responder.get(), new Named(task.wireName(), f.line()));
            if (first != null && !first.name().equals(task.wireName())) {
                f.problem("task", "responder \"" + responder.get() + "\" answers task " + first.name()
                        + (first.line() > 0 ? " on line " + first.line() : " in an earlier import") + "; one task per responder (name the other "
                        + "responder differently)");
            }
        }
        Optional<Integer> trial = f.requiredPositiveInt("trial");
        Optional<String> caseId = f.requiredString("case_id");
        JsonNode response = node.get("response");
        String text = null;
        if (response == null || response.isNull()) {
            f.problem("response", "required field is missing");
        } else if (response.isArray() && task == Task.OPTIONS) {
            text = response.toString();
        } else if (task == Task.FREE_TEXT && !response.isTextual()) {
            f.problem("response", "a free-text answer must be the plan as a string");
        } else if (response.isTextual()) {
            text = response.textValue();
        } else {
            f.problem("response", "must be the JSON array of grades or the raw response text as a string");
        }
        if (caseId.isPresent() && !optionCounts.containsKey(caseId.get())) {
            f.problem("case_id", "no case \"" + caseId.get() + "\" in dataset version " + datasetVersion);
        }
        if (responder.isPresent() && trial.isPresent() && caseId.isPresent()) {
            String key = responder.get() + "\u0000" + condition + "\u0000" + trial.get() + "\u0000" + caseId.get();
            Integer first = seen.putIfAbsent(key, f.line());
            if (first != null) {
                f.problem("case_id", "responder \"" + responder.get() + "\" already answered case \"" + caseId.get()
                        + "\" in trial " + trial.get() + " (line " + first + ")");
            }
        }
        if (responder.isPresent() && trial.isPresent() && caseId.isPresent() && text != null) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("responder", responder.get());
            row.put("condition", condition);
            row.put("trial", trial.get());
            row.put("case_id", caseId.get());
            row.put("response_text", text);
            row.put("task", task.wireName());
            rows.add(row);
        }
    }

    /** The lines of an import file on any file system the lake's Hadoop configuration reaches; {@code what} names it in errors. */
    public static List<String> readLines(Lake lake, String file, String what) {
        Path path = new Path(file);
        try {
            FileSystem fs = path.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
            if (!fs.exists(path)) {
                throw new InvalidInputException(what + " " + file,
                        List.of(new ValidationProblem(path.getName(), 0, null, "file not found: " + file)));
            }
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(fs.open(path), StandardCharsets.UTF_8))) {
                return reader.lines().toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

}
