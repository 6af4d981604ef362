package dev.noharm.benchmark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticBenchmarkTest {

    @Test
    void generatesAValidBenchmarkOfTheRequestedSize(@TempDir Path dir) {
        new SyntheticBenchmark(23, 7, 4, 42).writeTo(dir);
        Benchmark b = new BenchmarkReader().read(BenchmarkSource.folder(dir.toString(), new Configuration()));
        assertEquals(23, b.cases().size());
        assertEquals(23 * 7, b.options().size());
        assertEquals(23 * 7 * 4, b.annotations().size());
        assertEquals(10, b.cases().stream().map(BenchmarkCase::specialty).distinct().count());
        assertTrue(b.cases().stream().allMatch(c -> c.source().startsWith("synthetic")));
        // Both grading modes must leave some highly appropriate options for completeness to mean anything.
        assertTrue(b.labels(GradingMode.MAJORITY).stream().anyMatch(OptionLabel::highlyAppropriate));
    }

    @Test
    void sameSeedSameFilesOtherSeedOtherFiles(@TempDir Path dir) throws IOException {
        new SyntheticBenchmark(5, 6, 3, 7).writeTo(dir.resolve("a"));
        new SyntheticBenchmark(5, 6, 3, 7).writeTo(dir.resolve("b"));
        new SyntheticBenchmark(5, 6, 3, 8).writeTo(dir.resolve("c"));
        byte[] a = Files.readAllBytes(dir.resolve("a/annotations.jsonl"));
        assertArrayEquals(a, Files.readAllBytes(dir.resolve("b/annotations.jsonl")));
        assertFalse(java.util.Arrays.equals(a, Files.readAllBytes(dir.resolve("c/annotations.jsonl"))));
    }

    @Test
    void perturbedCopiesShareTheOptionsAndOnlyLabValueCopiesHaveRatingsOfTheirOwn(@TempDir Path dir) throws IOException {
        new SyntheticBenchmark(4, 6, 3, 7, 3).writeTo(dir.resolve("v"));
        Benchmark b = new BenchmarkReader().read(BenchmarkSource.folder(dir.resolve("v").toString(), new Configuration()));
        assertEquals(4 * 4, b.cases().size());
        assertEquals(4 * 4 * 6, b.options().size());
        java.util.Map<String, BenchmarkCase> byId = new java.util.HashMap<>();
        b.cases().forEach(c -> byId.put(c.caseId(), c));
        for (int c = 1; c <= 4; c++) {
            String original = String.format("syn%07d", c);
            for (int v = 1; v <= 3; v++) {
                BenchmarkCase copy = byId.get(original + "-v" + v);
                assertEquals(original, copy.variantOf());
                assertEquals(java.util.List.of("sex", "age", "lab_values").get(v - 1), copy.perturbation());
                assertEquals(texts(b, original), texts(b, copy.caseId()));
                assertEquals(!copy.perturbation().equals("lab_values"), ratings(b, original).equals(ratings(b, copy.caseId())), copy.caseId());
            }
        }
        // The originals are the same with or without copies.
        Benchmark plain = new BenchmarkReader().read(BenchmarkSource.folder(writePlain(dir.resolve("plain")), new Configuration()));
        for (int c = 1; c <= 4; c++) {
            String original = String.format("syn%07d", c);
            assertEquals(ratings(plain, original), ratings(b, original), original);
            assertEquals(texts(plain, original), texts(b, original), original);
        }
        // Without copies the files are as before the option existed: the same seed gives the same bytes.
        new SyntheticBenchmark(5, 6, 3, 7).writeTo(dir.resolve("a"));
        new SyntheticBenchmark(5, 6, 3, 7, 0).writeTo(dir.resolve("b"));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/annotations.jsonl")), Files.readAllBytes(dir.resolve("b/annotations.jsonl")));
    }

    private static String writePlain(Path dir) {
        new SyntheticBenchmark(4, 6, 3, 7).writeTo(dir);
        return dir.toString();
    }

    private static java.util.List<String> texts(Benchmark b, String caseId) {
        return b.optionsByCase().get(caseId).stream().map(o -> o.optionNo() + " " + o.text()).toList();
    }

    private static java.util.List<String> ratings(Benchmark b, String caseId) {
        return b.annotations().stream().filter(a -> a.caseId().equals(caseId))
                .map(a -> a.optionNo() + a.annotatorId() + a.appropriateness() + a.harmIfDone() + a.harmIfOmitted()).sorted().toList();
    }
}
