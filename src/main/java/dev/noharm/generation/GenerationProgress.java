package dev.noharm.generation;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** Live counters of one stage of a generation job, fed by the executors' {@link ItemOutcome}s; prints the progress line. */
public final class GenerationProgress {
    private final long total;
    private final long startNanos = System.nanoTime();
    private final LongAdder done = new LongAdder();
    private final LongAdder failed = new LongAdder();
    /** Items not called because the run's budget would have been passed. */
    private final LongAdder overBudget = new LongAdder();
    /** Items not called because the job was interrupted. */
    private final LongAdder stopped = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder inputTokens = new LongAdder();
    private final LongAdder outputTokens = new LongAdder();
    private final DoubleAdder cost = new DoubleAdder();
    private final Map<String, ModelTotals> perModel = new ConcurrentHashMap<>();

    /** Per-model totals for the summary. */
    public static final class ModelTotals {
        final LongAdder ok = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder calls = new LongAdder();
        final LongAdder latencyMs = new LongAdder();
        final LongAdder inputTokens = new LongAdder();
        final LongAdder outputTokens = new LongAdder();
        final DoubleAdder cost = new DoubleAdder();
    }

    public GenerationProgress(long total) {
        this.total = total;
    }

    /** One finished item, as its executor reported it. */
    public void record(ItemOutcome outcome) {
        done.increment();
        if (outcome.status() == ItemOutcome.Status.OVER_BUDGET) {
            overBudget.increment();
            return;
        }
        if (outcome.status() == ItemOutcome.Status.STOPPED) {
            stopped.increment();
            return;
        }
        boolean ok = outcome.status() == ItemOutcome.Status.OK;
        if (!ok) {
            failed.increment();
        }
        retries.add(outcome.attempts() - 1 - outcome.rateLimitWaits());
        rateLimited.add(outcome.rateLimitWaits());
        inputTokens.add(outcome.inputTokens());
        outputTokens.add(outcome.outputTokens());
        cost.add(outcome.costUsd());
        ModelTotals m = perModel.computeIfAbsent(outcome.modelId(), k -> new ModelTotals());
        (ok ? m.ok : m.failed).increment();
        m.calls.add(outcome.attempts());
        m.latencyMs.add(outcome.latencyMs());
        m.inputTokens.add(outcome.inputTokens());
        m.outputTokens.add(outcome.outputTokens());
        m.cost.add(outcome.costUsd());
    }

    public long done() {
        return done.sum();
    }

    public long failed() {
        return failed.sum();
    }

    public long overBudget() {
        return overBudget.sum();
    }

    public long stopped() {
        return stopped.sum();
    }

    public String line() {
        long d = done.sum();
        double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
        double rate = d / seconds;
        String eta = d == 0 ? "?" : format(Duration.ofSeconds((long) ((total - d) / Math.max(rate, 1e-9))));
        return String.format(Locale.ROOT,
                "generate: %d/%d items (%.0f%%) | %.1f items/s | failed %d | retries %d, 429s %d | tokens %s in, %s out | $%.4f | elapsed %s, ETA %s",
                d, total, total == 0 ? 100.0 : 100.0 * d / total, rate, failed.sum(), retries.sum(), rateLimited.sum(),
                human(inputTokens.sum()), human(outputTokens.sum()), cost.sum(), format(Duration.ofSeconds((long) seconds)), eta);
    }

    /** The end-of-job table: one line per model. */
    public void printSummary(PrintWriter out) {
        out.printf(Locale.ROOT, "%-28s %8s %8s %8s %12s %12s %10s %10s%n",
                "model", "ok", "failed", "calls", "tokens in", "tokens out", "cost $", "mean s");
        perModel.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            ModelTotals m = e.getValue();
            long items = m.ok.sum() + m.failed.sum();
            out.printf(Locale.ROOT, "%-28s %8d %8d %8d %12d %12d %10.4f %10.2f%n", e.getKey(), m.ok.sum(), m.failed.sum(),
                    m.calls.sum(), m.inputTokens.sum(), m.outputTokens.sum(), m.cost.sum(),
                    items == 0 ? 0.0 : m.latencyMs.sum() / 1000.0 / items);
        });
        out.println(line());
        if (overBudget.sum() > 0) {
            out.println("generate: " + overBudget.sum() + " items not called: the run's budget would have been passed (they stay to do)");
        }
        if (stopped.sum() > 0) {
            out.println("generate: " + stopped.sum() + " items not called: the job was interrupted (they stay to do)");
        }
    }

    private static String human(long n) {
        return n >= 1_000_000 ? String.format(Locale.ROOT, "%.1fM", n / 1e6)
                : n >= 1_000 ? String.format(Locale.ROOT, "%.1fk", n / 1e3) : Long.toString(n);
    }

    private static String format(Duration d) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }
}
