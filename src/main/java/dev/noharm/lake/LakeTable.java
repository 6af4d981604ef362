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
 * One table of the lake: its name (as registered for Spark SQL), its folder under the lake root, its
 * partition columns (folders {@code column=value}, outermost first) and its full schema, partition
 * columns included. {@link Tables} holds every definition; data-lake-layout.md documents them.
 */
public record LakeTable(String name, String path, List<String> partitionColumns, StructType schema, String writer) {

    public LakeTable {
        partitionColumns = List.copyOf(partitionColumns);
        Set<String> fields = Arrays.stream(schema.fieldNames()).collect(Collectors.toSet());
        if (!fields.containsAll(partitionColumns)) {
            throw new IllegalArgumentException(name + ": partition columns must be schema fields");
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
