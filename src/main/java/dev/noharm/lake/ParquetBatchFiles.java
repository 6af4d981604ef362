package dev.noharm.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroup;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Writes small Parquet files of a table's rows from executor code, outside Spark's writers, for tables
 * that are committed incrementally while a job runs. Each file is written under a hidden name ({@code .}
 * prefix, which Spark ignores) and renamed into place when complete, so a reader sees whole files or none.
 */
public final class ParquetBatchFiles {
    private ParquetBatchFiles() {}

    /** The Parquet schema of a table's data columns (partition columns live in folder names). */
    public static MessageType dataSchema(LakeTable table) {
        Types.MessageTypeBuilder builder = Types.buildMessage();
        for (StructField field : table.schema().fields()) {
            if (table.partitionColumns().contains(field.name())) {
                continue;
            }
            DataType type = field.dataType();
            if (type.equals(DataTypes.StringType)) {
                builder.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(field.name());
            } else if (type.equals(DataTypes.IntegerType)) {
                builder.optional(PrimitiveTypeName.INT32).named(field.name());
            } else if (type.equals(DataTypes.LongType)) {
                builder.optional(PrimitiveTypeName.INT64).named(field.name());
            } else if (type.equals(DataTypes.DoubleType)) {
                builder.optional(PrimitiveTypeName.DOUBLE).named(field.name());
            } else if (type.equals(DataTypes.BooleanType)) {
                builder.optional(PrimitiveTypeName.BOOLEAN).named(field.name());
            } else if (type.equals(DataTypes.TimestampType)) {
                builder.optional(PrimitiveTypeName.INT64)
                        .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named(field.name());
            } else {
                throw new IllegalArgumentException(table.name() + "." + field.name() + ": unsupported type " + type);
            }
        }
        return builder.named("spark_schema");
    }

    /**
     * Writes rows as one file at {@code target}, atomically. Each row holds every column of the table in schema
     * order (as {@link RecordRows#values} gives them); partition columns are left out of the file.
     */
    public static void write(LakeTable table, List<Object[]> rows, Path target, Configuration conf) {
        MessageType schema = dataSchema(table);
        Path hidden = new Path(target.getParent(), "." + target.getName() + ".inprogress");
        try {
            FileSystem fs = target.getFileSystem(conf);
            fs.mkdirs(target.getParent());
            try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(hidden, conf))
                    .withType(schema)
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .build()) {
                for (Object[] row : rows) {
                    writer.write(group(table, schema, row));
                }
            }
            // A committed file is never replaced: a name collision would silently drop paid-for rows.
            if (fs.exists(target)) {
                throw new IOException("refusing to overwrite committed file " + target);
            }
            if (!fs.rename(hidden, target)) {
                throw new IOException("rename to " + target + " returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    /** The values of one string column in every file matching {@code glob} (used to find committed keys). */
    public static Set<String> readColumn(Path glob, String column, Configuration conf) {
        Set<String> values = new HashSet<>();
        try {
            FileSystem fs = glob.getFileSystem(conf);
            FileStatus[] files = fs.globStatus(glob);
            if (files == null) {
                return values;
            }
            for (FileStatus file : files) {
                try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file.getPath()).withConf(conf).build()) {
                    for (Group g = reader.read(); g != null; g = reader.read()) {
                        values.add(g.getString(column, 0));
                    }
                }
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + glob, e);
        }
    }

    private static Group group(LakeTable table, MessageType schema, Object[] row) {
        SimpleGroup group = new SimpleGroup(schema);
        StructField[] fields = table.schema().fields();
        for (int i = 0; i < fields.length; i++) {
            String name = fields[i].name();
            Object value = row[i];
            if (value == null || table.partitionColumns().contains(name)) {
                continue;
            }
            if (value instanceof String s) {
                group.append(name, s);
            } else if (value instanceof Integer n) {
                group.append(name, n);
            } else if (value instanceof Long l) {
                group.append(name, l);
            } else if (value instanceof Double d) {
                group.append(name, d);
            } else if (value instanceof Boolean b) {
                group.append(name, b);
            } else if (value instanceof Instant t) {
                group.append(name, t.getEpochSecond() * 1_000_000 + t.getNano() / 1000);
            } else {
                throw new IllegalArgumentException(name + ": unsupported value " + value.getClass());
            }
        }
        return group;
    }
}
