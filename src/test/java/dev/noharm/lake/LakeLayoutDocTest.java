package dev.noharm.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

/** data-lake-layout.md and {@link Tables} describe the same tables, column for column. */
class LakeLayoutDocTest {

    @Test
    void everyTableIsDocumentedWithItsPartitioningSortOrderWriterAndColumns() throws IOException {
        String doc = Files.readString(Path.of("data-lake-layout.md"));
        for (LakeTable table : Tables.all()) {
            String section = section(doc, table.name());
            assertTrue(section.contains(table.partitionColumns().isEmpty() ? "Unpartitioned"
                    : "Partitioned by `" + String.join("`, `", table.partitionColumns()) + "`"), table.name() + ": partitioning");
            assertTrue(section.contains(table.sortColumns().isEmpty() ? "no sort order"
                    : "sorted by `" + String.join("`, `", table.sortColumns()) + "`"), table.name() + ": sort order");
            assertTrue(section.contains("Writer: `" + table.writer() + "`"), table.name() + ": writer");
            assertEquals(Arrays.stream(table.schema().fields()).map(StructField::name).toList(), documentedColumns(section),
                    table.name() + ": columns");
        }
    }

    @Test
    void everyDeclaredWriterExists() throws ClassNotFoundException {
        for (LakeTable table : Tables.all()) {
            Class.forName(table.writer());
        }
    }

    private static String section(String doc, String name) {
        int start = doc.indexOf("### `" + name + "`");
        assertTrue(start >= 0, "no section for table " + name);
        int end = doc.indexOf("\n### ", start + 1);
        return end < 0 ? doc.substring(start) : doc.substring(start, end);
    }

    private static List<String> documentedColumns(String section) {
        List<String> columns = new ArrayList<>();
        for (String line : section.split("\n")) {
            if (line.startsWith("| ") && !line.startsWith("| column") && !line.startsWith("|---")) {
                columns.add(line.substring(2, line.indexOf(" |")).trim());
            }
        }
        return columns;
    }
}
