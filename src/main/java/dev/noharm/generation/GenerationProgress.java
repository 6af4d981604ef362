package dev.noharm.generation;

import dev.noharm.generation.ratelimit.Ticker;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one stage of a generation job, fed by the executors' {@link ItemOutcome}s; prints the progress line.
 *
 * <p>Items are counted once per work key, with the status of their latest report: a retried task calls again the
 * items its failed attempt had not committed, and reports them again. Calls, retries, tokens and cost count every
 * report, since every one of those calls was made (and paid for). An attempt can also fail between committing an
 * item and reporting it; the driver's commits ({@link #stored}) count such an item as done all the same.
 */
public final class GenerationProgress {
    private final Set<String> planned;
    private final long total;
    private final Ticker ticker;
    private final long startNanos;
    /** The latest status reported for each item (guarded by this, as is {@link #storedOnly}). */
    private final Map<String, ItemOutcome.Status> statuses = new HashMap<>();
    /** Items per latest status; with {@link #storedOnly}, the items done. */
    private final Map<ItemOutcome.Status, LongAdder> items = new EnumMap<>(ItemOutcome.Status.class);
    /** Items committed whose report never came (their task attempt failed in between). */
    private final Set<String> storedOnly = new HashSet<>();
    private final LongAdder retries = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder inputTokens = new LongAdder();
    private final LongAdder outputTokens = new LongAdder();
    private final DoubleAdder cost = new DoubleAdder();
    private final Map<String, ModelTotals> perModel = new ConcurrentHashMap<>();

    /** Per-model totals for the summary. */
    private static final class ModelTotals {
        final LongAdder ok = new LongAdder();
        final LongAdder failed = new LongAdder();
        /** Reports of items that were called (answered or failed), the denominator of the mean latency. */
        final LongAdder reports = new LongAdder();
        final LongAdder calls = new LongAdder();
        final LongAdder latencyMs = new LongAdder();
        final LongAdder inputTokens = new LongAdder();
        final LongAdder outputTokens = new LongAdder();
        final DoubleAdder cost = new DoubleAdder();

        LongAdder itemsOf(ItemOutcome.Status status) {
            return switch (status) {
                case OK -> ok;
                case FAILED -> failed;
                case OVER_BUDGET, STOPPED -> null;
            };
        }
    }

    /** Progress over the work keys a stage plans to call. */
    public GenerationProgress(Collection<String> planned) {
        this(planned, Ticker.SYSTEM);
    }

    public GenerationProgress(Collection<String> planned, Ticker ticker) {
        this.planned = Set.copyOf(planned);
        this.total = this.planned.size();
        this.ticker = ticker;
        this.startNanos = ticker.nanoTime();
        for (ItemOutcome.Status status : ItemOutcome.Status.values()) {
            items.put(status, new LongAdder());
        }
    }

    /** One finished item, as its executor reported it. */
    public synchronized void record(ItemOutcome outcome) {
        ItemOutcome.Status status = outcome.status();
        ItemOutcome.Status previous = statuses.put(outcome.workKey(), status);
        if (previous == null) {
            storedOnly.remove(outcome.workKey());
        } else {
            items.get(previous).decrement();
            ModelTotals before = perModel.get(outcome.modelId());
            if (before != null && before.itemsOf(previous) != null) {
                before.itemsOf(previous).decrement();
            }
        }
        items.get(status).increment();
        if (status == ItemOutcome.Status.OVER_BUDGET || status == ItemOutcome.Status.STOPPED) {
            return; // not called: nothing was paid
        }
        ModelTotals m = perModel.computeIfAbsent(outcome.modelId(), k -> new ModelTotals());
        m.itemsOf(status).increment();
        m.reports.increment();
        retries.add(outcome.attempts() - 1 - outcome.rateLimitWaits());
        rateLimited.add(outcome.rateLimitWaits());
        inputTokens.add(outcome.inputTokens());
        outputTokens.add(outcome.outputTokens());
        cost.add(outcome.costUsd());
        m.calls.add(outcome.attempts());
        m.latencyMs.add(outcome.latencyMs());
        m.inputTokens.add(outcome.inputTokens());
        m.outputTokens.add(outcome.outputTokens());
        m.cost.add(outcome.costUsd());
    }

    /**
     * Items the driver committed: a planned one not reported (yet) counts as done, with an outcome unknown here.
     * (A collected batch may hold items another run planned; they are not this stage's.)
     */
    public synchronized void stored(Collection<String> workKeys) {
        for (String key : workKeys) {
            if (planned.contains(key) && !statuses.containsKey(key)) {
                storedOnly.add(key);
            }
        }
    }

    /** Items reported or stored, each once. */
    public synchronized long done() {
        return items.values().stream().mapToLong(LongAdder::sum).sum() + storedOnly.size();
    }

    public long failed() {
        return items.get(ItemOutcome.Status.FAILED).sum();
    }

    /** Items not called because the run's budget would have been passed. */
    public long overBudget() {
        return items.get(ItemOutcome.Status.OVER_BUDGET).sum();
    }

    /** Items not called because the job was interrupted. */
    public long stopped() {
        return items.get(ItemOutcome.Status.STOPPED).sum();
    }

    public String line() {
        long d = done();
        double seconds = Math.max(1e-3, (ticker.nanoTime() - startNanos) / 1e9);
        double rate = d / seconds;
        String eta = d == 0 ? "?" : format(Duration.ofSeconds((long) (Math.max(0, total - d) / Math.max(rate, 1e-9))));
        return String.format(Locale.ROOT,
                "generate: %d/%d items (%.0f%%) | %.1f items/s | failed %d | retries %d, 429s %d | tokens %s in, %s out | $%.4f | elapsed %s, ETA %s",
                d, total, total == 0 ? 100.0 : 100.0 * d / total, rate, failed(), retries.sum(), rateLimited.sum(),
                human(inputTokens.sum()), human(outputTokens.sum()), cost.sum(), format(Duration.ofSeconds((long) seconds)), eta);
    }

    /** The end-of-job table: one line per model. */
    public void printSummary(PrintWriter out) {
        out.printf(Locale.ROOT, "%-28s %8s %8s %8s %12s %12s %10s %10s%n",
                "model", "ok", "failed", "calls", "tokens in", "tokens out", "cost $", "mean s");
        perModel.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            ModelTotals m = e.getValue();
            long reports = m.reports.sum();
            out.printf(Locale.ROOT, "%-28s %8d %8d %8d %12d %12d %10.4f %10.2f%n", e.getKey(), m.ok.sum(), m.failed.sum(),
                    m.calls.sum(), m.inputTokens.sum(), m.outputTokens.sum(), m.cost.sum(),
                    reports == 0 ? 0.0 : m.latencyMs.sum() / 1000.0 / reports);
        });
        out.println(line());
        int unreported = unreported();
        if (unreported > 0) {
            out.println("generate: " + unreported + " items stored by task attempts that failed before reporting them (done; their calls are "
                    + "not in the table above)");
        }
        if (overBudget() > 0) {
            out.println("generate: " + overBudget() + " items not called: the run's budget would have been passed (they stay to do)");
        }
        if (stopped() > 0) {
            out.println("generate: " + stopped() + " items not called: the job was interrupted (they stay to do)");
        }
    }

    private synchronized int unreported() {
        return storedOnly.size();
    }

    private static String human(long n) {
        return n >= 1_000_000 ? String.format(Locale.ROOT, "%.1fM", n / 1e6)
                : n >= 1_000 ? String.format(Locale.ROOT, "%.1fk", n / 1e3) : Long.toString(n);
    }

    private static String format(Duration d) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }
}
