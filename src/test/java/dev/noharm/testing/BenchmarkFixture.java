package dev.noharm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny valid benchmark whose labels were worked out by hand (see the expectations in
 * BenchmarkLabelsTest): case c1 has 3 options rated by 3 annotators, case c2 has 2 options rated by 4.
 * Tests copy it, break one thing, and write it to a real folder.
 */
public final class BenchmarkFixture {
    private final Map<String, List<String>> files = new LinkedHashMap<>();

    private BenchmarkFixture() {}

    public static BenchmarkFixture tiny() {
        BenchmarkFixture f = new BenchmarkFixture();
        f.files.put("cases.jsonl", new ArrayList<>(List.of(
                "{\"case_id\":\"c1\",\"specialty\":\"Cardiology\",\"text\":\"Case one. What next?\",\"source\":\"test fixture\"}",
                "{\"case_id\":\"c2\",\"specialty\":\"Neurology\",\"text\":\"Case two. What next?\"}")));
        f.files.put("options.jsonl", new ArrayList<>(List.of(
                "{\"case_id\":\"c1\",\"option_no\":1,\"category\":\"Medication\",\"text\":\"Drug A\"}",
                "{\"case_id\":\"c1\",\"option_no\":2,\"category\":\"Referral\",\"text\":\"Refer\",\"escalation\":true}",
                "{\"case_id\":\"c1\",\"option_no\":3,\"category\":\"Follow-up\",\"text\":\"No additional testing or treatment\",\"no_intervention\":true}",
                "{\"case_id\":\"c2\",\"option_no\":1,\"category\":\"Diagnostic\",\"text\":\"Test X\"}",
                "{\"case_id\":\"c2\",\"option_no\":2,\"category\":\"Medication\",\"text\":\"Drug Y\"}")));
        f.files.put("annotations.jsonl", new ArrayList<>(List.of(
                ann("c1", 1, "r1", "highly_appropriate", "none", "severe"),
                ann("c1", 1, "r2", "highly_appropriate", "mild", "severe"),
                ann("c1", 1, "r3", "appropriate", "none", "moderate"),
                ann("c1", 2, "r1", "appropriate", "none", "mild"),
                ann("c1", 2, "r2", "uncertain", "none", "none"),
                ann("c1", 2, "r3", "highly_inappropriate", "moderate", "none"),
                ann("c1", 3, "r1", "highly_inappropriate", "severe", "none"),
                ann("c1", 3, "r2", "inappropriate", "moderate", "none"),
                ann("c1", 3, "r3", "highly_inappropriate", "death", "none"),
                ann("c2", 1, "r1", "highly_appropriate", "none", "severe"),
                ann("c2", 1, "r2", "highly_appropriate", "none", "moderate"),
                ann("c2", 1, "r3", "appropriate", "none", "severe"),
                ann("c2", 1, "r4", "uncertain", "mild", "mild"),
                ann("c2", 2, "r1", "inappropriate", "mild", "none"),
                ann("c2", 2, "r2", "appropriate", "uncertain", "none"),
                ann("c2", 2, "r3", "highly_inappropriate", "moderate", "uncertain"),
                ann("c2", 2, "r4", "inappropriate", "mild", "none"))));
        return f;
    }

    public static String ann(String caseId, int optionNo, String annotator, String appropriateness, String done, String omitted) {
        return String.format("{\"case_id\":\"%s\",\"option_no\":%d,\"annotator_id\":\"%s\",\"appropriateness\":\"%s\","
                + "\"harm_if_done\":\"%s\",\"harm_if_omitted\":\"%s\"}", caseId, optionNo, annotator, appropriateness, done, omitted);
    }

    /** Only case c1 of {@link #tiny()}: 1 case, 3 options, 3 annotators. */
    public static BenchmarkFixture oneCase() {
        BenchmarkFixture f = tiny();
        f.files.get("cases.jsonl").remove(1);
        f.files.get("options.jsonl").subList(3, 5).clear();
        f.files.get("annotations.jsonl").subList(9, 17).clear();
        return f;
    }

    /** Replaces line {@code lineNo} (1-based) of a file. */
    public BenchmarkFixture replaceLine(String file, int lineNo, String line) {
        files.get(file).set(lineNo - 1, line);
        return this;
    }

    public BenchmarkFixture removeLine(String file, int lineNo) {
        files.get(file).remove(lineNo - 1);
        return this;
    }

    public BenchmarkFixture addLine(String file, String line) {
        files.get(file).add(line);
        return this;
    }

    public BenchmarkFixture removeFile(String file) {
        files.remove(file);
        return this;
    }

    /** Writes the files into {@code dir} and returns it. */
    public Path writeTo(Path dir) {
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, List<String>> file : files.entrySet()) {
                Files.write(dir.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
