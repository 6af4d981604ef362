package dev.noharm.generation;

import dev.noharm.lake.ParquetBatchFiles;
import dev.noharm.lake.Tables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Buffers finished generations of one task and commits them to the lake as a Parquet file per model
 * every N results or T seconds. What a killed task can lose is bounded by N plus the calls in flight.
 * File names carry the job, partition and attempt, so a retried task can find what it already committed.
 */
final class BatchCommitter {
    private final Path tableRoot;
    private final String runId;
    private final String filePrefix;
    private final int everyResults;
    private final long everyMillis;
    private final Configuration conf;
    private final Runnable afterCommit;

    private final List<Map<String, Object>> buffer = new ArrayList<>();
    private long lastCommit = System.currentTimeMillis();
    private int sequence;

    BatchCommitter(Path tableRoot, String runId, String filePrefix, RunSpec.Commit commit, Configuration conf, Runnable afterCommit) {
        this.tableRoot = tableRoot;
        this.runId = runId;
        this.filePrefix = filePrefix;
        this.everyResults = commit.everyResults();
        this.everyMillis = commit.everySeconds() * 1000L;
        this.conf = conf;
        this.afterCommit = afterCommit;
    }

    synchronized void add(Map<String, Object> row) {
        buffer.add(row);
        if (buffer.size() >= everyResults) {
            commit();
        }
    }

    /** Commits if the time bound has passed; called periodically by the task. */
    synchronized void commitIfDue() {
        if (!buffer.isEmpty() && System.currentTimeMillis() - lastCommit >= everyMillis) {
            commit();
        }
    }

    synchronized void commit() {
        lastCommit = System.currentTimeMillis();
        if (buffer.isEmpty()) {
            return;
        }
        Map<String, List<Map<String, Object>>> byModel = new LinkedHashMap<>();
        for (Map<String, Object> row : buffer) {
            byModel.computeIfAbsent((String) row.get("model_id"), k -> new ArrayList<>()).add(row);
        }
        for (Map.Entry<String, List<Map<String, Object>>> model : byModel.entrySet()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Map<String, Object> row : model.getValue()) {
                Map<String, Object> data = new LinkedHashMap<>(row);
                data.remove("run_id");
                data.remove("model_id");
                rows.add(data);
            }
            Path file = new Path(tableRoot, "run_id=" + runId + "/model_id=" + model.getKey() + "/"
                    + filePrefix + String.format("-%05d.parquet", sequence++));
            ParquetBatchFiles.write(Tables.GENERATIONS, ParquetBatchFiles.checked(Tables.GENERATIONS, rows), file, conf);
        }
        buffer.clear();
        afterCommit.run();
    }
}
