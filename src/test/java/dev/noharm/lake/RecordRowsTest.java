package dev.noharm.lake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.noharm.generation.Generation;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordRowsTest {
    /** A table of three columns, and records that match it or not. */
    private static final LakeTable TABLE = new LakeTable("t", List.of("part"), List.of(), org.apache.spark.sql.types.DataTypes.createStructType(List.of(
            org.apache.spark.sql.types.DataTypes.createStructField("part", org.apache.spark.sql.types.DataTypes.StringType, false),
            org.apache.spark.sql.types.DataTypes.createStructField("sample_index", org.apache.spark.sql.types.DataTypes.IntegerType, false),
            org.apache.spark.sql.types.DataTypes.createStructField("note", org.apache.spark.sql.types.DataTypes.StringType, true))), "test",
            LakeTable.Visibility.ALL);

    public record Inner(@Nullable String note) {}

    public record Matching(String part, int sampleIndex, Inner inner) {}

    public record WrongType(String part, long sampleIndex, @Nullable String note) {}

    public record NotNullable(String part, int sampleIndex, String note) {}

    @Test
    void nestedRecordsFlattenToTheTablesColumns() {
        RecordRows<Matching> rows = RecordRows.of(TABLE, Matching.class);
        assertArrayEquals(new Object[] {"p", 3, null}, rows.values(new Matching("p", 3, new Inner(null))));
        assertEquals("[p,3,n]", rows.row(new Matching("p", 3, new Inner("n"))).toString());
    }

    @Test
    void aMismatchIsRefusedNamingTheColumn() {
        IllegalStateException type = assertThrows(IllegalStateException.class, () -> RecordRows.of(TABLE, WrongType.class));
        assertEquals("WrongType does not match table t: column 2: table has sample_index int not null, record has sample_index bigint not null",
                type.getMessage());
        IllegalStateException nullable = assertThrows(IllegalStateException.class, () -> RecordRows.of(TABLE, NotNullable.class));
        assertEquals("NotNullable does not match table t: column 3: table has note string, record has note string not null", nullable.getMessage());
    }

    @Test
    void aRequiredColumnLeftEmptyIsRefusedAtTheWriter() {
        RecordRows<Matching> rows = RecordRows.of(TABLE, Matching.class);
        assertThrows(IllegalArgumentException.class, () -> rows.values(new Matching(null, 1, new Inner(null))));
    }

    @Test
    void theGenerationRecordIsTheGenerationsTable() {
        // Loading the class runs the check; this names what it checked.
        assertEquals(Tables.GENERATIONS, Generation.ROWS.table());
        assertEquals(42, Tables.GENERATIONS.schema().size());
        Generation g = new Generation(
                new Generation.Work("run", "m", "key", "job", "v", "1", "name", "Name", "openai", "OpenAI", "c1", 2, "standard", "hash", "{}",
                        "free_text"),
                null, Generation.Usage.NONE,
                new Generation.Outcome(120, 3, 1, Generation.ERROR, new Generation.Failure("server_error", "503", 503),
                        Instant.ofEpochSecond(10), Instant.ofEpochSecond(11)),
                null, new Generation.JudgeLineage("judged"), "batch");
        Object[] values = Generation.ROWS.values(g);
        assertEquals(Arrays.asList("run", "m", "key", "job", "v", "1", "name", "Name", "openai", "OpenAI", "c1", 2, "standard", "hash", "{}",
                "free_text", null, null, null, null, null, null, 120L, 3, 1, "error", "server_error", "503", 503,
                Instant.ofEpochSecond(10), Instant.ofEpochSecond(11), null, null, null, null, null, null, null, null, null, "judged", "batch"),
                Arrays.asList(values));
    }
}
