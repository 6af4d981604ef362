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
}
