package dev.noharm.lake;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * One Iceberg table of the lake: its name in the lake's catalog namespace, its identity partition columns
 * (outermost first), the sort order its files are written in, its full schema, which class writes it, and
 * how readers see it. {@link Tables} holds every definition; data-lake-layout.md documents them.
 */
public record LakeTable(String name, List<String> partitionColumns, List<String> sortColumns, StructType schema, String writer,
        Visibility visibility) {

    /** What the pipeline's readers see of a table ({@link Lake#read}). */
    public enum Visibility {
        /** Every row. */
        ALL,
        /** Rows of committed dataset versions only: those with a {@code dataset_versions} row. */
        COMMITTED_DATASET_VERSIONS,
        /** Rows of one complete score per dataset version (the latest unless another is chosen): those with a {@code score_runs} row. */
        COMPLETE_SCORES
    }

    public LakeTable {
        partitionColumns = List.copyOf(partitionColumns);
        sortColumns = List.copyOf(sortColumns);
        Set<String> fields = Arrays.stream(schema.fieldNames()).collect(Collectors.toSet());
        if (!fields.containsAll(partitionColumns) || !fields.containsAll(sortColumns)) {
            throw new IllegalArgumentException(name + ": partition and sort columns must be schema fields");
        }
        if (visibility == Visibility.COMPLETE_SCORES && !fields.containsAll(List.of("dataset_version", "score_id"))) {
            throw new IllegalArgumentException(name + ": a score table needs dataset_version and score_id");
        }
    }

    /**
     * A row in schema order from named values; every column must be given exactly once, so a change of
     * schema fails loudly at the writer instead of shifting values into the wrong columns.
     */
    public Row row(Map<String, ?> values) {
        StructField[] fields = schema.fields();
        if (values.size() != fields.length) {
            throw new IllegalArgumentException(name + ": expected columns " + Arrays.toString(schema.fieldNames())
                    + ", got " + values.keySet());
        }
        Object[] ordered = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            if (!values.containsKey(fields[i].name())) {
                throw new IllegalArgumentException(name + ": missing column " + fields[i].name());
            }
            ordered[i] = values.get(fields[i].name());
        }
        return RowFactory.create(ordered);
    }
}
