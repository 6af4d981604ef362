package dev.noharm.generation.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.generation.ModelSpec;
import dev.noharm.testing.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every decision of the limiter on a hand-advanced clock: exact waits, no sleeping. */
class ModelLimiterTest {
    private static final String EXECUTOR = "1";
    private final ManualTicker clock = new ManualTicker();

    private ModelLimiter limiter(int rpm, long tpm, int maxConcurrent) {
        return new ModelLimiter(new ModelSpec.Limits(rpm, tpm, maxConcurrent), 10, clock);
    }

    /** Greedy callers for {@code span}: whenever the limiter says wait, time jumps by exactly that wait. Grant times, relative to start. */
    private List<Long> greedy(ModelLimiter limiter, Duration span, long tokens) {
        long start = clock.nanoTime();
        List<Long> grants = new ArrayList<>();
        while (clock.nanoTime() - start <= span.toNanos()) {
            ModelLimiter.Decision d = limiter.tryAcquire(tokens, EXECUTOR);
            if (d.granted()) {
                grants.add(clock.nanoTime() - start);
                limiter.release(d.permit(), tokens, false, -1);
            } else {
                assertTrue(d.waitNanos() > 0, "a refused permit says how long to wait");
                clock.advanceNanos(d.waitNanos());
            }
        }
        return grants;
    }

    @Test
    void pacesRequestsEvenlyAtTheLimit() {
        // 1200 per minute over a 61 s window: one grant every 61 s / 1200 = 50,833,333 ns, after a first pair
        // (a caller that wakes late may catch up one interval, never more).
        long interval = ModelLimiter.WINDOW_NANOS / 1200;
        assertEquals(50_833_333L, interval);
        List<Long> grants = greedy(limiter(1200, 0, 100), Duration.ofSeconds(3), 0);
        assertEquals(0L, grants.get(0));
        assertEquals(0L, grants.get(1));
        for (int i = 2; i < grants.size(); i++) {
            assertEquals((i - 1) * interval, grants.get(i), "grant " + i);
        }
        assertEquals(2 + 3_000_000_000L / interval, grants.size());
    }

    @Test
    void neverMoreThanRequestsPerMinuteInAnyWindow() {
        // 3 per minute: two at once, the third one interval later, the fourth when the first leaves the window.
        ModelLimiter limiter = limiter(3, 0, 10);
        long interval = ModelLimiter.WINDOW_NANOS / 3;
        List<Long> grants = greedy(limiter, Duration.ofSeconds(130), 0);
        assertEquals(List.of(0L, 0L, interval, ModelLimiter.WINDOW_NANOS, ModelLimiter.WINDOW_NANOS, ModelLimiter.WINDOW_NANOS + interval,
                2 * ModelLimiter.WINDOW_NANOS, 2 * ModelLimiter.WINDOW_NANOS), grants);
        for (int i = 3; i < grants.size(); i++) {
            assertTrue(grants.get(i) - grants.get(i - 3) >= ModelLimiter.WINDOW_NANOS, "4 grants within one window at " + i);
        }
    }

    @Test
    void tokensPerMinuteHoldTheWindowAndActualCountsCorrectIt() {
        // 6000 requests per minute would allow ~100 a second; 1000 tokens per minute at 100 each allow 10.
        ModelLimiter limiter = limiter(6000, 1000, 100);
        long interval = ModelLimiter.WINDOW_NANOS / 6000;
        List<Long> permits = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ModelLimiter.Decision d = limiter.tryAcquire(100, EXECUTOR);
            if (!d.granted()) {
                clock.advanceNanos(d.waitNanos());
                d = limiter.tryAcquire(100, EXECUTOR);
            }
            assertTrue(d.granted(), "grant " + i);
            permits.add(d.permit());
        }
        long firstGrantAgo = 8 * interval; // grants 0 and 1 at once, then one per interval
        ModelLimiter.Decision full = limiter.tryAcquire(100, EXECUTOR);
        assertFalse(full.granted());
        assertEquals(ModelLimiter.WINDOW_NANOS - firstGrantAgo, full.waitNanos(), "until the first grant leaves the window");
        clock.advanceNanos(interval);
        assertFalse(limiter.tryAcquire(100, EXECUTOR).granted(), "the pace allows a call now, the tokens do not");
        // Two calls reported using only 50 tokens each: their estimates are replaced and 100 tokens are free again.
        limiter.release(permits.get(0), 50, false, -1);
        limiter.release(permits.get(1), 50, false, -1);
        assertTrue(limiter.tryAcquire(100, EXECUTOR).granted());
    }

    @Test
    void aRequestLargerThanTheWholeTokenLimitGoesThroughAlone() {
        ModelLimiter limiter = limiter(600, 1000, 10);
        assertTrue(limiter.tryAcquire(5000, EXECUTOR).granted(), "counted as the whole limit, not refused for ever");
        ModelLimiter.Decision next = limiter.tryAcquire(1, EXECUTOR);
        assertFalse(next.granted());
        assertEquals(ModelLimiter.WINDOW_NANOS, next.waitNanos());
    }

    @Test
    void maxConcurrentCapsOpenPermitsUntilOneIsReleased() {
        ModelLimiter limiter = limiter(60_000, 0, 3);
        List<Long> open = new ArrayList<>();
        while (open.size() < 3) {
            ModelLimiter.Decision d = limiter.tryAcquire(0, EXECUTOR);
            if (d.granted()) {
                open.add(d.permit());
            } else {
                clock.advanceNanos(d.waitNanos());
            }
        }
        clock.advance(Duration.ofSeconds(1));
        assertEquals(-1, limiter.tryAcquire(0, EXECUTOR).waitNanos(), "only a release can help");
        limiter.release(open.get(0), 0, false, -1);
        assertTrue(limiter.tryAcquire(0, EXECUTOR).granted());
    }

    @Test
    void aPermitNeverReleasedStopsCountingAfterItsLease() {
        // timeout 10 s + 60 s: an executor that died holding a permit, unnoticed, frees its slot after 70 s.
        ModelLimiter limiter = limiter(60_000, 0, 1);
        assertTrue(limiter.tryAcquire(0, EXECUTOR).granted());
        clock.advance(Duration.ofSeconds(69));
        assertEquals(-1, limiter.tryAcquire(0, EXECUTOR).waitNanos());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(limiter.tryAcquire(0, EXECUTOR).granted());
    }

    @Test
    void theOpenPermitsOfALostExecutorStopCountingOnceTheirCallsWouldHaveTimedOut() {
        // max_concurrent 3: executor 1 takes two permits at 0 s and 2 s, executor 2 one at 2 s; Spark reports 1 lost at 4 s.
        ModelLimiter limiter = limiter(60_000, 0, 3);
        assertTrue(limiter.tryAcquire(0, "1").granted());
        clock.advance(Duration.ofSeconds(2));
        assertTrue(limiter.tryAcquire(0, "1").granted());
        assertTrue(limiter.tryAcquire(0, "2").granted());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(0, limiter.holderLost("3"), "an executor that held nothing");
        assertEquals(2, limiter.holderLost("1"));
        assertEquals(-1, limiter.tryAcquire(0, "2").waitNanos(), "still counted: their calls may be under way");
        // timeout 10 s + 5 s after each grant: the first frees its slot at 15 s, the second at 17 s.
        clock.advance(Duration.ofSeconds(11).minusNanos(1));
        assertEquals(-1, limiter.tryAcquire(0, "2").waitNanos(), "just before 15 s");
        clock.advanceNanos(1);
        assertTrue(limiter.tryAcquire(0, "2").granted(), "15 s: the first slot is free");
        assertEquals(-1, limiter.tryAcquire(0, "2").waitNanos());
        clock.advance(Duration.ofSeconds(2));
        assertTrue(limiter.tryAcquire(0, "2").granted(), "17 s: the second");
        assertEquals(-1, limiter.tryAcquire(0, "2").waitNanos(), "executor 2's permits still count: three open");
        // A loss reported after the call's timeout frees the slot at once; executor 2's oldest permit is 15 s old.
        assertEquals(3, limiter.holderLost("2"));
        assertTrue(limiter.tryAcquire(0, "4").granted(), "executor 2's permit of 2 s expired at 17 s");
        assertEquals(-1, limiter.tryAcquire(0, "4").waitNanos(), "the two of 15 s and 17 s still count");
    }

    @Test
    void aLostExecutorWaitingForAPermitIsRefusedAndTheSlotGoesToALiveOne() throws Exception {
        // A killed executor's threads may still be waiting on the driver: they must not be granted permits nobody releases.
        ModelLimiter limiter = new ModelLimiter(new ModelSpec.Limits(60_000, 0, 1), 10, Ticker.SYSTEM);
        long held = limiter.acquire(0, "2");
        CompletableFuture<Long> lostWaiter = waiter(limiter, "1");
        assertFalse(lostWaiter.isDone(), "max_concurrent 1 is in use");
        assertEquals(0, limiter.holderLost("1"), "executor 1 held no permit, it only waited");
        ExecutionException refused = assertThrows(ExecutionException.class, () -> lostWaiter.get(5, TimeUnit.SECONDS));
        assertInstanceOf(Permits.HolderLost.class, refused.getCause());
        assertThrows(Permits.HolderLost.class, () -> limiter.acquire(0, "1"), "and any later request of it");
        CompletableFuture<Long> liveWaiter = waiter(limiter, "3");
        limiter.release(held, 0, false, -1);
        assertTrue(liveWaiter.get(5, TimeUnit.SECONDS) > held, "the freed slot goes to a live executor");
    }

    private static CompletableFuture<Long> waiter(ModelLimiter limiter, String holder) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return limiter.acquire(0, holder);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aRateLimitedAnswerPausesTheModelForRetryAfter() {
        ModelLimiter limiter = limiter(60_000, 0, 10);
        long permit = limiter.tryAcquire(0, EXECUTOR).permit();
        limiter.release(permit, -1, true, 700);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(700), limiter.tryAcquire(0, EXECUTOR).waitNanos());
        clock.advance(Duration.ofMillis(700));
        assertTrue(limiter.tryAcquire(0, EXECUTOR).granted());
    }

    @Test
    void aRateLimitedAnswerWithoutRetryAfterPausesTenIntervals() {
        ModelLimiter limiter = limiter(600, 0, 10);
        long permit = limiter.tryAcquire(0, EXECUTOR).permit();
        limiter.release(permit, -1, true, -1);
        assertEquals(10 * (ModelLimiter.WINDOW_NANOS / 600), limiter.tryAcquire(0, EXECUTOR).waitNanos());
    }

    @Test
    void aQuotaReportedUsedUpPausesTheModelAfterASuccessAndNoHintMeansNoPause() {
        ModelLimiter limiter = limiter(60_000, 0, 10);
        limiter.release(limiter.tryAcquire(0, EXECUTOR).permit(), 10, false, 700);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(700), limiter.tryAcquire(0, EXECUTOR).waitNanos());
        clock.advance(Duration.ofMillis(700));
        long next = limiter.tryAcquire(0, EXECUTOR).permit();
        assertTrue(next > 0);
        limiter.release(next, 10, false, -1);
        assertTrue(limiter.tryAcquire(0, EXECUTOR).granted(), "no hint, no pause");
    }

    @Test
    void acquireBlocksUntilAPermitIsReleased() throws Exception {
        // The blocking wrapper on the real clock: a waiter is woken by the release, not by polling.
        ModelLimiter limiter = new ModelLimiter(new ModelSpec.Limits(60_000, 0, 1), 10, Ticker.SYSTEM);
        long held = limiter.acquire(0, EXECUTOR);
        CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return limiter.acquire(0, EXECUTOR);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertFalse(waiter.isDone(), "max_concurrent 1 is in use");
        limiter.release(held, 0, false, -1);
        assertTrue(waiter.get(5, TimeUnit.SECONDS) > held);
    }
}
