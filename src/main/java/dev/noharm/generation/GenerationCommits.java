package dev.noharm.generation;

import dev.noharm.generation.call.CoordinatorServer;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.Table;
import org.apache.iceberg.parquet.ParquetUtil;

/**
 * The driver's side of storing generations while a job runs: executors write each batch as Parquet data
 * files in the generations table's folders and send them here; each request becomes one Iceberg append,
 * committed before the executor goes on (so a batch is durable once its executor hears back). A work key is
 * committed once per job: a batch carrying a key another attempt already committed is refused with the
 * duplicates, and the executor writes it again without them.
 */
public final class GenerationCommits {
    static final String COMMIT = "/generations/commit";
    static final String STORED = "/generations/stored";

    /** One generation in a written file: its work key, its model, and whether it was answered (failed calls are stored too). */
    public record StoredItem(String workKey, String modelId, boolean ok) {}

    /** One data file an executor wrote, the partition it belongs to and the items it holds. */
    public record WrittenFile(String path, String partitionPath, long sizeBytes, long records, List<StoredItem> items) {}

    public record CommitRequest(String jobId, int partition, int attempt, List<WrittenFile> files) {}

    /** {@code committed} false: nothing was committed, because {@code duplicates} were committed already. */
    public record CommitAnswer(boolean committed, List<String> duplicates) {}

    public record StoredRequest(List<String> workKeys) {}

    public record StoredAnswer(List<String> stored) {}

    private final Lake lake;
    private final String runId;
    private final Set<String> committed = new HashSet<>();
    private final Set<String> jobIds = new HashSet<>();
    private Table table;
    private volatile Consumer<List<StoredItem>> onCommitted = items -> {};

    public GenerationCommits(Lake lake, String runId) {
        this.lake = lake;
        this.runId = runId;
    }

    /** Answers the executors on {@code server}; {@code onCommitted} hears the items of each batch once it is committed. */
    public void serve(CoordinatorServer server, Consumer<List<StoredItem>> onCommitted) {
        this.onCommitted = onCommitted;
        server.endpoint(COMMIT, CommitRequest.class, this::commit);
        server.endpoint(STORED, StoredRequest.class, this::stored);
    }

    /** The job ids whose batches were committed here (each stage is a Spark job of its own). */
    public synchronized Set<String> jobIds() {
        return Set.copyOf(jobIds);
    }

    synchronized CommitAnswer commit(CommitRequest request) {
        List<String> duplicates = new ArrayList<>();
        for (WrittenFile file : request.files()) {
            file.items().stream().map(StoredItem::workKey).filter(committed::contains).forEach(duplicates::add);
        }
        if (!duplicates.isEmpty()) {
            return new CommitAnswer(false, duplicates);
        }
        if (table == null) {
            table = lake.table(Tables.GENERATIONS);
        }
        AppendFiles append = table.newFastAppend();
        MetricsConfig metrics = MetricsConfig.forTable(table);
        for (WrittenFile file : request.files()) {
            DataFile data = DataFiles.builder(table.spec())
                    .withPath(file.path())
                    .withFormat(FileFormat.PARQUET)
                    .withPartitionPath(file.partitionPath())
                    .withFileSizeInBytes(file.sizeBytes())
                    .withMetrics(ParquetUtil.fileMetrics(table.io().newInputFile(file.path()), metrics))
                    .build();
            if (data.recordCount() != file.records()) {
                throw new IllegalStateException(file.path() + " holds " + data.recordCount() + " rows, its writer said " + file.records());
            }
            append.appendFile(data);
        }
        append.set("noharm.run-id", runId).set("noharm.job-id", request.jobId())
                .set("noharm.task", "p" + request.partition() + "-a" + request.attempt())
                .commit();
        List<StoredItem> items = request.files().stream().flatMap(f -> f.items().stream()).toList();
        items.forEach(item -> committed.add(item.workKey()));
        jobIds.add(request.jobId());
        onCommitted.accept(items);
        return new CommitAnswer(true, List.of());
    }

    synchronized StoredAnswer stored(StoredRequest request) {
        return new StoredAnswer(request.workKeys().stream().filter(committed::contains).toList());
    }

    /** Committed so far in this job, by work key: for tests and the end-of-job check. */
    public synchronized int committedKeys() {
        return committed.size();
    }

}
