package dev.noharm.generation;

import dev.noharm.generation.ItemOutcome.Status;
import dev.noharm.generation.ratelimit.Ticker;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Live counters of one stage of a generation job, fed by the executors' {@link ItemOutcome}s and by the driver's
 * commits; prints the progress line and the stage's summary.
 *
 * <p>Each planned item counts once. A retried task calls again the items its failed attempt had not committed and
 * reports them again, and an attempt can fail between committing an item and reporting it. So an item's status
 * is the one its commit stored ({@link #stored}: answered or failed) once it is committed, and until then the
 * status of the report that reached the driver last. An item a batch collection finds already stored is reported with
 * that status and no call ({@link ItemOutcome#alreadyStored}), and counts as committed. Calls, retries, tokens and cost
 * count every report of calls, since every one of those calls was made, and paid for. All state is guarded by this
 * object's lock.
 */
public final class GenerationProgress {
    private final Set<String> planned;
    private final Ticker ticker;
    private final long startNanos;
    private final Map<String, Item> items = new HashMap<>();
    private final Map<Status, Long> byStatus = new EnumMap<>(Status.class);
    /** Per model; the progress line's tokens and cost are their sums, kept nowhere else. */
    private final Map<String, ModelTotals> perModel = new TreeMap<>();
    private long retries;
    private long rateLimited;

    /** What is known of one planned item; {@code reported}: a report of its calls (answered or failed) came. */
    private record Item(Status status, String modelId, boolean committed, boolean reported) {}

    /** Per-model totals for the summary: items by status, and everything its reported calls used. */
    private static final class ModelTotals {
        long ok;
        long failed;
        /** Reports of called items (answered or failed), the denominator of the mean latency. */
        long reports;
        long calls;
        long latencyMs;
        long inputTokens;
        long outputTokens;
        double cost;
    }

    /** The item counts at one moment; {@code done} is every planned item with a known status, those not called included. */
    public record Counts(long done, long failed, long overBudget, long stopped) {}

    /** Progress over the work keys a stage plans to call. */
    public GenerationProgress(Collection<String> planned) {
        this(planned, Ticker.SYSTEM);
    }

    public GenerationProgress(Collection<String> planned, Ticker ticker) {
        this.planned = Set.copyOf(planned);
        this.ticker = ticker;
        this.startNanos = ticker.nanoTime();
    }

    /** One finished item, as its executor reported it; a report of an item this stage did not plan is ignored. */
    public synchronized void record(ItemOutcome outcome) {
        String key = outcome.workKey();
        if (!planned.contains(key)) {
            return;
        }
        boolean called = outcome.called();
        Item known = items.get(key);
        if (known != null && known.committed()) {
            put(key, new Item(known.status(), known.modelId(), true, known.reported() || called));
        } else if (!called && (outcome.status() == Status.OK || outcome.status() == Status.FAILED)) {
            // Found already stored: its status is final, as a commit's; marked reported, since no call of this stage is missing.
            put(key, new Item(outcome.status(), outcome.modelId(), true, true));
        } else {
            put(key, new Item(outcome.status(), outcome.modelId(), false, called));
        }
        if (!called) {
            return; // not called: nothing was paid
        }
        ModelTotals m = model(outcome.modelId());
        m.reports++;
        m.calls += outcome.attempts();
        m.latencyMs += outcome.latencyMs();
        m.inputTokens += outcome.inputTokens();
        m.outputTokens += outcome.outputTokens();
        m.cost += outcome.costUsd();
        retries += outcome.attempts() - 1 - outcome.rateLimitWaits();
        rateLimited += outcome.rateLimitWaits();
    }

    /** Items the driver committed: their stored status is final, whatever was reported before or after. */
    public synchronized void stored(Collection<GenerationCommits.StoredItem> committed) {
        for (GenerationCommits.StoredItem item : committed) {
            if (planned.contains(item.workKey())) {
                Item known = items.get(item.workKey());
                put(item.workKey(), new Item(item.ok() ? Status.OK : Status.FAILED, item.modelId(), true, known != null && known.reported()));
            }
        }
    }

    private void put(String key, Item next) {
        Item previous = items.put(key, next);
        if (previous != null) {
            count(previous, -1);
        }
        count(next, 1);
    }

    private void count(Item item, long delta) {
        byStatus.merge(item.status(), delta, Long::sum);
        if (item.status() == Status.OK) {
            model(item.modelId()).ok += delta;
        } else if (item.status() == Status.FAILED) {
            model(item.modelId()).failed += delta;
        }
    }

    private ModelTotals model(String modelId) {
        return perModel.computeIfAbsent(modelId, k -> new ModelTotals());
    }

    private long items(Status status) {
        return byStatus.getOrDefault(status, 0L);
    }

    public synchronized Counts counts() {
        return new Counts(items.size(), items(Status.FAILED), items(Status.OVER_BUDGET), items(Status.STOPPED));
    }

    /**
     * Committed items with no report of their calls (their task attempt failed in between): their calls are not
     * counted. (An item one attempt reported but did not commit, and a retry committed but did not report, is not
     * found here: the calls of that retry are missing without notice. Both attempts must fail for that.)
     */
    private long unreported() {
        return items.values().stream().filter(i -> i.committed() && !i.reported()).count();
    }

    public synchronized String line() {
        long d = items.size();
        long total = planned.size();
        double seconds = Math.max(1e-3, (ticker.nanoTime() - startNanos) / 1e9);
        double rate = d / seconds;
        String eta = d == 0 ? "?" : format(Duration.ofSeconds((long) (Math.max(0, total - d) / Math.max(rate, 1e-9))));
        long inputTokens = perModel.values().stream().mapToLong(m -> m.inputTokens).sum();
        long outputTokens = perModel.values().stream().mapToLong(m -> m.outputTokens).sum();
        double cost = perModel.values().stream().mapToDouble(m -> m.cost).sum();
        return String.format(Locale.ROOT,
                "generate: %d/%d items (%.0f%%) | %.1f items/s | failed %d | retries %d, 429s %d | tokens %s in, %s out | $%.4f | elapsed %s, ETA %s",
                d, total, total == 0 ? 100.0 : 100.0 * d / total, rate, items(Status.FAILED), retries, rateLimited,
                human(inputTokens), human(outputTokens), cost, format(Duration.ofSeconds((long) seconds)), eta);
    }

    /**
     * Prints the end-of-stage table, one line per model with a counted item or call, then the progress line and what stays to
     * do; returns the counts it printed.
     */
    public synchronized Counts printSummary(PrintWriter out) {
        out.printf(Locale.ROOT, "%-28s %8s %8s %8s %12s %12s %10s %10s%n",
                "model", "ok", "failed", "calls", "tokens in", "tokens out", "cost $", "mean s");
        perModel.forEach((id, m) -> out.printf(Locale.ROOT, "%-28s %8d %8d %8d %12d %12d %10.4f %10.2f%n", id, m.ok, m.failed,
                m.calls, m.inputTokens, m.outputTokens, m.cost, m.reports == 0 ? 0.0 : m.latencyMs / 1000.0 / m.reports));
        out.println(line());
        long unreported = unreported();
        if (unreported > 0) {
            out.println("generate: " + unreported + " items stored by task attempts that failed before reporting them (counted above; "
                    + "their calls, tokens and cost are not)");
        }
        if (items(Status.OVER_BUDGET) > 0) {
            out.println("generate: " + items(Status.OVER_BUDGET) + " items not called: the run's budget would have been passed (they stay to do)");
        }
        if (items(Status.STOPPED) > 0) {
            out.println("generate: " + items(Status.STOPPED) + " items not called: the job was interrupted (they stay to do)");
        }
        return counts();
    }

    private static String human(long n) {
        return n >= 1_000_000 ? String.format(Locale.ROOT, "%.1fM", n / 1e6)
                : n >= 1_000 ? String.format(Locale.ROOT, "%.1fk", n / 1e3) : Long.toString(n);
    }

    private static String format(Duration d) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }
}
