package dev.noharm.generation.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.generation.ModelSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ModelLimiterTest {

    /**
     * Eight threads asking as fast as they can for {@code seconds}; returns the grant times (nanoseconds).
     * Threads still blocked in acquire at the end are daemons and are left to the limiter they belong to.
     */
    private static List<Long> hammer(ModelLimiter limiter, long seconds, long tokens) throws Exception {
        List<Long> grants = Collections.synchronizedList(new ArrayList<>());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        for (int t = 0; t < 8; t++) {
            pool.submit(() -> {
                while (System.nanoTime() < end) {
                    long permit = limiter.acquire(tokens);
                    if (System.nanoTime() < end) {
                        grants.add(System.nanoTime());
                    }
                    limiter.release(permit, tokens, false, -1);
                }
                return null;
            });
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds) + 200);
        pool.shutdownNow();
        List<Long> sorted = new ArrayList<>(grants);
        Collections.sort(sorted);
        return sorted;
    }

    @Test
    void pacesRequestsEvenlyAtTheLimit() throws Exception {
        // 1200 per minute over 61 s of window: one grant every 50.8 ms.
        List<Long> grants = hammer(new ModelLimiter(new ModelSpec.Limits(1200, 0, 100), 10), 3, 0);
        double perSecond = (grants.size() - 1) / ((grants.get(grants.size() - 1) - grants.get(0)) / 1e9);
        assertEquals(1200 / 61.0, perSecond, 1.0, "grants per second");
        // Grant times are read by the threads after acquire returns; while the eight threads are still being
        // started and JIT-compiled, that reading can lag by more than the 5 ms slack, so the burst check
        // begins after the first 200 ms (the rate check above covers every grant).
        int first = 2;
        while (first < grants.size() && grants.get(first - 2) - grants.get(0) < TimeUnit.MILLISECONDS.toNanos(200)) {
            first++;
        }
        assertTrue(grants.size() - first > 40, "enough grants are checked: " + (grants.size() - first));
        for (int i = first; i < grants.size(); i++) {
            // Never two intervals' worth in one: no bursts beyond the one-interval catch-up.
            assertTrue(grants.get(i) - grants.get(i - 2) >= TimeUnit.MICROSECONDS.toNanos(50_800) - TimeUnit.MILLISECONDS.toNanos(5),
                    "grants " + (i - 2) + ".." + i + " too close");
        }
    }

    @Test
    void tokensPerMinuteBlocksOnceTheWindowIsFull() throws Exception {
        // 6000 requests per minute would allow ~100 in a second; 1000 tokens per minute at 100 each allows 10.
        List<Long> grants = hammer(new ModelLimiter(new ModelSpec.Limits(6000, 1000, 100), 10), 2, 100);
        assertEquals(10, grants.size());
    }

    @Test
    void maxConcurrentCapsOpenPermits() throws Exception {
        ModelLimiter limiter = new ModelLimiter(new ModelSpec.Limits(60_000, 0, 3), 10);
        AtomicInteger open = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        for (int i = 0; i < 60; i++) {
            pool.submit(() -> {
                long permit = limiter.acquire(0);
                peak.accumulateAndGet(open.incrementAndGet(), Math::max);
                Thread.sleep(20);
                open.decrementAndGet();
                limiter.release(permit, 0, false, -1);
                return null;
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(3, peak.get());
    }

    @Test
    void aRateLimitedAnswerPausesTheModelForRetryAfter() throws Exception {
        ModelLimiter limiter = new ModelLimiter(new ModelSpec.Limits(60_000, 0, 10), 10);
        long permit = limiter.acquire(0);
        limiter.release(permit, -1, true, 700);
        long start = System.nanoTime();
        limiter.acquire(0);
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waitedMs >= 690 && waitedMs < 1500, "waited " + waitedMs + " ms");
    }

    @Test
    void aQuotaReportedUsedUpPausesTheModelAfterASuccess() throws Exception {
        ModelLimiter limiter = new ModelLimiter(new ModelSpec.Limits(60_000, 0, 10), 10);
        long permit = limiter.acquire(0);
        limiter.release(permit, 10, false, 700);
        long start = System.nanoTime();
        limiter.acquire(0);
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waitedMs >= 690 && waitedMs < 1500, "waited " + waitedMs + " ms");

        long next = limiter.acquire(0);
        limiter.release(next, 10, false, -1);
        start = System.nanoTime();
        limiter.acquire(0);
        assertTrue((System.nanoTime() - start) / 1_000_000 < 300, "no hint, no pause");
    }
}
