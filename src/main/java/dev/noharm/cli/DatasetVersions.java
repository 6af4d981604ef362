package dev.noharm.cli;

import static org.apache.spark.sql.functions.col;

import dev.noharm.benchmark.InvalidInputException;
import dev.noharm.benchmark.ValidationProblem;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import java.util.List;

/** Resolves a {@code --dataset-version} option: {@code latest}, or a version that must exist in the lake. */
final class DatasetVersions {
    private DatasetVersions() {}

    static String resolve(Lake lake, String requested) {
        List<String> known = lake.read(Tables.DATASET_VERSIONS).orderBy(col("ingested_at").desc())
                .select("dataset_version").collectAsList().stream().map(r -> r.getString(0)).toList();
        if (known.isEmpty()) {
            throw new InvalidInputException("--dataset-version", List.of(new ValidationProblem("--dataset-version", 0, null,
                    "the lake " + lake.uri() + " has no dataset; run ./submit.sh ingest first")));
        }
        if (requested.equals("latest")) {
            return known.get(0);
        }
        if (!known.contains(requested)) {
            throw new InvalidInputException("--dataset-version", List.of(new ValidationProblem("--dataset-version", 0, null,
                    "'" + requested + "' is not in the lake (has: " + String.join(", ", known) + ")")));
        }
        return requested;
    }
}
