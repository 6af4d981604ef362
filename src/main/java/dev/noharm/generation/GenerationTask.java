package dev.noharm.generation;

import dev.noharm.generation.provider.CallFailure;
import dev.noharm.generation.provider.ChatProvider;
import dev.noharm.generation.provider.ChatResult;
import dev.noharm.generation.ratelimit.RateLimitClient;
import dev.noharm.lake.ParquetBatchFiles;
import java.io.Serializable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;

/**
 * Runs one Spark partition of work items on an executor: for each item, a permit from the driver's
 * coordinator, the call, retries by failure kind, and a row in the generations table, committed in
 * batches. A retried attempt first reads what earlier attempts of the same partition committed and
 * skips it, so a task failure neither pays twice nor leaves two rows for one item.
 */
public final class GenerationTask implements Serializable {
    private static final long serialVersionUID = 1L;

    private final GenerationContext context;

    GenerationTask(GenerationContext context) {
        this.context = context;
    }

    public void run(Iterator<WorkItem> items) throws Exception {
        TaskContext task = TaskContext.get();
        int partition = task.partitionId();
        int attempt = task.attemptNumber();
        Configuration conf = context.hadoopConf().value().value();
        Path tableRoot = new Path(context.generationsTableUri());
        String partitionPrefix = "part-" + context.jobId() + "-p" + String.format("%05d", partition);

        Set<String> committed = attempt == 0 ? Set.of() : ParquetBatchFiles.readColumn(
                new Path(tableRoot, "run_id=" + context.runId() + "/model_id=*/" + partitionPrefix + "-a*.parquet"),
                "work_key", conf);

        RateLimitClient limiter = new RateLimitClient(context.coordinator());
        Map<String, ChatProvider> providers = new ConcurrentHashMap<>();
        AtomicInteger commits = new AtomicInteger();
        BatchCommitter committer = new BatchCommitter(tableRoot, context.runId(), partitionPrefix + "-a" + attempt,
                context.commit(), conf, () -> {
                    if (attempt == 0 && commits.incrementAndGet() == context.failFirstAttemptAfterCommits()) {
                        throw new IllegalStateException("injected task failure after " + commits.get() + " commits (chaos setting)");
                    }
                });

        ExecutorService pool = Executors.newFixedThreadPool(context.concurrency(), r -> {
            Thread t = new Thread(r, "noharm-call-p" + partition);
            t.setDaemon(true);
            return t;
        });
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "noharm-commit-p" + partition);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(committer::commitIfDue, 1, 1, TimeUnit.SECONDS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            while (items.hasNext()) {
                WorkItem item = items.next();
                if (committed.contains(item.workKey())) {
                    continue;
                }
                futures.add(pool.submit(() -> {
                    Map<String, Object> row;
                    try {
                        row = call(item, limiter, providers);
                    } catch (RateLimitClient.BudgetReachedException budget) {
                        // Not called, not stored: the item stays to do for a run with budget left.
                        limiter.reportDone(Map.of("model", item.modelId(), "status", "budget"));
                        return null;
                    }
                    committer.add(row);
                    limiter.reportDone(doneReport(row));
                    return null;
                }));
            }
            try {
                for (Future<?> f : futures) {
                    f.get();
                }
            } catch (Exception failure) {
                // Whatever finished was paid for: commit it before the task fails.
                pool.shutdownNow();
                try {
                    committer.commit();
                } catch (RuntimeException alsoFailed) {
                    failure.addSuppressed(alsoFailed);
                }
                throw failure;
            }
            committer.commit();
        } finally {
            timer.shutdownNow();
            pool.shutdownNow();
        }
    }

    private Map<String, Object> call(WorkItem item, RateLimitClient limiter, Map<String, ChatProvider> providers)
            throws InterruptedException {
        ModelSpec model = context.models().get(item.modelId());
        ChatProvider provider = providers.computeIfAbsent(model.id(), id -> ChatProvider.create(model, System::getenv));
        String prompt = item.prompt() != null ? item.prompt() : context.prompts().value().get(item.promptKey());
        // An upper bound, so the tokens-per-minute window is never overrun before the actual count is known.
        long estimatedTokens = (prompt.length() + 3) / 4 + model.params().maxOutputTokens();
        // The budget reserves more: prompt characters / 2 as input tokens (tokenizers rarely give fewer than
        // two characters per token) and the whole max_output_tokens, so a run stays within its budget.
        double maxCost = model.price().cost((prompt.length() + 1) / 2, model.params().maxOutputTokens());
        RunSpec.Retry retry = context.retry();

        Instant started = Instant.now();
        int attempts = 0;
        int rateLimitWaits = 0;
        while (true) {
            long permit = limiter.acquire(model.id(), estimatedTokens, maxCost);
            attempts++;
            long t0 = System.nanoTime();
            try {
                ChatResult result = provider.chat(prompt, item.sampleIndex());
                long latencyMs = (System.nanoTime() - t0) / 1_000_000;
                long actual = result.inputTokens() >= 0 && result.outputTokens() >= 0
                        ? result.inputTokens() + result.outputTokens() : -1;
                double cost = result.inputTokens() >= 0 && result.outputTokens() >= 0
                        ? model.price().cost(result.inputTokens(), result.outputTokens()) : maxCost;
                // A quota the provider reports used up pauses the model until its reset, before any 429.
                limiter.release(model.id(), permit, actual, false, result.serverPauseMillis(), maxCost, cost);
                return row(item, model, started, attempts, rateLimitWaits, latencyMs, result, null);
            } catch (RuntimeException e) {
                long latencyMs = (System.nanoTime() - t0) / 1_000_000;
                CallFailure failure = CallFailure.classify(e);
                boolean rateLimited = failure.kind() == CallFailure.Kind.RATE_LIMITED;
                limiter.release(model.id(), permit, -1, rateLimited, failure.retryAfterMillis(), maxCost, 0.0);
                if (rateLimited) {
                    rateLimitWaits++;
                    if (rateLimitWaits <= retry.maxRateLimitWaits()) {
                        continue; // the coordinator pauses the model for everyone until Retry-After has passed
                    }
                } else if (failure.kind().retryable() && attempts - rateLimitWaits < retry.maxAttempts()) {
                    Thread.sleep(backoffMillis(attempts - rateLimitWaits, retry));
                    continue;
                }
                return row(item, model, started, attempts, rateLimitWaits, latencyMs, null, failure);
            }
        }
    }

    /** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(n-1))]. */
    static long backoffMillis(int failedAttempts, RunSpec.Retry retry) {
        long ceiling = Math.min(retry.maxDelayMs(), retry.baseDelayMs() << Math.min(20, failedAttempts - 1));
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }

    private Map<String, Object> row(WorkItem item, ModelSpec model, Instant started, int attempts, int rateLimitWaits,
            long latencyMs, ChatResult result, CallFailure failure) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("run_id", context.runId());
        row.put("model_id", model.id());
        row.put("work_key", item.workKey());
        row.put("job_id", context.jobId());
        row.put("dataset_version", context.datasetVersion());
        row.put("model_version", model.modelVersion());
        row.put("model_name", model.modelName());
        row.put("display_name", model.displayName());
        row.put("provider", model.provider().wireName());
        row.put("case_id", item.caseId());
        row.put("sample_index", item.sampleIndex());
        row.put("prompt_variant", item.promptVariant());
        row.put("prompt_hash", item.promptHash());
        row.put("request_params", model.params().toJson());
        row.put("response_text", result == null ? null : result.text());
        row.put("finish_reason", result == null ? null : result.finishReason());
        Long in = result == null || result.inputTokens() < 0 ? null : result.inputTokens();
        Long out = result == null || result.outputTokens() < 0 ? null : result.outputTokens();
        row.put("input_tokens", in);
        row.put("output_tokens", out);
        row.put("reasoning_tokens", result == null || result.reasoningTokens() < 0 ? null : result.reasoningTokens());
        row.put("cost_usd", in == null || out == null ? null : model.price().cost(in, out));
        row.put("latency_ms", latencyMs);
        row.put("attempts", attempts);
        row.put("rate_limit_waits", rateLimitWaits);
        row.put("status", failure == null ? "ok" : "error");
        row.put("error_class", failure == null ? null : failure.kind().wireName());
        row.put("error_message", failure == null ? null : failure.message());
        row.put("http_status", failure == null || failure.httpStatus() == 0 ? null : failure.httpStatus());
        WorkItem.TeamStage team = item.team();
        row.put("team_id", team == null ? null : team.teamId());
        row.put("team_stage", team == null ? null : team.stage());
        row.put("team_size", team == null ? null : team.teamSize());
        row.put("team_condition", team == null ? null : team.condition());
        row.put("team_display_name", team == null ? null : team.displayName());
        row.put("team_providers", team == null ? null : team.providers());
        row.put("reviewed_work_key", team == null ? null : team.reviewedKey());
        row.put("chain_latency_ms", team == null ? null : team.latencyBeforeMs() + latencyMs);
        row.put("started_at", Timestamp.from(started));
        row.put("finished_at", Timestamp.from(Instant.now()));
        return row;
    }

    private static Map<String, String> doneReport(Map<String, Object> row) {
        Map<String, String> report = new LinkedHashMap<>();
        report.put("model", (String) row.get("model_id"));
        report.put("status", (String) row.get("status"));
        report.put("attempts", String.valueOf(row.get("attempts")));
        report.put("rate_limit_waits", String.valueOf(row.get("rate_limit_waits")));
        report.put("input_tokens", String.valueOf(row.get("input_tokens") == null ? 0 : row.get("input_tokens")));
        report.put("output_tokens", String.valueOf(row.get("output_tokens") == null ? 0 : row.get("output_tokens")));
        report.put("cost_usd", String.valueOf(row.get("cost_usd") == null ? 0.0 : row.get("cost_usd")));
        report.put("latency_ms", String.valueOf(row.get("latency_ms")));
        return report;
    }
}
