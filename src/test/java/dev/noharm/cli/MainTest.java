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

    /**
     * One rule for a lake that lacks what a command works on: exit 8 naming the command to run first, nothing
     * written, no lake made. Options that name nothing known are usage errors (2) listing what is known.
     */
    @Test
    void emptyLakesAndUnknownNamesExitNonZeroSayingWhatToRunOrWhatIsKnown(@TempDir Path tmp, SparkSession spark) throws Exception {
        String missing = tmp.resolve("no-lake").toString();
        Outcome score = run("score", "--lake", missing);
        assertEquals(ExitCode.NOTHING_YET, score.code(), score.err());
        assertEquals("error: there is no lake at " + missing + "; run ./submit.sh ingest --lake " + missing + " first\n", score.err());
        Outcome sql = run("sql", "--lake", missing, "select count(*) from cases");
        assertEquals(ExitCode.NOTHING_YET, sql.code(), sql.err());
        assertFalse(Files.exists(tmp.resolve("no-lake")), "reading commands make no lake");

        Path file = Files.writeString(tmp.resolve("lake.txt"), "not a lake");
        Outcome onFile = run("sql", "--lake", file.toString(), "select 1");
        assertEquals(ExitCode.USAGE, onFile.code(), onFile.err());
        assertEquals("error: --lake " + file + " is a file, not a lake folder (see sql --help)\n", onFile.err());

        String empty = Files.createDirectories(tmp.resolve("empty")).toString();
        Outcome report = run("report", "--lake", empty, "--out", tmp.resolve("report").toString());
        assertEquals(ExitCode.NOTHING_YET, report.code(), report.err());
        assertEquals("error: the lake file:" + empty + " has no dataset yet; run ./submit.sh ingest first\n", report.err(),
                "blames no option that was not given");

        String lake = tmp.resolve("lake").toString();
        assertEquals(ExitCode.OK, run("ingest", "--sample", "--lake", lake).code());
        Outcome noResponses = run("score", "--lake", lake);
        assertEquals(ExitCode.NOTHING_YET, noResponses.code(), noResponses.err());
        assertEquals("error: no responses to score in file:" + lake + "; run ./submit.sh generate or import first\n", noResponses.err());
        Path csv = tmp.resolve("metrics.csv");
        Outcome export = run("export", "--lake", lake, "--format", "harmdash", "--out", csv.toString());
        assertEquals(ExitCode.NOTHING_YET, export.code(), export.err());
        assertTrue(export.err().startsWith("error: nothing scored for dataset version "), export.err());
        assertFalse(Files.exists(csv), "no header-only file");
        Outcome noScore = run("report", "--lake", lake, "--out", tmp.resolve("report").toString());
        assertEquals(ExitCode.NOTHING_YET, noScore.code(), noScore.err());
        Outcome ensembles = run("ensembles", "--lake", lake);
        assertEquals(ExitCode.NOTHING_YET, ensembles.code(), ensembles.err());
        assertTrue(ensembles.err().endsWith("; run ./submit.sh score first\n"), ensembles.err());
        assertFalse((score.err() + sql.err() + report.err() + noResponses.err() + export.err() + ensembles.err()).contains("\tat "),
                "no stack traces");

        Outcome badFormat = run("export", "--lake", lake, "--format", "csv", "--out", csv.toString());
        assertEquals(ExitCode.USAGE, badFormat.code(), badFormat.err());
        assertTrue(badFormat.err().contains("unknown format 'csv' (formats: long, harmdash)"), badFormat.err());
        Outcome harmdashBySpecialty = run("export", "--lake", lake, "--format", "harmdash", "--specialties", "--out", csv.toString());
        assertEquals(ExitCode.USAGE, harmdashBySpecialty.code(), harmdashBySpecialty.err());
        assertTrue(harmdashBySpecialty.err().contains("use --format long for per-specialty rows"), harmdashBySpecialty.err());

        Outcome compare = run("compare", "--lake", lake, "--a", "x", "--b", "y", "--metric", "Safty");
        assertEquals(ExitCode.USAGE, compare.code(), compare.err());
        assertTrue(compare.err().contains("unknown metric 'Safty' (metrics: pct, pct_cumulative, "), compare.err());
        assertTrue(compare.err().contains(", Safety, OverallScore, ParseFailureRate, Runtime)"), compare.err());
        Outcome ensemblesMetric = run("ensembles", "--lake", lake, "--metric", "Safty");
        assertEquals(ExitCode.USAGE, ensemblesMetric.code(), ensemblesMetric.err());
        assertTrue(ensemblesMetric.err().contains("unknown metric 'Safty'"), ensemblesMetric.err());
        Outcome harm = run("ensembles", "--lake", lake, "--metric", "Safety", "--harm", "Severe");
        assertEquals(ExitCode.USAGE, harm.code(), harm.err());
        assertTrue(harm.err().startsWith("error: Safety is not computed per harm level"), harm.err());
    }

    @Test
    void generateListsAndCancelsOpenBatches(@TempDir Path tmp, SparkSession spark) throws Exception {
        String lake = tmp.resolve("lake").toString();
        Path bench = BenchmarkFixture.tiny().writeTo(tmp.resolve("bench"));
        assertEquals(ExitCode.OK, run("ingest", "--dataset", bench.toString(), "--lake", lake).code());
        var tiny = new dev.noharm.benchmark.BenchmarkReader().read(dev.noharm.benchmark.BenchmarkSource.folder(bench.toString(),
                new org.apache.hadoop.conf.Configuration()));
        try (var sim = dev.noharm.simulator.EndpointSimulator.start(
                dev.noharm.simulator.SimulatorConfig.defaults().withBatches(3_600_000, 0, 0), tiny, 0)) {
            Files.writeString(tmp.resolve("models.yaml"), "models:\n" + dev.noharm.testing.GenerationFixture.model("m", "careful-1",
                    sim.baseUrl(), 600, 4, "").replace("    model_name:", "    batch_api: true\n    model_name:"));
            Path spec = tmp.resolve("spec.yaml");
            Files.writeString(spec, "run_id: r\nregistry: " + tmp.resolve("models.yaml") + "\nmodels: [{model: m, samples: 2, mode: batch}]\n"
                    + "batch: {poll_seconds: 1}\n");
            Outcome submitted = run("generate", "--spec", spec.toString(), "--lake", lake, "--no-batch-wait");
            assertEquals(ExitCode.OK, submitted.code(), submitted.err());
            assertTrue(submitted.out().contains("submitted openai batch"), submitted.out());

            Outcome status = run("generate", "--spec", spec.toString(), "--lake", lake, "--status");
            assertEquals(ExitCode.OK, status.code(), status.err());
            String line = status.out().lines().filter(l -> l.contains(" m ")).findFirst().orElseThrow(() -> new AssertionError(status.out()));
            assertTrue(line.matches("[0-9a-f]{12} +m +openai +models +open +4 +0h00m +in_progress +0 of 4 \\(0 failed\\)"), line);
            assertTrue(status.out().contains("generate --status: 1 open batches"), status.out());

            assertEquals(ExitCode.USAGE, run("generate", "--spec", spec.toString(), "--lake", lake, "--status", "--cancel").code());
            Outcome cancel = run("generate", "--spec", spec.toString(), "--lake", lake, "--cancel");
            assertTrue(cancel.out().contains("1 open batches asked to cancel"), cancel.out());
            Outcome collected = run("generate", "--spec", spec.toString(), "--lake", lake);
            assertEquals(ExitCode.OK, collected.code(), collected.err());
            assertTrue(collected.out().contains("(cancelled): 0 answered, 0 failed, 4 unanswered (to do again)"), collected.out());
            assertTrue(run("generate", "--spec", spec.toString(), "--lake", lake, "--status").out().contains("generate --status: 0 open batches"));
        }
    }
}
