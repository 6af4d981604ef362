package dev.noharm.lake;

import static org.apache.spark.sql.functions.col;

import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.ValidationProblem;
import java.util.List;

/** Resolves a requested dataset version: {@code latest} (the most recently ingested) or one that must exist. */
public final class DatasetVersions {
    private DatasetVersions() {}

    /** {@code where} and {@code field} name the source of the request in error messages (a spec file, an option). */
    public static String resolve(Lake lake, String requested, String where, String field) {
        List<String> known = lake.read(Tables.DATASET_VERSIONS).orderBy(col("ingested_at").desc())
                .select("dataset_version").collectAsList().stream().map(r -> r.getString(0)).toList();
        if (known.isEmpty()) {
            throw new NothingYet("the lake " + lake.uri() + " has no dataset yet; run ./submit.sh ingest first");
        }
        if (requested.equals("latest")) {
            return known.get(0);
        }
        if (!known.contains(requested)) {
            throw new InvalidInputException(where, List.of(new ValidationProblem(where, 0, field,
                    "'" + requested + "' is not in the lake (has: " + String.join(", ", known) + ")")));
        }
        return requested;
    }
}
