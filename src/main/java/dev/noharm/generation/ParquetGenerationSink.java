package dev.noharm.generation;

import dev.noharm.generation.call.GenerationSink;
import dev.noharm.lake.ParquetBatchFiles;
import dev.noharm.lake.Tables;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Stores each batch as one Parquet file per model in the generations table's folders, named by job,
 * partition and attempt, so a retried attempt can find what earlier attempts of its partition stored.
 */
final class ParquetGenerationSink implements GenerationSink {
    private static final long serialVersionUID = 1L;

    private final String tableUri;
    private final String runId;
    private final Broadcast<SerializableConfiguration> hadoopConf;

    ParquetGenerationSink(String tableUri, String runId, Broadcast<SerializableConfiguration> hadoopConf) {
        this.tableUri = tableUri;
        this.runId = runId;
        this.hadoopConf = hadoopConf;
    }

    @Override
    public Set<String> storedByEarlierAttempts(TaskAttempt task, Collection<String> keys) {
        Set<String> stored = ParquetBatchFiles.readColumn(new Path(new Path(tableUri),
                "run_id=" + runId + "/model_id=*/" + prefix(task) + "-a*.parquet"), "work_key", hadoopConf.value().value());
        Set<String> wanted = new HashSet<>(keys);
        stored.retainAll(wanted);
        return stored;
    }

    @Override
    public void store(TaskAttempt task, int sequence, List<Generation> batch) {
        Map<String, List<Object[]>> byModel = new LinkedHashMap<>();
        for (Generation g : batch) {
            byModel.computeIfAbsent(g.work().modelId(), k -> new ArrayList<>()).add(Generation.ROWS.values(g));
        }
        int file = 0;
        for (Map.Entry<String, List<Object[]>> model : byModel.entrySet()) {
            Path target = new Path(new Path(tableUri), "run_id=" + runId + "/model_id=" + model.getKey() + "/"
                    + prefix(task) + "-a" + task.attempt() + String.format("-%05d-%03d.parquet", sequence, file++));
            ParquetBatchFiles.write(Tables.GENERATIONS, model.getValue(), target, hadoopConf.value().value());
        }
    }

    private static String prefix(TaskAttempt task) {
        return "part-" + task.jobId() + "-p" + String.format("%05d", task.partition());
    }
}
