package dev.noharm.lake;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.iceberg.spark.SparkSchemaUtil;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriterV2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;

/**
 * The data lake: Apache Iceberg tables in one catalog namespace ({@link LakeSettings}), plus a root folder
 * ({@code ./lake}, {@code hdfs://...}, {@code s3a://bucket/prefix}) for files people open (exports, the report,
 * nightly summaries). Opening a lake creates the tables it lacks and adds the columns a table lacks (older data
 * files read them as null), so every table has the schema {@link Tables} declares.
 *
 * <p>Every write is one Iceberg commit per table: readers see all of it or none of it, on every store.
 * {@link #read} gives what the pipeline's readers see: committed dataset versions, complete scores.
 */
public final class Lake {
    /** The Spark catalog property that says which lake a registered catalog belongs to. */
    private static final String ROOT_MARKER = "noharm-root";

    private final SparkSession spark;
    private final Path root;
    private final LakeSettings settings;
    private final String catalogName;
    /** Loaded on first use, so a command that fails validation leaves no trace of a lake (not even an empty one). */
    private final java.util.function.Supplier<Catalog> catalog;
    /** The score that {@link #read(LakeTable)} shows of score tables. */
    private final ScoreChoice score;

    public Lake(SparkSession spark, String uri) {
        this.spark = spark;
        this.root = qualify(new Path(uri), spark.sparkContext().hadoopConfiguration());
        Map<String, String> prefixed = new LinkedHashMap<>();
        for (scala.Tuple2<String, String> kv : spark.sparkContext().conf().getAllWithPrefix(LakeSettings.PREFIX)) {
            prefixed.put(kv._1(), kv._2());
        }
        this.settings = LakeSettings.resolve(root.toString(), key -> {
            scala.Option<String> value = spark.conf().getOption(key);
            return value.isDefined() ? Optional.of(value.get()) : Optional.empty();
        }, prefixed);
        this.catalogName = registerCatalog(spark, settings);
        this.catalog = memoize(this::open);
        this.score = ScoreChoice.LATEST;
    }

    private Lake(Lake lake, ScoreChoice score) {
        this.spark = lake.spark;
        this.root = lake.root;
        this.settings = lake.settings;
        this.catalogName = lake.catalogName;
        this.catalog = lake.catalog;
        this.score = score;
    }

    /** The same lake, with score tables showing {@code score} to every reader ({@code --score-id}). */
    public Lake withScore(ScoreChoice score) {
        return new Lake(this, score);
    }

    public String uri() {
        return root.toString();
    }

    public SparkSession spark() {
        return spark;
    }

    public LakeSettings settings() {
        return settings;
    }

    /** The Spark catalog the lake's tables are in: {@code <catalog>.<namespace>.<table>} in SQL. */
    public String catalogName() {
        return catalogName;
    }

    /** The table's name for Spark SQL, fully qualified. */
    public String tableName(LakeTable table) {
        return quote(catalogName) + "." + quote(settings.namespace()) + "." + quote(table.name());
    }

    public TableIdentifier identifier(LakeTable table) {
        return TableIdentifier.of(Namespace.of(settings.namespace()), table.name());
    }

    /** The Iceberg table, freshly loaded. */
    public Table table(LakeTable table) {
        return catalog().loadTable(identifier(table));
    }

    public Catalog catalog() {
        return catalog.get();
    }

    /** A path under the lake's root for files people open ({@code exports/}, {@code report/}, {@code nightly/}). */
    public Path path(String relative) {
        return new Path(root, relative);
    }

    /** What the pipeline's readers see of a table: its declared columns, and only committed or complete data ({@link LakeTable.Visibility}). */
    public Dataset<Row> read(LakeTable table) {
        return read(table, score);
    }

    /** As {@link #read(LakeTable)}, with the score a score table shows chosen. */
    public Dataset<Row> read(LakeTable table, ScoreChoice score) {
        Dataset<Row> data = readAll(table);
        return switch (table.visibility()) {
            case ALL -> data;
            case COMMITTED_DATASET_VERSIONS -> data.join(readAll(Tables.DATASET_VERSIONS).select("dataset_version"),
                    JoinKeys.of("dataset_version"), "left_semi");
            case COMPLETE_SCORES -> data.join(score.runs(this).select("dataset_version", "score_id"),
                    JoinKeys.of("dataset_version", "score_id"), "left_semi");
        };
    }

    /** Every row the table holds, committed or not, with its declared columns in order. */
    public Dataset<Row> readAll(LakeTable table) {
        catalog();
        return spark.table(tableName(table)).select(columns(table));
    }

    /** Appends the rows as one commit; {@code snapshotProperties} are recorded in the snapshot's summary. */
    public void append(LakeTable table, Dataset<Row> rows, Map<String, String> snapshotProperties) {
        commit(table, () -> writer(table, rows, snapshotProperties).append());
    }

    /** Replaces the partitions the rows fall in, as one commit (ingest: a dataset version written again is the same content). */
    public void overwritePartitions(LakeTable table, Dataset<Row> rows, Map<String, String> snapshotProperties) {
        commit(table, () -> writer(table, rows, snapshotProperties).overwritePartitions());
    }

    /**
     * Appends the rows unless the table already has a row matching {@code key}, as a compare-and-set: if another
     * writer commits rows matching {@code key} between the check and this commit, the commit fails and nothing is
     * written. Returns whether the rows were written.
     */
    public boolean appendUnlessPresent(LakeTable table, Dataset<Row> rows, Column key, Map<String, String> snapshotProperties) {
        Table iceberg = table(table);
        Long snapshot = iceberg.currentSnapshot() == null ? null : iceberg.currentSnapshot().snapshotId();
        Dataset<Row> current = snapshot == null ? readAll(table).limit(0)
                : spark.sql("SELECT * FROM " + tableName(table) + " VERSION AS OF " + snapshot).select(columns(table));
        if (!current.where(key).limit(1).isEmpty()) {
            return false;
        }
        DataFrameWriterV2<Row> writer = writer(table, rows, snapshotProperties).option("isolation-level", "serializable");
        if (snapshot != null) {
            writer = writer.option("validate-from-snapshot-id", snapshot.toString());
        }
        DataFrameWriterV2<Row> cas = writer;
        try {
            commit(table, () -> cas.overwrite(key));
            return true;
        } catch (RuntimeException e) {
            if (causedBy(e, ValidationException.class)) {
                return false; // another writer committed the same key first
            }
            throw e;
        }
    }

    private interface Write {
        void run() throws NoSuchTableException;
    }

    private void commit(LakeTable table, Write write) {
        try {
            write.run();
        } catch (NoSuchTableException e) {
            throw new IllegalStateException("table " + tableName(table) + " is missing from catalog " + settings.describe(), e);
        }
    }

    public boolean exists(Path path) {
        try {
            return fs(path).exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + path, e);
        }
    }

    public void deleteQuietly(Path path) {
        try {
            fs(path).delete(path, true);
        } catch (IOException e) {
            // A leftover file nobody reads must not fail the job.
        }
    }

    public FileSystem fs(Path path) throws IOException {
        return path.getFileSystem(spark.sparkContext().hadoopConfiguration());
    }

    private DataFrameWriterV2<Row> writer(LakeTable table, Dataset<Row> rows, Map<String, String> snapshotProperties) {
        catalog();
        List<Column> cast = new ArrayList<>();
        for (var field : table.schema().fields()) {
            cast.add(col(quoteColumn(field.name())).cast(field.dataType()).as(field.name()));
        }
        DataFrameWriterV2<Row> writer = rows.select(cast.toArray(Column[]::new)).writeTo(tableName(table));
        for (Map.Entry<String, String> p : snapshotProperties.entrySet()) {
            writer = writer.option("snapshot-property." + p.getKey(), p.getValue());
        }
        return writer;
    }

    private static Column[] columns(LakeTable table) {
        return Arrays.stream(table.schema().fieldNames()).map(n -> col(quoteColumn(n))).toArray(Column[]::new);
    }

    /** The Iceberg catalog, with the namespace and every table made or brought up to date. */
    private Catalog open() {
        String uriSetting = settings.catalogProperties().getOrDefault("uri", "");
        if (uriSetting.startsWith("jdbc:sqlite:")) {
            // SQLite makes the file, not its folder.
            java.io.File parent = new java.io.File(uriSetting.substring("jdbc:sqlite:".length()).replaceFirst("\\?.*$", ""))
                    .getAbsoluteFile().getParentFile();
            if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
                throw new UncheckedIOException(new IOException("cannot create " + parent + " for the lake's catalog"));
            }
        }
        Catalog opened = Spark3Util.loadIcebergCatalog(spark, catalogName);
        ensureTables(opened);
        return opened;
    }

    private static <T> java.util.function.Supplier<T> memoize(java.util.function.Supplier<T> make) {
        java.util.concurrent.atomic.AtomicReference<T> value = new java.util.concurrent.atomic.AtomicReference<>();
        return () -> {
            T current = value.get();
            if (current == null) {
                synchronized (value) {
                    current = value.get();
                    if (current == null) {
                        current = make.get();
                        value.set(current);
                    }
                }
            }
            return current;
        };
    }

    /** Creates the namespace and every table that is missing; adds the columns a table lacks. */
    private void ensureTables(Catalog catalog) {
        Namespace namespace = Namespace.of(settings.namespace());
        if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(namespace)) {
            try {
                namespaces.createNamespace(namespace);
            } catch (AlreadyExistsException e) {
                // Another driver made it first.
            }
        }
        // One listing instead of an existence check per table (each of which reads the table's metadata).
        java.util.Set<TableIdentifier> existing = new java.util.HashSet<>(catalog.listTables(namespace));
        for (LakeTable table : Tables.all()) {
            TableIdentifier id = identifier(table);
            Schema schema = SparkSchemaUtil.convert(table.schema());
            if (!existing.contains(id)) {
                PartitionSpec.Builder spec = PartitionSpec.builderFor(schema);
                table.partitionColumns().forEach(spec::identity);
                SortOrder.Builder order = SortOrder.builderFor(schema);
                table.sortColumns().forEach(order::asc);
                try {
                    catalog.buildTable(id, schema).withPartitionSpec(spec.build()).withSortOrder(order.build())
                            .withProperties(TableDefaults.properties(table)).create();
                } catch (AlreadyExistsException e) {
                    // Another driver made it first; it has the same definition.
                }
                continue;
            }
            Table loaded = catalog.loadTable(id);
            if (table.schema().fields().length != loaded.schema().columns().size()
                    || Arrays.stream(table.schema().fieldNames()).anyMatch(n -> loaded.schema().findField(n) == null)) {
                // A column added by a later release: older data files read it as null.
                loaded.updateSchema().unionByNameWith(schema).commit();
            }
        }
    }

    /**
     * Registers the lake's catalog with Spark under a name of its own: {@code lake} for the first lake of a
     * session, {@code lake_2}, ... for others (tests open many lakes in one session). A lake opened again
     * finds its name by the root marker.
     */
    private static String registerCatalog(SparkSession spark, LakeSettings settings) {
        for (int i = 1; ; i++) {
            String name = i == 1 ? "lake" : "lake_" + i;
            String prefix = "spark.sql.catalog." + name;
            scala.Option<String> marker = spark.conf().getOption(prefix + "." + ROOT_MARKER);
            if (marker.isDefined() && marker.get().equals(settings.root() + " " + settings.describe())) {
                return name;
            }
            if (!spark.conf().contains(prefix)) {
                spark.conf().set(prefix, "org.apache.iceberg.spark.SparkCatalog");
                settings.sparkCatalogProperties().forEach((k, v) -> spark.conf().set(prefix + "." + k, v));
                spark.conf().set(prefix + "." + ROOT_MARKER, settings.root() + " " + settings.describe());
                return name;
            }
        }
    }

    static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    private static String quoteColumn(String name) {
        return "`" + name + "`";
    }

    private static Path qualify(Path path, Configuration conf) {
        try {
            return path.getFileSystem(conf).makeQualified(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open lake " + path, e);
        }
    }

    /** The table properties every lake table is created with. */
    static final class TableDefaults {
        private TableDefaults() {}

        static Map<String, String> properties(LakeTable table) {
            Map<String, String> props = new LinkedHashMap<>();
            props.put("format-version", "2");
            // Spark clusters rows by partition before writing, so a partition gets one file per write, sorted.
            props.put("write.distribution-mode", "hash");
            props.put("write.parquet.compression-codec", "zstd");
            // Old metadata files go as new ones are written; snapshots (and time travel) are kept until maintain.
            props.put("write.metadata.delete-after-commit.enabled", "true");
            props.put("write.metadata.previous-versions-max", "100");
            // Several drivers (and a driver's generation batches) commit at once: retry on conflict.
            props.put("commit.retry.num-retries", "20");
            props.put("commit.retry.min-wait-ms", "50");
            props.put("noharm.writer", table.writer());
            if (table.equals(Tables.LEASES)) {
                // A lease change must fail when anyone committed first, and be decided again (Leases).
                props.put("commit.retry.num-retries", "0");
            }
            return props;
        }
    }
}
