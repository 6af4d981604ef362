package dev.noharm.lake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;

/**
 * Leases on work in the lake, so two drivers never call the same model at once (which would pay twice for one
 * work key and pass the model's limit together). A lease names its holder and expires unless renewed, so a
 * lease whose holder died frees itself; one whose holder ran on this host and is gone is free at once.
 *
 * <p>The leases live in the {@code leases} table, which holds no rows: each change is one commit whose snapshot
 * summary carries every live lease ({@value #SUMMARY_KEY}). The table retries no commit on its own, so a commit
 * fails when anyone committed since the snapshot it was computed from, and the change is computed again: a
 * compare-and-set on the table's current snapshot, atomic on every catalog.
 */
public final class Leases {
    public static final String SUMMARY_KEY = "noharm.leases";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Lake lake;
    private final Clock clock;
    private final java.util.function.Predicate<Holder> alive;

    /** Who holds a lease: a job of a run, on a host, in a process. */
    public record Holder(String jobId, String runId, String host, long pid) {
        public static Holder thisProcess(String jobId, String runId) {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "unknown-host";
            }
            return new Holder(jobId, runId, host, ProcessHandle.current().pid());
        }
    }

    /** One live lease on {@code key}. */
    public record Lease(String key, Holder holder, Instant since, Instant expires) {
        public String describe() {
            return key + " is leased by run " + holder.runId() + " (job " + holder.jobId() + ", host " + holder.host() + ", pid "
                    + holder.pid() + ") since " + since + ", until " + expires + " unless renewed";
        }
    }

    /** Some of the wanted keys are leased by someone else. */
    public static final class Held extends RuntimeException {
        private final List<Lease> held;

        Held(List<Lease> held) {
            super("the lake is busy: " + String.join("; ", held.stream().map(Lease::describe).toList()));
            this.held = List.copyOf(held);
        }

        public List<Lease> held() {
            return held;
        }
    }

    /** As stored in the summary (epoch milliseconds, so the JSON needs no time module). */
    private record Stored(String jobId, String runId, String host, long pid, long sinceMs, long expiresMs) {}

    public Leases(Lake lake, Clock clock) {
        this(lake, clock, Leases::notKnownDead);
    }

    /** {@code alive}: whether a holder may still be running; a lease of one that is not is free at once. */
    public Leases(Lake lake, Clock clock, java.util.function.Predicate<Holder> alive) {
        this.lake = lake;
        this.clock = clock;
        this.alive = alive;
    }

    /**
     * A holder on this host whose process is gone is dead (its lease need not wait for its expiry); a holder
     * elsewhere may be alive until its lease expires.
     */
    public static boolean notKnownDead(Holder holder) {
        if (!holder.host().equals(Holder.thisProcess("", "").host())) {
            return true;
        }
        return ProcessHandle.of(holder.pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The live leases, by key. */
    public Map<String, Lease> current() {
        return live(lake.table(Tables.LEASES).currentSnapshot());
    }

    /** Takes every key for {@code ttl}, or none of them: throws {@link Held} naming whoever holds any. Renews keys already held. */
    public List<Lease> acquire(Holder me, Collection<String> keys, Duration ttl) {
        return change(leases -> {
            List<Lease> others = new ArrayList<>();
            for (String key : keys) {
                Lease lease = leases.get(key);
                if (lease != null && !lease.holder().equals(me)) {
                    others.add(lease);
                }
            }
            if (!others.isEmpty()) {
                throw new Held(others);
            }
            Instant now = clock.instant();
            for (String key : keys) {
                Lease mine = leases.get(key);
                leases.put(key, new Lease(key, me, mine == null ? now : mine.since(), now.plus(ttl)));
            }
            return leases;
        }, keys);
    }

    /** Gives the keys back (those this holder has). */
    public void release(Holder me, Collection<String> keys) {
        change(leases -> {
            keys.forEach(key -> leases.computeIfPresent(key, (k, lease) -> lease.holder().equals(me) ? null : lease));
            return leases;
        }, keys);
    }

    private List<Lease> change(UnaryOperator<Map<String, Lease>> update, Collection<String> keys) {
        for (int attempt = 1; ; attempt++) {
            Table table = lake.table(Tables.LEASES);
            Map<String, Lease> leases = update.apply(live(table.currentSnapshot()));
            try {
                table.newFastAppend().set(SUMMARY_KEY, write(leases)).commit();
                return keys.stream().map(leases::get).filter(java.util.Objects::nonNull).toList();
            } catch (CommitFailedException e) {
                if (attempt >= 100) {
                    throw new IllegalStateException("leases: 100 commits in a row lost to other writers", e);
                }
                // Someone committed since: read again and decide again.
            }
        }
    }

    private Map<String, Lease> live(Snapshot snapshot) {
        Map<String, Lease> leases = new TreeMap<>();
        if (snapshot == null || snapshot.summary().get(SUMMARY_KEY) == null) {
            return leases;
        }
        Instant now = clock.instant();
        try {
            Map<String, Stored> stored = JSON.readValue(snapshot.summary().get(SUMMARY_KEY), new TypeReference<Map<String, Stored>>() {});
            stored.forEach((key, s) -> {
                Instant expires = Instant.ofEpochMilli(s.expiresMs());
                Holder holder = new Holder(s.jobId(), s.runId(), s.host(), s.pid());
                if (expires.isAfter(now) && alive.test(holder)) {
                    leases.put(key, new Lease(key, holder, Instant.ofEpochMilli(s.sinceMs()), expires));
                }
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable leases in snapshot " + snapshot.snapshotId() + ": " + e.getOriginalMessage(), e);
        }
        return leases;
    }

    private static String write(Map<String, Lease> leases) {
        Map<String, Stored> stored = new TreeMap<>();
        leases.forEach((key, l) -> stored.put(key, new Stored(l.holder().jobId(), l.holder().runId(), l.holder().host(), l.holder().pid(),
                l.since().toEpochMilli(), l.expires().toEpochMilli())));
        try {
            return JSON.writeValueAsString(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
