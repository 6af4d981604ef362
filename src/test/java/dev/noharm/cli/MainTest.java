package dev.noharm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.testing.BenchmarkFixture;
import dev.noharm.testing.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SparkTestSession.class)
class MainTest {

    private record Outcome(int code, String out, String err) {}

    private static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void unknownCommandIsAOneLineUsageError() {
        Outcome o = run("ingestt");
        assertEquals(ExitCode.USAGE, o.code());
        assertEquals("error: unknown command 'ingestt' (commands: ingest, synthesize, generate, simulator, demo, nightly, import, score, export, compare, ensembles, sql, report, maintain, migrate, bench)\n", o.err());
    }

    @Test
    void unknownFlagIsAOneLineUsageError() {
        Outcome o = run("ingest", "--sample", "--lakes", "x");
        assertEquals(ExitCode.USAGE, o.code());
        assertEquals("error: unknown option '--lakes' for ingest (see ingest --help)\n", o.err());
    }

    @Test
    void missingCommandIsAUsageError() {
        Outcome o = run();
        assertEquals(ExitCode.USAGE, o.code());
        assertEquals(1, o.err().lines().count());
    }

    @Test
    void everyCommandAnswersHelp() {
        for (String command : new String[] {"ingest", "synthesize", "generate", "simulator", "demo", "nightly", "import", "score", "export", "compare", "ensembles", "sql", "report", "maintain", "migrate", "bench generation", "bench scoring", "bench ensembles"}) {
            String[] words = (command + " --help").split(" ");
            Outcome o = run(words);
            assertEquals(ExitCode.OK, o.code(), command);
            assertTrue(o.out().startsWith("Usage: submit.sh " + command), o.out());
            assertTrue(o.out().contains("--lake=URI"), command + " takes --lake");
        }
        assertTrue(run("--help").out().contains("ingest"));
    }

    @Test
    void invalidBenchmarkExitsThreeNamingFileAndLineAndWritesNothing(@TempDir Path tmp, SparkSession spark) {
        Path dataset = BenchmarkFixture.tiny()
                .replaceLine("options.jsonl", 4, "{\"case_id\":\"c2\",\"option_no\":0,\"category\":\"Diagnostic\",\"text\":\"Test X\"}")
                .writeTo(tmp.resolve("bad"));
        Outcome o = run("ingest", "--dataset", dataset.toString(), "--lake", tmp.resolve("lake").toString());
        assertEquals(ExitCode.INVALID_INPUT, o.code());
        assertTrue(o.err().startsWith("error: benchmark " + dataset + " was rejected: 1 problem\n"), o.err());
        assertTrue(o.err().contains("  options.jsonl:4: option_no: must be an integer >= 1, got 0\n"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace");
        assertFalse(Files.exists(tmp.resolve("lake")));
    }

    @Test
    void ingestPrintsTheVersionAndIsANoOpTheSecondTime(@TempDir Path tmp, SparkSession spark) {
        String lake = tmp.resolve("lake").toString();
        Outcome first = run("ingest", "--sample", "--lake", lake);
        assertEquals(ExitCode.OK, first.code(), first.err());
        assertTrue(first.out().matches("ingested dataset version [0-9a-f]{16} from bundled sample benchmark: 20 cases, 212 options, 636 annotations into .*\n"), first.out());
        Outcome second = run("ingest", "--sample", "--lake", lake);
        assertTrue(second.out().contains("is already in"), second.out());
    }

    @Test
    void synthesizeWritesABenchmarkThatIngests(@TempDir Path tmp, SparkSession spark) {
        Outcome o = run("synthesize", "--out", tmp.resolve("syn").toString(), "--cases", "12", "--options", "9", "--seed", "3");
        assertEquals(ExitCode.OK, o.code(), o.err());
        Outcome ingest = run("ingest", "--dataset", tmp.resolve("syn").toString(), "--lake", tmp.resolve("lake").toString());
        assertTrue(ingest.out().contains("12 cases, 108 options, 324 annotations"), ingest.out() + ingest.err());
    }
}
