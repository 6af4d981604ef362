package dev.noharm.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes the static report: {@code index.html} with the data embedded, its script and stylesheet, and
 * Apache ECharts copied from its WebJar, so the folder opens offline from disk or any static host.
 */
public final class HtmlReport {
    /** The bundled ECharts build; the version must match the pom's WebJar. */
    static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.5.0/echarts.min.js";
    private static final String ASSETS = "/dev/noharm/report/";

    private HtmlReport() {}

    /** Writes the report into {@code outDir} (a local path or Hadoop URI); returns the index file. */
    public static Path write(ReportData data, String outDir, Configuration conf) {
        Path dir = new Path(outDir);
        try {
            FileSystem fs = dir.getFileSystem(conf);
            fs.mkdirs(dir);
            String page = resource(ASSETS + "report.html")
                    .replace("{{TITLE}}", "NOHARM report, dataset " + data.datasetVersion())
                    .replace("{{DATA}}", scriptSafeJson(data));
            write(fs, new Path(dir, "index.html"), page.getBytes(StandardCharsets.UTF_8));
            write(fs, new Path(dir, "report.js"), resource(ASSETS + "report.js").getBytes(StandardCharsets.UTF_8));
            write(fs, new Path(dir, "report.css"), resource(ASSETS + "report.css").getBytes(StandardCharsets.UTF_8));
            write(fs, new Path(dir, "echarts.min.js"), bytes(ECHARTS));
            return fs.makeQualified(new Path(dir, "index.html"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + outDir, e);
        }
    }

    /** JSON that cannot end the script element it sits in (option texts are free text). */
    static String scriptSafeJson(ReportData data) throws IOException {
        return new ObjectMapper().writeValueAsString(data)
                .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }

    private static void write(FileSystem fs, Path path, byte[] content) throws IOException {
        try (OutputStream out = fs.create(path, true)) {
            out.write(content);
        }
    }

    private static String resource(String name) throws IOException {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String name) throws IOException {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name + " in the jar");
            }
            return in.readAllBytes();
        }
    }
}
