package dev.noharm.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.noharm.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.spark.SparkSchemaUtil;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A column added by a later release reads as null from the data files an earlier one wrote. */
@ExtendWith(SparkTestSession.class)
class SchemaEvolutionTest {
    @Test
    void openingALakeAddsTheColumnsATableLacksAndOldFilesReadThemAsNull(SparkSession spark, @TempDir Path tmp) throws Exception {
        String root = tmp.resolve("lake").toString();
        Lake first = new Lake(spark, root);
        // The generations table as a release before reasoning_tokens made it, with one row written then.
        Catalog catalog = first.catalog();
        StructType older = new StructType(Arrays.stream(Tables.GENERATIONS.schema().fields())
                .filter(f -> !f.name().equals("reasoning_tokens")).toArray(StructField[]::new));
        catalog.dropTable(first.identifier(Tables.GENERATIONS), true);
        catalog.buildTable(first.identifier(Tables.GENERATIONS), SparkSchemaUtil.convert(older))
                .withPartitionSpec(PartitionSpec.unpartitioned()).create();
        Object[] values = new Object[older.size()];
        for (int i = 0; i < values.length; i++) {
            StructField f = older.fields()[i];
            values[i] = f.nullable() ? null : f.dataType().equals(DataTypes.StringType) ? "v" : f.dataType().equals(DataTypes.IntegerType) ? 1
                    : f.dataType().equals(DataTypes.LongType) ? 2L : java.sql.Timestamp.valueOf("2026-01-01 00:00:00");
        }
        spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create(values)), older)
                .writeTo(first.tableName(Tables.GENERATIONS)).append();
        assertEquals(older.size(), spark.table(first.tableName(Tables.GENERATIONS)).columns().length);

        // The current release opens the lake: the column is added, the old row reads it as null.
        Lake current = new Lake(spark, root);
        List<Row> rows = current.read(Tables.GENERATIONS).collectAsList();
        assertEquals(Tables.GENERATIONS.schema().size(), current.read(Tables.GENERATIONS).columns().length);
        assertEquals(1, rows.size());
        assertNull(rows.get(0).getAs("reasoning_tokens"));
        assertEquals("v", rows.get(0).getAs("work_key"));
        assertEquals(Tables.GENERATIONS.schema().size(), current.table(Tables.GENERATIONS).schema().columns().size());
    }
}
