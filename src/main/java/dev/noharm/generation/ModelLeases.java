package dev.noharm.generation;

import dev.noharm.lake.Lake;
import dev.noharm.lake.Leases;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A generation job's leases on the models it calls, held for the whole job: taken before it reads what is
 * finished, renewed every third of their time to live, given back at the end. A second driver on the same
 * models waits up to {@code lease_wait_seconds} (0: it refuses at once, naming the holder and since when).
 * Should a renewal find the lease taken (this driver stalled past its expiry), the job's Spark work is
 * cancelled: two drivers must never call one model at once.
 */
final class ModelLeases implements AutoCloseable {
    private final Lake lake;
    private final Leases leases;
    private final Leases.Holder holder;
    private final List<String> keys;
    private final ScheduledExecutorService renewer;
    private final AtomicReference<RuntimeException> lost = new AtomicReference<>();

    private ModelLeases(Lake lake, Leases leases, Leases.Holder holder, List<String> keys, Duration ttl, PrintWriter out) {
        this.lake = lake;
        this.leases = leases;
        this.holder = holder;
        this.keys = keys;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "noharm-leases");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, ttl.toSeconds() / 3);
        renewer.scheduleWithFixedDelay(() -> {
            try {
                leases.acquire(holder, keys, ttl);
            } catch (Leases.Held taken) {
                lost.set(taken);
                out.println("generate: lost the lease on its models (" + taken.getMessage() + "); stopping its calls");
                out.flush();
                lake.spark().sparkContext().cancelAllJobs();
            } catch (RuntimeException e) {
                out.println("generate: could not renew the leases, will try again: " + e.getMessage());
                out.flush();
            }
        }, every, every, TimeUnit.SECONDS);
    }

    static ModelLeases take(Lake lake, Clock clock, String jobId, String runId, Collection<String> modelIds, GenerationSettings settings,
            PrintWriter out) {
        Leases leases = new Leases(lake, clock);
        Leases.Holder holder = Leases.Holder.thisProcess(jobId, runId);
        List<String> keys = modelIds.stream().map(id -> "model:" + id).sorted().toList();
        Duration ttl = Duration.ofSeconds(settings.leaseTtlSeconds());
        Instant giveUp = clock.instant().plusSeconds(settings.leaseWaitSeconds());
        while (true) {
            try {
                leases.acquire(holder, keys, ttl);
                return new ModelLeases(lake, leases, holder, keys, ttl, out);
            } catch (Leases.Held held) {
                if (!clock.instant().isBefore(giveUp)) {
                    throw held;
                }
                out.println("generate: waiting (until " + giveUp + ") because " + held.getMessage());
                out.flush();
                try {
                    Thread.sleep(Math.min(5_000, Math.max(100, ttl.toMillis() / 10)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw held;
                }
            }
        }
    }

    /** Throws if a renewal found the lease taken by another driver. */
    void checkHeld() {
        RuntimeException taken = lost.get();
        if (taken != null) {
            throw taken;
        }
    }

    @Override
    public void close() {
        renewer.shutdownNow();
        if (lost.get() == null) {
            leases.release(holder, keys);
        }
    }
}
