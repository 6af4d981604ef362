package dev.noharm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.generation.GenerateJob;
import dev.noharm.lake.Lake;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.testing.GenerationFixture;
import dev.noharm.testing.LakeTables;
import dev.noharm.testing.ScriptedModelServer;
import dev.noharm.testing.SecretsManagerServer;
import dev.noharm.testing.SparkTestSession;
import dev.noharm.testing.SubmitProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generation through ./submit.sh in its own JVM, as a user or scheduler runs it. The sample benchmark is ingested
 * in this JVM (an ordinary Spark write, tested as a command in SubmitScriptIT, DemoIT and S3LakeIT): a separate
 * process for it cost each test ~12 s of start-up.
 */
@ExtendWith(SparkTestSession.class)
class GenerationIT {
    private static final String FAKE_KEY = "sk-noharm-it-FAKE-KEY-7f3a9c21";

    private static Process start(Path work, Map<String, String> env, String... args) throws IOException {
        return SubmitProcess.start(work, env, List.of(args));
    }

    private static int run(Path work, Map<String, String> env, String... args) throws Exception {
        return SubmitProcess.run(work, env, 5, List.of(args));
    }

    private static void ingestSample(SparkSession spark, Path lake) {
        GenerationFixture.ingest(new Lake(spark, lake.toString()), BenchmarkSource.bundledSample());
    }

    private static Path writeSpec(Path work, String registry, int samples) throws IOException {
        Files.writeString(work.resolve("models.yaml"), "models:\n" + registry);
        Path spec = work.resolve("spec.yaml");
        Files.writeString(spec, "run_id: it\nregistry: " + work.resolve("models.yaml") + "\nmodels:\n  - {model: a, samples: " + samples + "}\n"
                + "commit: {every_results: 5, every_seconds: 2}\nconcurrency_per_task: 4\nprogress_seconds: 2\n");
        return spec;
    }

    @Test
    void aKilledRunResumesLosingOnlyWhatWasInFlightAndPayingForNothingTwice(SparkSession spark, @TempDir Path work) throws Exception {
        Path lake = work.resolve("lake");
        ingestSample(spark, lake);
        var sample = new BenchmarkReader().read(BenchmarkSource.bundledSample());
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(40, 0.3), sample, 0)) {
            Path spec = writeSpec(work, GenerationFixture.model("a", "careful-1", sim.baseUrl(), 600, 8, ""), 10);
            Process first = start(work, Map.of(), "generate", "--spec", spec.toString(), "--lake", lake.toString());
            awaitRows(lake, first, 30);
            first.destroyForcibly(); // SIGKILL: no shutdown hooks, no final commit, its lease left behind
            first.waitFor(1, TimeUnit.MINUTES);
            long committed = LakeTables.generationRows(lake);
            long paidBeforeKill = sim.stats().accepted();
            assertTrue(committed >= 30 && committed < 200, "committed before the kill: " + committed);
            // Lost = paid but not committed: at most what was in flight plus the unflushed buffers (2 tasks x (4 + 5)).
            assertTrue(paidBeforeKill - committed <= 18, "paid " + paidBeforeKill + ", committed " + committed);

            // The killed driver's lease on model a is not in force: its process is gone.
            assertEquals(0, run(work, Map.of(), "generate", "--spec", spec.toString(), "--lake", lake.toString()),
                    SubmitProcess.stderrTail(work));
            assertEquals(200, LakeTables.generationRows(lake));
            assertEquals(200, LakeTables.workKeys(lake).size(), "one row per item, no duplicates");
            assertEquals(200 - committed, sim.stats().accepted() - paidBeforeKill, "the rerun called exactly what was missing");
            String out = Files.readString(work.resolve("stdout.txt"));
            assertTrue(out.contains("200 items planned, " + committed + " already done, " + (200 - committed) + " to call"), out);
        }
    }

    @Test
    void aDriverKilledBetweenSubmittingABatchAndPollingItIsResumedWithoutSubmittingAgain(SparkSession spark, @TempDir Path work) throws Exception {
        Path lake = work.resolve("lake");
        ingestSample(spark, lake);
        var sample = new BenchmarkReader().read(BenchmarkSource.bundledSample());
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withBatches(20_000, 0, 0), sample, 0)) {
            String entry = GenerationFixture.model("a", "careful-1", sim.baseUrl(), 600, 8, "").replace("    model_name:",
                    "    batch_api: true\n    model_name:");
            Files.writeString(work.resolve("models.yaml"), "models:\n" + entry);
            Path spec = work.resolve("spec.yaml");
            Files.writeString(spec, "run_id: it\nregistry: " + work.resolve("models.yaml") + "\nmodels:\n  - {model: a, samples: 2, mode: batch}\n"
                    + "batch: {poll_seconds: 1}\nprogress_seconds: 2\n");
            Process first = start(work, Map.of(), "generate", "--spec", spec.toString(), "--lake", lake.toString());
            // The driver must be polling its batch when it is killed.
            awaitWhileRunning(first, "a batch open", () -> LakeTables.rows(lake, "batches").stream().anyMatch(r -> "open".equals(r.getField("state"))));
            first.destroyForcibly(); // SIGKILL between submit and the batch's end
            first.waitFor(1, TimeUnit.MINUTES);
            assertEquals(1, sim.stats().batchesCreated());
            assertEquals(0, LakeTables.generationRows(lake));

            assertEquals(0, run(work, Map.of(), "generate", "--spec", spec.toString(), "--lake", lake.toString()), SubmitProcess.stderrTail(work));
            assertEquals(1, sim.stats().batchesCreated(), "the rerun submitted nothing");
            assertEquals(40, sim.stats().batchRequests());
            assertEquals(0, sim.stats().accepted(), "and made no real-time call");
            assertEquals(40, LakeTables.generationRows(lake), "every result collected");
            assertEquals(40, LakeTables.workKeys(lake).size(), "one row per item");
            String out = Files.readString(work.resolve("stdout.txt"));
            assertTrue(out.contains("resuming openai batch"), out);
        }
    }

    @Test
    void anInterruptedRunStoresEveryAnswerThatArrivedExits130AndResumes(SparkSession spark, @TempDir Path work) throws Exception {
        Path lake = work.resolve("lake");
        ingestSample(spark, lake);
        var sample = new BenchmarkReader().read(BenchmarkSource.bundledSample());
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(300, 0.3), sample, 0)) {
            // The simulator answers 20 calls and holds the ones after them, so each signal comes while calls are under
            // way however fast or busy the machine is. The client's timeout is longer than any wait here, so a held call
            // is never abandoned and retried (paid twice).
            String model = GenerationFixture.model("a", "careful-1", sim.baseUrl(), 6000, 8, "");
            assertTrue(model.contains("timeout_seconds: 5"), model);
            Path spec = writeSpec(work, model.replace("timeout_seconds: 5", "timeout_seconds: 300"), 10);

            // Ctrl-C: no call starts after it, the calls under way finish and are stored; every answer is kept.
            sim.holdAfter(20);
            Process first = start(work, Map.of(), "generate", "--spec", spec.toString(), "--lake", lake.toString());
            awaitRows(lake, first, 20);
            signal(first, "INT");
            awaitOutput(work.resolve("stdout.txt"), first, "generate: SIGINT: starting no more calls");
            long underWay = sim.stats().accepted() - 20;
            sim.release();
            assertTrue(first.waitFor(2, TimeUnit.MINUTES), "stopped after SIGINT");
            assertEquals(ExitCode.INTERRUPTED, first.exitValue(), SubmitProcess.stderrTail(work));
            long saved = LakeTables.generationRows(lake);
            assertTrue(underWay > 0 && underWay <= 8, "calls under way at the signal (2 tasks x 4 at a time): " + underWay);
            assertEquals(20 + underWay, sim.stats().accepted(), "no call started after the signal");
            assertEquals(20 + underWay, saved, "every call paid for, the 20 answered and those under way, is in the lake");
            assertEquals(saved, LakeTables.workKeys(lake).size(), "no work key twice");
            String err = Files.readString(work.resolve("stderr.txt"));
            assertTrue(err.contains("interrupted (SIGINT): " + saved + " saved; rerun to resume"), SubmitProcess.stderrTail(work));
            assertFalse(err.contains("\tat "), "no stack trace: " + SubmitProcess.stderrTail(work));
            assertEquals(List.of(), leftovers(work), "nothing half-written left behind");

            // SIGTERM with no grace: the stage's Spark job is cancelled; its tasks commit what they hold as they end,
            // so only the calls still under way (2 tasks x 4 at a time; held until the run has ended) are lost.
            long paidBefore = sim.stats().accepted();
            sim.holdAfter(20);
            Process second = start(work, Map.of(), "generate", "--spec", spec.toString(), "--lake", lake.toString(),
                    "--conf", "spark.noharm.generate.interrupt_grace_seconds=0");
            awaitRows(lake, second, saved + 20);
            signal(second, "TERM");
            assertTrue(second.waitFor(2, TimeUnit.MINUTES), "stopped after SIGTERM");
            sim.release();
            assertEquals(ExitCode.INTERRUPTED, second.exitValue(), SubmitProcess.stderrTail(work));
            long savedAgain = LakeTables.generationRows(lake);
            long paid = sim.stats().accepted() - paidBefore;
            assertEquals(saved + 20, savedAgain, "the 20 answered calls are stored");
            assertTrue(paid > 20 && paid <= 20 + 8, "lost: the calls under way, at most 2 tasks x 4: paid " + paid);
            // The cancel interrupted the tasks, which committed and ended though their calls were still held: the driver
            // did not have to give up waiting for them.
            assertFalse(Files.readString(work.resolve("stdout.txt")).contains(GenerateJob.GAVE_UP_WAITING),
                    Files.readString(work.resolve("stdout.txt")));
            assertEquals(savedAgain, LakeTables.workKeys(lake).size(), "no work key twice");

            // The rerun calls exactly what is missing.
            long paidBeforeRerun = sim.stats().accepted();
            assertEquals(0, run(work, Map.of(), "generate", "--spec", spec.toString(), "--lake", lake.toString()),
                    SubmitProcess.stderrTail(work));
            assertEquals(200, LakeTables.generationRows(lake));
            assertEquals(200, LakeTables.workKeys(lake).size());
            assertEquals(200 - savedAgain, sim.stats().accepted() - paidBeforeRerun, "the rerun called exactly what was missing");
            assertEquals(List.of(), leftovers(work), "nothing half-written left behind");
        }

        // Ctrl-C during score, once its first table is committed: one line, exit 130, and no score becomes visible.
        Files.writeString(work.resolve("stderr.txt"), "");
        Process score = start(work, Map.of(), "score", "--lake", lake.toString());
        awaitWhileRunning(score, "the score's first table committed", () -> !LakeTables.rows(lake, "scored_responses").isEmpty());
        signal(score, "INT");
        assertTrue(score.waitFor(1, TimeUnit.MINUTES), "stopped after SIGINT");
        assertEquals(ExitCode.INTERRUPTED, score.exitValue(), SubmitProcess.stderrTail(work));
        String scoreErr = Files.readString(work.resolve("stderr.txt"));
        assertTrue(scoreErr.contains("interrupted (SIGINT): the command stopped before it finished"), scoreErr);
        assertFalse(scoreErr.contains("\tat "), "no stack trace: " + scoreErr);
        assertEquals(List.of(), LakeTables.rows(lake, "score_runs"), "no score is visible");
    }

    /** What a test waits for in another process's effects (the lake, its output, the simulator's counts). */
    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Polls every 100 ms, for at most three minutes, until {@code done} holds (the run is another process: there is
     * nothing to be notified by); fails if it never does or if the run has ended by then.
     */
    private static void awaitWhileRunning(Process run, String what, Condition done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!done.holds() && run.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(done.holds(), "never came: " + what);
        assertTrue(run.isAlive(), "the run must still be going when it is stopped: " + what);
    }

    private static void awaitRows(Path lake, Process run, long rows) throws Exception {
        awaitWhileRunning(run, rows + " generations committed", () -> LakeTables.generationRows(lake) >= rows);
    }

    /** Until the run has written {@code text} to {@code file}: a lease taken, a signal handled, not just sent. */
    private static void awaitOutput(Path file, Process run, String text) throws Exception {
        awaitWhileRunning(run, "\"" + text + "\" in " + file, () -> Files.exists(file) && Files.readString(file).contains(text));
    }

    /**
     * Sends a signal as a terminal (INT) or a scheduler (TERM) would: submit.sh execs the JVM, so its pid is the
     * driver's. Through the shell's built-in kill, which every machine has (a kill binary may not be installed).
     */
    private static void signal(Process process, String name) throws Exception {
        assertEquals(0, new ProcessBuilder("sh", "-c", "kill -" + name + " " + process.pid()).start().waitFor());
    }

    /** Files a stopped writer could leave: in-progress, temporary or staging files anywhere under the work folder. */
    private static List<Path> leftovers(Path work) throws IOException {
        try (Stream<Path> walk = Files.walk(work)) {
            return walk.filter(p -> {
                String name = p.getFileName().toString();
                return name.endsWith(".inprogress") || name.startsWith("_temporary") || name.equals("_staging");
            }).toList();
        }
    }

    @Test
    void twoDriversOnOneLakeNeverPayTwiceTheSecondStopsOrWaits(SparkSession spark, @TempDir Path work) throws Exception {
        Path lake = work.resolve("lake");
        ingestSample(spark, lake);
        var sample = new BenchmarkReader().read(BenchmarkSource.bundledSample());
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(40, 0.3), sample, 0)) {
            // The simulator answers 10 calls and holds the ones after them until the other two drivers have been refused or
            // are waiting, so the first is still calling however busy the machine is. The client's timeout outlasts the
            // hold: no held call is abandoned and retried (paid twice).
            String model = GenerationFixture.model("a", "careful-1", sim.baseUrl(), 6000, 8, "");
            assertTrue(model.contains("timeout_seconds: 5"), model);
            Path spec = writeSpec(work, model.replace("timeout_seconds: 5", "timeout_seconds: 300"), 3);
            // A cron run, and while it runs a manual run of the same spec (each its own submit.sh, its own folder for output).
            Path cron = Files.createDirectories(work.resolve("cron"));
            Path manual = Files.createDirectories(work.resolve("manual"));
            Path patient = Files.createDirectories(work.resolve("patient"));
            sim.holdAfter(10);
            Process first = SubmitProcess.start(cron, Map.of(), List.of("generate", "--spec", spec.toString(), "--lake", lake.toString()));
            // The others start once the first holds its lease (it says what it plans after taking it) and has calls held.
            awaitOutput(cron.resolve("stdout.txt"), first, "items planned");
            awaitWhileRunning(first, "calls held", () -> sim.stats().accepted() > 10);
            // Both start now, while the first holds the model: one stops at once, one waits for the lease.
            Process second = SubmitProcess.start(manual, Map.of(), List.of("generate", "--spec", spec.toString(), "--lake", lake.toString()));
            Process third = SubmitProcess.start(patient, Map.of(),
                    List.of("generate", "--spec", spec.toString(), "--lake", lake.toString(), "--wait-for-lease", "300"));
            assertTrue(second.waitFor(3, TimeUnit.MINUTES));
            assertEquals(7, second.exitValue(), Files.readString(manual.resolve("stderr.txt")));
            String refusal = Files.readString(manual.resolve("stderr.txt"));
            assertTrue(refusal.contains("the lake is busy: model:a is leased by run it (job ") && refusal.contains(", pid " + first.pid() + ") since "),
                    "first is pid " + first.pid() + ": " + refusal);
            awaitOutput(patient.resolve("stdout.txt"), third, "generate: waiting (until ");
            long held = sim.stats().accepted() - 10;
            assertTrue(held > 0 && held <= 8, "the first run's calls under way are held (2 tasks x 4 at a time): " + held);
            assertTrue(first.isAlive(), "the first was still calling while the others were refused or waited");
            sim.release();
            assertTrue(first.waitFor(3, TimeUnit.MINUTES));
            assertEquals(0, first.exitValue(), Files.readString(cron.resolve("stderr.txt")));
            assertTrue(third.waitFor(3, TimeUnit.MINUTES));
            assertEquals(0, third.exitValue(), Files.readString(patient.resolve("stderr.txt")));
            String waited = Files.readString(patient.resolve("stdout.txt"));
            assertTrue(waited.contains("60 items planned, 60 already done, 0 to call"), waited);

            assertEquals(60, sim.stats().accepted(), "60 items, each paid for once");
            assertEquals(60, LakeTables.generationRows(lake));
            assertEquals(60, LakeTables.workKeys(lake).size());
        }
    }

    /**
     * One model's key from the environment, another's from AWS Secrets Manager (the real SDK, a loopback server):
     * sent with every call, written nowhere.
     */
    @Test
    void theApiKeysAreSentButNeverWrittenAnywhere(SparkSession spark, @TempDir Path work) throws Exception {
        Path lake = work.resolve("lake");
        Path events = Files.createDirectories(work.resolve("events"));
        ingestSample(spark, lake);
        try (ScriptedModelServer server = new ScriptedModelServer();
                SecretsManagerServer secrets = new SecretsManagerServer().put("noharm/it-key", FAKE_KEY)) {
            String fromEnv = GenerationFixture.model("a", "keyed-env", server.baseUrl(), 6000, 8, "")
                    .replace("    model_version:", "    api_key_env: NOHARM_IT_KEY\n    model_version:");
            String fromSecret = GenerationFixture.model("b", "keyed-secret", server.baseUrl(), 6000, 8, "")
                    .replace("    model_version:", "    api_key_secret: noharm/it-key\n    model_version:");
            Files.writeString(work.resolve("models.yaml"), "models:\n" + fromEnv + fromSecret);
            Path spec = work.resolve("spec.yaml");
            Files.writeString(spec, "run_id: it\nregistry: " + work.resolve("models.yaml") + "\nmodels:\n  - {model: a}\n  - {model: b}\n"
                    + "commit: {every_results: 5, every_seconds: 2}\nconcurrency_per_task: 4\nprogress_seconds: 2\n");
            Map<String, String> env = Map.of("NOHARM_IT_KEY", FAKE_KEY,
                    "AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint(), "AWS_REGION", "us-east-1",
                    "AWS_ACCESS_KEY_ID", "AKIATESTNOHARM000000", "AWS_SECRET_ACCESS_KEY", "it-aws-secret");
            int code = run(work, env, "generate", "--spec", spec.toString(), "--lake", lake.toString(),
                    "--conf", "spark.eventLog.enabled=true", "--conf", "spark.eventLog.dir=" + events.toUri());
            assertEquals(0, code, Files.readString(work.resolve("stderr.txt")));
            assertEquals(20, server.requests("keyed-env").size(), "a case each");
            assertEquals(20, server.requests("keyed-secret").size());
            assertTrue(server.authorizations().stream().allMatch(("Bearer " + FAKE_KEY)::equals), "with the key: " + server.authorizations());
            assertTrue(secrets.reads() >= 2, "read by the driver's check and by the executor: " + secrets.reads());
            assertEquals(40, LakeTables.generationRows(lake));
            try (Stream<Path> walk = Files.walk(work)) {
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    byte[] bytes = Files.readAllBytes(file);
                    assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains(FAKE_KEY), "key found in " + file);
                }
            }
            try (Stream<Path> walk = Files.walk(events)) {
                assertTrue(walk.anyMatch(Files::isRegularFile), "an event log was written and searched");
            }
        }
    }
}
