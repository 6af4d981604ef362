package dev.noharm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.testing.BenchmarkFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs ./submit.sh as a user does, with the packaged self-contained jar and no SPARK_HOME. */
class SubmitScriptIT {

    record Run(int code, String out, String err) {}

    static Run submit(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of("submit.sh").toAbsolutePath().toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().remove("SPARK_HOME");
        Path out = workDir.resolve("stdout.txt");
        Path err = workDir.resolve("stderr.txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("submit.sh " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void ingestsTheBundledSampleIntoTheDefaultLakeThenIsANoOp(@TempDir Path work) throws Exception {
        Run first = submit(work, "ingest", "--sample");
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("20 cases, 212 options, 636 annotations"), first.out());
        assertTrue(Files.isDirectory(work.resolve("lake/warehouse/noharm/option_labels/data")) && Files.isRegularFile(work.resolve("lake/catalog.sqlite")),
                "default lake is ./lake, its catalog inside");
        assertFalse(first.err().contains("ERROR"), first.err());

        Run second = submit(work, "ingest", "--sample", "--master", "local[1]");
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("is already in"), second.out());
    }

    @Test
    void aFailedSparkTaskIsAFewLinesNotPagesOfStackTraces(@TempDir Path work) throws Exception {
        assertEquals(0, submit(work, "ingest", "--sample").code());
        // A lake damaged outside the pipeline: one data file of the cases table is gone.
        Path file;
        try (var files = Files.walk(work.resolve("lake/warehouse/noharm/cases/data"))) {
            file = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        Files.delete(file);
        Run run = submit(work, "sql", "SELECT count(*) FROM cases");
        assertEquals(ExitCode.FAILURE, run.code(), run.err());
        assertTrue(run.err().contains("error: ") && run.err().contains(file.getFileName().toString()), "says which file: " + run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace without NOHARM_DEBUG: " + run.err());
        assertTrue(run.err().lines().count() <= 10, run.err().lines().count() + " lines: " + run.err());
    }

    @Test
    void rejectsABrokenDatasetWithFileAndLineAndLeavesTheLakeUntouched(@TempDir Path work) throws Exception {
        Path bad = BenchmarkFixture.tiny()
                .replaceLine("annotations.jsonl", 5, BenchmarkFixture.ann("c1", 2, "r2", "unsure", "none", "none"))
                .writeTo(work.resolve("bad"));
        Run run = submit(work, "ingest", "--dataset", bad.toString(), "--lake", work.resolve("lake").toString());
        assertEquals(3, run.code());
        assertTrue(run.err().contains("annotations.jsonl:5: appropriateness: unknown value \"unsure\""), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
        assertFalse(Files.exists(work.resolve("lake")));
    }

    @Test
    void usageErrorsAreOneLineWithExitCodeTwo(@TempDir Path work) throws Exception {
        Run unknownCommand = submit(work, "frobnicate");
        assertEquals(2, unknownCommand.code());
        assertTrue(unknownCommand.err().lines().anyMatch(l -> l.startsWith("error: unknown command 'frobnicate'")), unknownCommand.err());
        Run unknownFlag = submit(work, "ingest", "--sample", "--bogus");
        assertEquals(2, unknownFlag.code());
        assertEquals(List.of("error: unknown option '--bogus' for ingest (see ingest --help)"), unknownFlag.err().lines().toList());
        Run help = submit(work, "synthesize", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().startsWith("Usage: submit.sh synthesize"), help.out());
    }
}
