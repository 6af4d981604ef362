package dev.noharm.validation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a spec or registry named by a relative path like {@code jobs/demo.yaml}: from the working
 * directory when the file is there, else the copy of the repository's {@code jobs/} and {@code conf/}
 * bundled in the jar (so the demo runs under spark-submit with no local files).
 */
public final class ConfigFiles {
    private ConfigFiles() {}

    public static String read(String path) {
        if (path.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            return readHadoop(path);
        }
        Path file = Path.of(path);
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file, StandardCharsets.UTF_8);
            }
            try (InputStream bundled = ConfigFiles.class.getResourceAsStream("/dev/noharm/" + path.replaceFirst("^\\./", ""))) {
                if (bundled != null) {
                    return new String(bundled.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new InvalidInputException(path, List.of(new ValidationProblem(path, 0, null, "cannot read: " + e.getMessage())));
        }
        throw new InvalidInputException(path, List.of(new ValidationProblem(path, 0, null,
                "file not found (looked in " + file.toAbsolutePath().getParent() + " and in the jar)")));
    }

    /**
     * A spec or registry on HDFS, S3 or GCS ({@code s3a://bucket/jobs/run.yaml}): what cluster deploy mode needs,
     * since the driver then runs on a node without the user's files. The Hadoop settings are spark-submit's
     * {@code spark.hadoop.*} properties, as Spark itself would apply them.
     */
    private static String readHadoop(String uri) {
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        for (scala.Tuple2<String, String> entry : new org.apache.spark.SparkConf().getAllWithPrefix("spark.hadoop.")) {
            conf.set(entry._1(), entry._2());
        }
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
        try (InputStream in = path.getFileSystem(conf).open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException(uri, List.of(new ValidationProblem(uri, 0, null, "cannot read: " + e.getMessage())));
        }
    }

    /** Parses a YAML configuration that must be a mapping; {@code what} names it in errors ("run spec"). */
    public static com.fasterxml.jackson.databind.JsonNode yamlMapping(String yaml, String fileName, String what) {
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(yaml);
        } catch (java.io.IOException e) {
            throw new InvalidInputException(what + " " + fileName,
                    List.of(new ValidationProblem(fileName, 0, null, "not valid YAML: " + e.getMessage())));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(what + " " + fileName,
                    List.of(new ValidationProblem(fileName, 0, null, "must be a mapping of fields")));
        }
        return root;
    }
}
