package dev.noharm.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Where the three files of a benchmark are read from: a folder (any Hadoop URI) or the bundled sample. */
public interface BenchmarkSource {

    String CASES = "cases.jsonl";
    String OPTIONS = "options.jsonl";
    String ANNOTATIONS = "annotations.jsonl";

    /** A short description for messages and the lake's provenance column. */
    String describe();

    /** The lines of one file, or empty when the file does not exist. */
    Optional<List<String>> lines(String fileName);

    /** The benchmark bundled in the jar: synthetic, written for this project. */
    static BenchmarkSource bundledSample() {
        return new BenchmarkSource() {
            @Override
            public String describe() {
                return "bundled sample benchmark";
            }

            @Override
            public Optional<List<String>> lines(String fileName) {
                return resource("/dev/noharm/benchmark/sample/" + fileName);
            }
        };
    }

    /**
     * The bundled sample with perturbed copies of three of its cases (CONTRACT section 7), synthetic too: the patient's
     * sex (card-01) and age (gi-01) changed, which should not change management (same options and labels), and a
     * potassium of 5.4 instead of 6.4 mmol/L (neph-02), which does (its options re-annotated).
     */
    static BenchmarkSource bundledSampleWithVariants() {
        BenchmarkSource sample = bundledSample();
        return new BenchmarkSource() {
            @Override
            public String describe() {
                return "bundled sample benchmark with perturbed variants";
            }

            @Override
            public Optional<List<String>> lines(String fileName) {
                return sample.lines(fileName).map(lines -> {
                    List<String> all = new java.util.ArrayList<>(lines);
                    resource("/dev/noharm/benchmark/sample-variants/" + fileName).ifPresent(all::addAll);
                    return List.copyOf(all);
                });
            }
        };
    }

    /** A folder holding the three files; {@code uri} is a local path or any Hadoop file system URI. */
    static BenchmarkSource folder(String uri, Configuration hadoopConf) {
        Path dir = new Path(uri);
        return new BenchmarkSource() {
            @Override
            public String describe() {
                return uri;
            }

            @Override
            public Optional<List<String>> lines(String fileName) {
                try {
                    Path file = new Path(dir, fileName);
                    FileSystem fs = file.getFileSystem(hadoopConf);
                    if (!fs.exists(file)) {
                        return Optional.empty();
                    }
                    return Optional.of(readLines(fs.open(file)));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + fileName + " in " + uri, e);
                }
            }
        };
    }

    /** The lines of a resource in the jar, or empty when there is none. */
    private static Optional<List<String>> resource(String path) {
        InputStream in = BenchmarkSource.class.getResourceAsStream(path);
        return in == null ? Optional.empty() : Optional.of(readLines(in));
    }

    private static List<String> readLines(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
