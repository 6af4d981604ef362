package dev.noharm.benchmark;

import static org.apache.spark.sql.functions.col;

import dev.noharm.lake.Lake;
import dev.noharm.lake.LakeTable;
import dev.noharm.lake.Tables;
import dev.noharm.validation.InvalidInputException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Row;

/**
 * Validates a benchmark and writes it to the lake as one dataset version: the cases, options,
 * annotations and option_labels tables, then the dataset_versions row that commits it (a compare-and-set:
 * two ingests of the same benchmark at once commit it once). Ingesting a benchmark whose version is already
 * committed writes nothing.
 */
public final class IngestBenchmark {
    private final Lake lake;

    public IngestBenchmark(Lake lake) {
        this.lake = lake;
    }

    public record Result(String datasetVersion, boolean alreadyPresent, int cases, int options, int annotations) {}

    /** Throws {@link InvalidInputException} with every problem, before touching the lake, on invalid input. */
    public Result ingest(BenchmarkSource source) {
        Benchmark benchmark = new BenchmarkReader().read(source);
        String version = benchmark.version();
        Result result = new Result(version, false, benchmark.cases().size(), benchmark.options().size(),
                benchmark.annotations().size());
        Result present = new Result(version, true, result.cases(), result.options(), result.annotations());
        if (!lake.readAll(Tables.DATASET_VERSIONS).where(col("dataset_version").equalTo(version)).isEmpty()) {
            return present;
        }
        Map<String, String> snapshot = Map.of("noharm.dataset-version", version);
        Map<LakeTable, List<Row>> tables = new LinkedHashMap<>();
        tables.put(Tables.CASES, caseRows(benchmark, version));
        tables.put(Tables.OPTIONS, rows(benchmark.options(), o -> optionRow(o, version)));
        tables.put(Tables.ANNOTATIONS, rows(benchmark.annotations(), a -> annotationRow(a, version)));
        tables.put(Tables.OPTION_LABELS, labelRows(benchmark, version));
        // One commit per table, each replacing the version's partition (a crash earlier may have left one);
        // the dataset_versions row, committed last, makes the version visible to every reader.
        for (Map.Entry<LakeTable, List<Row>> table : tables.entrySet()) {
            lake.overwritePartitions(table.getKey(), lake.spark().createDataFrame(table.getValue(), table.getKey().schema()), snapshot);
        }
        boolean committed = lake.appendUnlessPresent(Tables.DATASET_VERSIONS,
                lake.spark().createDataFrame(List.of(versionRow(benchmark, source, version)), Tables.DATASET_VERSIONS.schema()),
                col("dataset_version").equalTo(version), snapshot);
        return committed ? result : present;
    }

    private static <T> List<Row> rows(List<T> items, Function<T, Row> toRow) {
        return items.stream().map(toRow).toList();
    }

    private static List<Row> caseRows(Benchmark benchmark, String version) {
        Map<String, List<BenchmarkOption>> optionsByCase = benchmark.optionsByCase();
        List<Row> rows = new ArrayList<>();
        for (BenchmarkCase c : benchmark.cases()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("dataset_version", version);
            v.put("case_id", c.caseId());
            v.put("specialty", c.specialty());
            v.put("text", c.text());
            v.put("source", c.source());
            v.put("variant_of", c.variantOf());
            v.put("perturbation", c.perturbation());
            v.put("option_count", optionsByCase.get(c.caseId()).size());
            rows.add(Tables.CASES.row(v));
        }
        return rows;
    }

    private static Row optionRow(BenchmarkOption o, String version) {
        return Tables.OPTIONS.row(Map.of(
                "dataset_version", version,
                "case_id", o.caseId(),
                "option_no", o.optionNo(),
                "category", o.category(),
                "text", o.text(),
                "escalation", o.escalation(),
                "no_intervention", o.noIntervention()));
    }

    private static Row annotationRow(Annotation a, String version) {
        return Tables.ANNOTATIONS.row(Map.of(
                "dataset_version", version,
                "case_id", a.caseId(),
                "option_no", a.optionNo(),
                "annotator_id", a.annotatorId(),
                "appropriateness", a.appropriateness().wireName(),
                "harm_if_done", a.harmIfDone().wireName(),
                "harm_if_omitted", a.harmIfOmitted().wireName()));
    }

    private static List<Row> labelRows(Benchmark benchmark, String version) {
        Map<String, String> specialtyByCase = new LinkedHashMap<>();
        benchmark.cases().forEach(c -> specialtyByCase.put(c.caseId(), c.specialty()));
        List<Row> rows = new ArrayList<>();
        for (GradingMode mode : GradingMode.values()) {
            for (OptionLabel l : benchmark.labels(mode)) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("dataset_version", version);
                v.put("grading", mode.displayName());
                v.put("case_id", l.caseId());
                v.put("specialty", specialtyByCase.get(l.caseId()));
                v.put("option_no", l.optionNo());
                v.put("appropriateness", l.appropriateness().wireName());
                v.put("harm_if_done", l.harmIfDone().wireName());
                v.put("harm_if_omitted", l.harmIfOmitted().wireName());
                v.put("harm_if_done_level", l.harmIfDone().ordinal());
                v.put("harm_if_omitted_level", l.harmIfOmitted().ordinal());
                v.put("highly_appropriate", l.highlyAppropriate());
                v.put("appropriate", l.appropriate());
                v.put("uncertain", l.uncertain());
                v.put("escalation", l.escalation());
                v.put("no_intervention", l.noIntervention());
                v.put("annotators", l.annotators());
                rows.add(Tables.OPTION_LABELS.row(v));
            }
        }
        return rows;
    }

    private static Row versionRow(Benchmark benchmark, BenchmarkSource source, String version) {
        return Tables.DATASET_VERSIONS.row(Map.of(
                "dataset_version", version,
                "content_sha256", benchmark.fullHash(),
                "source", source.describe(),
                "ingested_at", Timestamp.from(Instant.now()),
                "cases", benchmark.cases().size(),
                "options", benchmark.options().size(),
                "annotations", (long) benchmark.annotations().size(),
                "specialties", (int) benchmark.cases().stream().map(BenchmarkCase::specialty).distinct().count()));
    }
}
