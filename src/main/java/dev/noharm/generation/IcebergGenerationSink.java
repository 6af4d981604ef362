package dev.noharm.generation;

import dev.noharm.generation.call.CoordinatorClient;
import dev.noharm.generation.call.CoordinatorServer;
import dev.noharm.generation.call.GenerationSink;
import dev.noharm.lake.Tables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.parquet.Parquet;
import org.apache.spark.broadcast.Broadcast;

/**
 * Stores generations from the executors into the Iceberg generations table: each batch is written as one
 * Parquet data file per partition (dataset version, model) with Iceberg's writer, straight into the table's
 * data folders, and then committed by the driver ({@link GenerationCommits}) before the batch counts as
 * stored. A file whose commit never happened (its driver died) is never visible; {@code maintain} removes it.
 */
final class IcebergGenerationSink implements GenerationSink {
    private static final long serialVersionUID = 1L;

    private final Broadcast<Table> table;
    private final CoordinatorServer.Address driver;

    IcebergGenerationSink(Broadcast<Table> table, CoordinatorServer.Address driver) {
        this.table = table;
        this.driver = driver;
    }

    @Override
    public Set<String> storedByEarlierAttempts(TaskAttempt task, Collection<String> keys) {
        try {
            return new HashSet<>(new CoordinatorClient(driver).post(GenerationCommits.STORED,
                    new GenerationCommits.StoredRequest(List.copyOf(keys)), GenerationCommits.StoredAnswer.class).stored());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the driver what is stored", e);
        }
    }

    @Override
    public void store(TaskAttempt task, int sequence, List<Generation> batch) {
        CoordinatorClient client = new CoordinatorClient(driver);
        List<Generation> remaining = batch;
        for (int round = 0; !remaining.isEmpty(); round++) {
            List<GenerationCommits.WrittenFile> files = write(task, sequence, round, remaining);
            GenerationCommits.CommitAnswer answer;
            try {
                answer = client.post(GenerationCommits.COMMIT,
                        new GenerationCommits.CommitRequest(task.jobId(), task.partition(), task.attempt(), files),
                        GenerationCommits.CommitAnswer.class);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while committing generations", e);
            }
            if (answer.committed()) {
                return;
            }
            // Another attempt committed some of these items: store the rest, once. The refused files are orphans.
            Set<String> duplicates = new HashSet<>(answer.duplicates());
            remaining = remaining.stream().filter(g -> !duplicates.contains(g.work().workKey())).toList();
        }
    }

    private List<GenerationCommits.WrittenFile> write(TaskAttempt task, int sequence, int round, List<Generation> batch) {
        Table t = table.value();
        Map<PartitionKey, List<Record>> byPartition = new LinkedHashMap<>();
        Map<PartitionKey, List<GenerationCommits.StoredItem>> items = new LinkedHashMap<>();
        InternalRecordWrapper wrapper = new InternalRecordWrapper(t.schema().asStruct());
        for (Generation g : batch) {
            Record record = record(t, g);
            PartitionKey key = new PartitionKey(t.spec(), t.schema());
            key.partition(wrapper.wrap(record));
            byPartition.computeIfAbsent(key, k -> new ArrayList<>()).add(record);
            items.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(new GenerationCommits.StoredItem(g.work().workKey(), g.work().modelId(), g.ok()));
        }
        List<GenerationCommits.WrittenFile> files = new ArrayList<>();
        int n = 0;
        for (Map.Entry<PartitionKey, List<Record>> partition : byPartition.entrySet()) {
            String name = String.format("%s-p%05d-a%d-%05d-%d-%03d.parquet", task.jobId(), task.partition(), task.attempt(), sequence, round, n++);
            String location = t.locationProvider().newDataLocation(t.spec(), partition.getKey(), name);
            try {
                DataWriter<Record> writer = Parquet.writeData(t.io().newOutputFile(location)).forTable(t)
                        .withPartition(partition.getKey()).createWriterFunc(GenericParquetWriter::create).overwrite().build();
                try (writer) {
                    partition.getValue().forEach(writer::write);
                }
                DataFile file = writer.toDataFile();
                files.add(new GenerationCommits.WrittenFile(file.location(), partition.getKey().toPath(), file.fileSizeInBytes(),
                        file.recordCount(), items.get(partition.getKey())));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + location, e);
            }
        }
        return files;
    }

    /** The generation as an Iceberg record of the table's current schema (columns added later stay empty). */
    private static Record record(Table t, Generation g) {
        GenericRecord record = GenericRecord.create(t.schema());
        Object[] values = Generation.ROWS.values(g);
        String[] names = Tables.GENERATIONS.schema().fieldNames();
        for (int i = 0; i < names.length; i++) {
            Object value = values[i];
            record.setField(names[i], value instanceof Instant instant ? OffsetDateTime.ofInstant(instant, ZoneOffset.UTC) : value);
        }
        return record;
    }
}
