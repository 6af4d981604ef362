package dev.noharm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.noharm.lake.LakeJdbcCatalog;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * A local lake's tables read from outside the pipeline, while other processes write it: Iceberg's own JDBC
 * catalog on the lake's SQLite file and its generic reader, no Spark. What a committed table holds, nothing
 * else (files written but never committed are not in it).
 */
public final class LakeTables {
    private LakeTables() {}

    /** Every committed row of {@code table}; empty when the lake or the table does not exist yet. */
    public static List<Record> rows(Path lake, String table) {
        if (!Files.exists(lake.resolve("catalog.sqlite"))) {
            return List.of();
        }
        JdbcCatalog catalog = new JdbcCatalog();
        catalog.setConf(new Configuration());
        catalog.initialize(LakeJdbcCatalog.NAME, Map.of("uri", "jdbc:sqlite:" + lake.resolve("catalog.sqlite"), "warehouse",
                lake.resolve("warehouse").toUri().toString(), "jdbc.schema-version", "V1"));
        try (catalog) {
            TableIdentifier id = TableIdentifier.of(Namespace.of("noharm"), table);
            if (!catalog.tableExists(id)) {
                return List.of();
            }
            List<Record> rows = new ArrayList<>();
            try (CloseableIterable<Record> records = IcebergGenerics.read(catalog.loadTable(id)).build()) {
                records.forEach(r -> rows.add(r.copy()));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Committed generation rows, and their distinct work keys. */
    public static long generationRows(Path lake) {
        return rows(lake, "generations").size();
    }

    public static Set<String> workKeys(Path lake) {
        Set<String> keys = new HashSet<>();
        rows(lake, "generations").forEach(r -> keys.add((String) r.getField("work_key")));
        return keys;
    }
}
