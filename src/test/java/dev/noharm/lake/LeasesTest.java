package dev.noharm.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.testing.MutableClock;
import dev.noharm.testing.SparkTestSession;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Leases on a real Iceberg table in a real catalog, on a clock the test moves. */
@ExtendWith(SparkTestSession.class)
class LeasesTest {
    private static final Duration TTL = Duration.ofSeconds(120);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
    private final Leases.Holder a = new Leases.Holder("job-a", "nightly", "host-a", 11);
    private final Leases.Holder b = new Leases.Holder("job-b", "manual", "host-b", 22);

    @Test
    void aLeaseIsHeldUntilReleasedOrExpiredAndTheRefusalNamesItsHolder(SparkSession spark, @TempDir Path tmp) {
        Leases leases = new Leases(new Lake(spark, tmp.resolve("lake").toString()), clock);
        leases.acquire(a, List.of("model:x", "model:y"), TTL);

        Leases.Held held = assertThrows(Leases.Held.class, () -> leases.acquire(b, List.of("model:y", "model:z"), TTL));
        assertEquals(List.of("model:y"), held.held().stream().map(Leases.Lease::key).toList(), "all or nothing: z was not taken either");
        assertEquals("the lake is busy: model:y is leased by run nightly (job job-a, host host-a, pid 11) since 2026-11-28T12:00:00Z, "
                + "until 2026-11-28T12:02:00Z unless renewed", held.getMessage());
        assertEquals(List.of("model:x", "model:y"), List.copyOf(leases.current().keySet()));

        leases.acquire(b, List.of("model:z"), TTL);
        clock.advance(Duration.ofSeconds(60));
        leases.acquire(a, List.of("model:x", "model:y"), TTL); // a renewal keeps "since"
        assertEquals(Instant.parse("2026-11-28T12:00:00Z"), leases.current().get("model:x").since());
        assertEquals(Instant.parse("2026-11-28T12:03:00Z"), leases.current().get("model:x").expires());

        // a stops renewing (its driver died): two minutes after its last renewal the models are free.
        clock.advance(Duration.ofSeconds(119));
        assertThrows(Leases.Held.class, () -> leases.acquire(b, List.of("model:x"), TTL));
        clock.advance(Duration.ofSeconds(1));
        leases.acquire(b, List.of("model:x", "model:y"), TTL);
        Leases.Held lost = assertThrows(Leases.Held.class, () -> leases.acquire(a, List.of("model:x"), TTL), "a's renewal finds it lost");
        assertEquals("job-b", lost.held().get(0).holder().jobId());

        leases.release(b, List.of("model:x", "model:y", "model:z"));
        assertTrue(leases.current().isEmpty());
        leases.acquire(a, List.of("model:x"), TTL);
    }

    @Test
    void aHolderOnThisHostWhoseProcessIsGoneHoldsNothing(SparkSession spark, @TempDir Path tmp) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Leases.Holder local = Leases.Holder.thisProcess("job-dead", "r");
        Leases.Holder dead = new Leases.Holder("job-dead", "r", local.host(), gone.pid());
        Leases leases = new Leases(new Lake(spark, tmp.resolve("lake").toString()), clock);
        leases.acquire(dead, List.of("model:x"), TTL);
        assertTrue(leases.current().isEmpty(), "its process is not running: the lease is not in force");
        leases.acquire(a, List.of("model:x"), TTL);
        assertEquals("job-a", leases.current().get("model:x").holder().jobId());
        // This process is alive: its lease holds until it expires.
        leases.release(a, List.of("model:x"));
        leases.acquire(local, List.of("model:x"), TTL);
        assertThrows(Leases.Held.class, () -> leases.acquire(b, List.of("model:x"), TTL));
    }

    @Test
    void ofDriversRacingForOneModelExactlyOneWinsEachRound(SparkSession spark, @TempDir Path tmp) throws Exception {
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 8; round++) {
                String key = "model:m" + round;
                List<Callable<Boolean>> racers = List.of(() -> tryAcquire(lake, a, key), () -> tryAcquire(lake, b, key));
                int winners = 0;
                for (Future<Boolean> f : pool.invokeAll(racers)) {
                    winners += f.get() ? 1 : 0;
                }
                assertEquals(1, winners, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(8, new Leases(lake, clock).current().size());
    }

    private boolean tryAcquire(Lake lake, Leases.Holder holder, String key) {
        try {
            new Leases(lake, clock).acquire(holder, List.of(key), TTL);
            return true;
        } catch (Leases.Held held) {
            return false;
        }
    }
}
