package dev.noharm.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.noharm.generation.ItemOutcome.Status;
import dev.noharm.testing.ManualTicker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress line and the stage summary on a hand-advanced clock; the expected figures are worked out by hand. */
class GenerationProgressTest {
    private final ManualTicker clock = new ManualTicker();

    private static ItemOutcome called(String key, String model, Status status, int attempts, int rateLimitWaits, long in, long out,
            double cost, long latencyMs) {
        return new ItemOutcome(key, model, status, attempts, rateLimitWaits, in, out, cost, latencyMs);
    }

    @Test
    void aRetriedTasksRepeatedItemsCountOnceWhileEveryCallAndItsCostCount() {
        GenerationProgress progress = new GenerationProgress(List.of("k1", "k2", "k3"), clock);
        assertEquals("generate: 0/3 items (0%) | 0.0 items/s | failed 0 | retries 0, 429s 0 | tokens 0 in, 0 out | $0.0000"
                + " | elapsed 0:00:00, ETA ?", progress.line());

        // First attempt of a task: k1 answered after one 429, k2 failed after three attempts.
        progress.record(called("k1", "m", Status.OK, 2, 1, 100, 50, 0.010, 1000));
        progress.record(called("k2", "m", Status.FAILED, 3, 0, 0, 0, 0.0, 3000));
        clock.advance(Duration.ofSeconds(2));
        // 2 items in 2 s: 1 item/s, so the third takes 1 s more. Retries: (2-1-1) + (3-1-0) = 2.
        assertEquals("generate: 2/3 items (67%) | 1.0 items/s | failed 1 | retries 2, 429s 1 | tokens 100 in, 50 out | $0.0100"
                + " | elapsed 0:00:02, ETA 0:00:01", progress.line());

        // The task died before committing; its retry calls both again (k2 answers now), and the run is then stopped.
        progress.record(called("k1", "m", Status.OK, 1, 0, 100, 50, 0.010, 500));
        progress.record(called("k2", "m", Status.OK, 1, 0, 80, 40, 0.008, 500));
        progress.record(ItemOutcome.stopped("k3", "n"));
        clock.advance(Duration.ofSeconds(2));

        // Items: k1 ok, k2 ok (its latest report), k3 stopped = 3 of 3, none failed. Every call counts:
        // tokens 100+100+80 in, 50+50+40 out; $0.010+0.010+0.008.
        assertEquals(new GenerationProgress.Counts(3, 0, 0, 1), progress.counts());
        String last = "generate: 3/3 items (100%) | 0.8 items/s | failed 0 | retries 2, 429s 1 | tokens 280 in, 140 out | $0.0280"
                + " | elapsed 0:00:04, ETA 0:00:00";
        assertEquals(last, progress.line());

        // The summary: m has 2 items ok and made 2+3+1+1 = 7 calls; its mean latency is over its 4 reports,
        // (1000+3000+500+500)/4 ms = 1.25 s. n made no call, so it has no line.
        StringWriter summary = new StringWriter();
        progress.printSummary(new PrintWriter(summary, true));
        assertEquals(String.join("\n",
                "model                              ok   failed    calls    tokens in   tokens out     cost $     mean s",
                "m                                   2        0        7          280          140     0.0280       1.25",
                last,
                "generate: 1 items not called: the job was interrupted (they stay to do)", ""), summary.toString());
    }

    @Test
    void anItemAnsweredByAFailedAttemptAndOverBudgetInItsRetryStaysToDoButItsCallWasPaid() {
        GenerationProgress progress = new GenerationProgress(List.of("k"), clock);
        progress.record(called("k", "m", Status.OK, 1, 0, 10, 5, 0.5, 100));
        progress.record(ItemOutcome.overBudget("k", "m"));

        assertEquals(new GenerationProgress.Counts(1, 0, 1, 0), progress.counts());
        StringWriter summary = new StringWriter();
        progress.printSummary(new PrintWriter(summary, true));
        String[] lines = summary.toString().split("\n");
        assertEquals("m                                   0        0        1           10            5     0.5000       0.10", lines[1]);
        assertEquals("generate: 1 items not called: the run's budget would have been passed (they stay to do)", lines[3]);
    }

    @Test
    void aCommittedItemKeepsTheStatusItWasStoredWithWhateverIsReportedBeforeOrAfter() {
        GenerationProgress progress = new GenerationProgress(List.of("k1", "k2", "k3", "k4"), clock);
        // A batch is committed before its items' reports arrive (they are sent after the commit, or were slow).
        progress.stored(List.of(stored("k1", true), stored("k2", false)));
        progress.record(called("k1", "m", Status.OK, 1, 0, 10, 5, 0.50, 100));
        progress.record(called("k2", "m", Status.FAILED, 2, 0, 0, 0, 0.0, 300));
        // k3's attempt failed after its commit, before reporting it; x belongs to another run's batch.
        progress.stored(List.of(stored("k3", true), stored("x", true)));
        // k4 was answered by an attempt that failed before committing it; the retry found the run stopping.
        progress.record(called("k4", "m", Status.OK, 1, 0, 20, 10, 0.25, 200));
        progress.record(ItemOutcome.stopped("k4", "m"));
        // A late report from an executor Spark gave up on, about an item committed since; and one this stage never planned.
        progress.record(ItemOutcome.stopped("k1", "m"));
        progress.record(called("y", "m", Status.OK, 1, 0, 1000, 1000, 9.0, 100));
        clock.advance(Duration.ofSeconds(4));

        // k1 ok, k2 failed, k3 ok (as stored), k4 stopped. Calls 1+2+1, tokens 10+20 in and 5+10 out, $0.50+0.25,
        // retries (2-1) = 1; mean latency over the 3 reports of called items, (100+300+200)/3 ms = 0.20 s.
        assertEquals(new GenerationProgress.Counts(4, 1, 0, 1), progress.counts());
        StringWriter summary = new StringWriter();
        progress.printSummary(new PrintWriter(summary, true));
        assertEquals(String.join("\n",
                "model                              ok   failed    calls    tokens in   tokens out     cost $     mean s",
                "m                                   2        1        4           30           15     0.7500       0.20",
                "generate: 4/4 items (100%) | 1.0 items/s | failed 1 | retries 1, 429s 0 | tokens 30 in, 15 out | $0.7500"
                        + " | elapsed 0:00:04, ETA 0:00:00",
                "generate: 1 items stored by task attempts that failed before reporting them (counted above; their calls, tokens and"
                        + " cost are not)",
                "generate: 1 items not called: the job was interrupted (they stay to do)", ""), summary.toString());
    }

    @Test
    void aCommitDecidesAnItemReportedStoppedAndAReportBeforeTheCommitIsNotMissing() {
        GenerationProgress progress = new GenerationProgress(List.of("k1", "k2"), clock);
        // k1: the retry found the run stopping, while the first attempt's commit was still on its way.
        progress.record(ItemOutcome.stopped("k1", "m"));
        progress.stored(List.of(stored("k1", true)));
        // k2: reported, then committed.
        progress.record(called("k2", "m", Status.OK, 1, 0, 10, 5, 0.5, 100));
        progress.stored(List.of(stored("k2", true)));

        assertEquals(new GenerationProgress.Counts(2, 0, 0, 0), progress.counts());
        StringWriter summary = new StringWriter();
        GenerationProgress.Counts printed = progress.printSummary(new PrintWriter(summary, true));
        assertEquals(progress.counts(), printed);
        String[] lines = summary.toString().split("\n");
        assertEquals("m                                   2        0        1           10            5     0.5000       0.10", lines[1]);
        // k1's calls were never reported (its STOPPED report is about no call); k2's were.
        assertEquals("generate: 1 items stored by task attempts that failed before reporting them (counted above; their calls, tokens and"
                + " cost are not)", lines[3]);
        assertEquals(4, lines.length);
    }

    @Test
    void anItemFoundAlreadyStoredCountsWithItsStoredStatusAndNoCall() {
        GenerationProgress progress = new GenerationProgress(List.of("k1", "k2", "k3"), clock);
        // A batch collected again after its results were stored: k1 (failed) and k2 (answered) are found stored.
        progress.record(ItemOutcome.alreadyStored("k1", "m", false));
        progress.record(ItemOutcome.alreadyStored("k2", "m", true));
        progress.record(called("k3", "m", Status.OK, 1, 0, 10, 5, 0.5, 100));
        // A late report about k1 does not change what is stored.
        progress.record(ItemOutcome.stopped("k1", "m"));
        clock.advance(Duration.ofSeconds(3));

        // k2 and k3 ok, k1 failed; one call (k3's), so its tokens, cost and latency alone; nothing stored without its report.
        assertEquals(new GenerationProgress.Counts(3, 1, 0, 0), progress.counts());
        StringWriter summary = new StringWriter();
        progress.printSummary(new PrintWriter(summary, true));
        assertEquals(String.join("\n",
                "model                              ok   failed    calls    tokens in   tokens out     cost $     mean s",
                "m                                   2        1        1           10            5     0.5000       0.10",
                "generate: 3/3 items (100%) | 1.0 items/s | failed 1 | retries 0, 429s 0 | tokens 10 in, 5 out | $0.5000"
                        + " | elapsed 0:00:03, ETA 0:00:00", ""), summary.toString());
    }

    private static GenerationCommits.StoredItem stored(String key, boolean ok) {
        return new GenerationCommits.StoredItem(key, "m", ok);
    }
}
