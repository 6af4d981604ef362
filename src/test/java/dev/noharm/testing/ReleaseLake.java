package dev.noharm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * The lake written by release 0.1 (src/test/resources/dev/noharm/fixtures/release-0.1-lake, see its README):
 * its folder, and its generations read straight from the Parquet files, with no Spark and none of the
 * project's readers, as the old release left them.
 */
public final class ReleaseLake {
    /** The dataset version the release generated and scored on ({@code bench/}); the later one ({@code bench2/}) has no answers. */
    public static final String FIRST_VERSION = "d7e9723ac20a430c";
    public static final String SECOND_VERSION = "da5bf058e6ca0e26";

    private ReleaseLake() {}

    /** The fixture folder: {@code lake/}, {@code bench/}, {@code models.yaml}, {@code spec.yaml}, {@code physicians.jsonl}. */
    public static Path folder() {
        try {
            return Path.of(ReleaseLake.class.getResource("/dev/noharm/fixtures/release-0.1-lake").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of the fixture under {@code target}, so a test may change it. */
    public static Path copyTo(Path target) {
        Path source = folder();
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : walk.toList()) {
                Path to = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every row of the old generations table: its data columns, plus run_id and model_id from the folder names. */
    public static List<Map<String, Object>> generations() {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(folder().resolve("lake/generations"))) {
            for (Path file : walk.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList()) {
                Map<String, Object> partition = new LinkedHashMap<>();
                for (Path part = file.getParent(); part.getFileName().toString().contains("="); part = part.getParent()) {
                    String[] kv = part.getFileName().toString().split("=", 2);
                    partition.put(kv[0], kv[1]);
                }
                try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(),
                        new org.apache.hadoop.fs.Path(file.toUri())).withConf(new Configuration()).build()) {
                    for (Group g = reader.read(); g != null; g = reader.read()) {
                        Map<String, Object> row = new LinkedHashMap<>(partition);
                        for (Type field : g.getType().getFields()) {
                            String name = field.getName();
                            if (g.getFieldRepetitionCount(name) == 0) {
                                row.put(name, null);
                                continue;
                            }
                            PrimitiveType.PrimitiveTypeName type = field.asPrimitiveType().getPrimitiveTypeName();
                            row.put(name, switch (type) {
                                case BINARY -> g.getString(name, 0);
                                case INT32 -> g.getInteger(name, 0);
                                case INT64 -> g.getLong(name, 0);
                                case DOUBLE -> g.getDouble(name, 0);
                                case BOOLEAN -> g.getBoolean(name, 0);
                                default -> throw new IllegalStateException(name + ": " + type);
                            });
                        }
                        rows.add(row);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }
}
