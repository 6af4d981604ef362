package dev.noharm.lake;

import static org.apache.spark.sql.functions.col;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.Row;

/**
 * Keeps the lake's tables small and tidy: drops what incomplete scores left behind (and, when asked, scores
 * older than the newest N of each dataset version), rewrites small data files into larger ones, expires old
 * snapshots, and removes files no snapshot references (a batch written by an executor whose driver died
 * before committing it, for instance). Time travel reaches back as far as the snapshots kept.
 */
public final class Maintenance {
    private final Lake lake;
    private final Clock clock;

    public Maintenance(Lake lake, Clock clock) {
        this.lake = lake;
        this.clock = clock;
    }

    /**
     * @param snapshotRetention snapshots older than this are expired (time travel reaches back this far)
     * @param retainLast at least this many snapshots of each table are kept, however old
     * @param orphanAge files no snapshot references are removed once this old (younger ones may belong to a commit in flight)
     * @param keepScores when positive, only the newest this many complete scores of each dataset version are kept
     */
    public record Options(Duration snapshotRetention, int retainLast, Duration orphanAge, int keepScores) {
        public static final Options DEFAULTS = new Options(Duration.ofDays(7), 5, Duration.ofDays(3), 0);
    }

    /** What maintenance did to one table. */
    public record TableReport(String table, long scoresDropped, int rewrittenFiles, int addedFiles, long expiredSnapshots,
            long orphanFilesRemoved, long liveDataFiles) {}

    public List<TableReport> run(Options options) {
        long now = clock.millis();
        Set<String> dropped = scoresToDrop(options, now);
        List<TableReport> reports = new ArrayList<>();
        for (LakeTable lakeTable : Tables.all()) {
            long droppedHere = 0;
            if (!dropped.isEmpty() && (lakeTable.visibility() == LakeTable.Visibility.COMPLETE_SCORES || lakeTable.equals(Tables.SCORE_RUNS))) {
                droppedHere = lake.readAll(lakeTable).where(col("score_id").isin(dropped.toArray())).count();
                if (droppedHere > 0) {
                    lake.spark().sql("DELETE FROM " + lake.tableName(lakeTable) + " WHERE score_id IN ("
                            + String.join(", ", dropped.stream().map(id -> "'" + id.replace("'", "") + "'").toList()) + ")");
                }
            }
            Table table = lake.table(lakeTable);
            int rewritten = 0;
            int added = 0;
            if (table.currentSnapshot() != null && !lakeTable.equals(Tables.LEASES)) {
                var result = SparkActions.get(lake.spark()).rewriteDataFiles(table).option("min-input-files", "2").execute();
                rewritten = result.rewrittenDataFilesCount();
                added = result.addedDataFilesCount();
                SparkActions.get(lake.spark()).rewriteManifests(table).execute();
            }
            table.refresh();
            int before = count(table.snapshots());
            table.expireSnapshots().expireOlderThan(now - options.snapshotRetention().toMillis()).retainLast(options.retainLast()).commit();
            table.refresh();
            long expired = before - count(table.snapshots());
            long orphans = 0;
            for (String ignored : SparkActions.get(lake.spark()).deleteOrphanFiles(table)
                    .olderThan(now - options.orphanAge().toMillis()).execute().orphanFileLocations()) {
                orphans++;
            }
            long live = lake.spark().table(lake.tableName(lakeTable) + ".files").count();
            reports.add(new TableReport(lakeTable.name(), droppedHere, rewritten, added, expired, orphans, live));
        }
        return reports;
    }

    /**
     * The scores to drop: those with rows but no score_runs row whose commits are older than the orphan age
     * (a score that stopped half way), and, with {@code keepScores}, complete scores beyond the newest N.
     */
    private Set<String> scoresToDrop(Options options, long now) {
        Set<String> complete = new HashSet<>();
        lake.readAll(Tables.SCORE_RUNS).select("score_id").collectAsList().forEach(r -> complete.add(r.getString(0)));
        Set<String> drop = new HashSet<>();
        for (Snapshot snapshot : lake.table(Tables.DECISIONS).snapshots()) {
            String id = snapshot.summary().get("noharm.score-id");
            if (id != null && !complete.contains(id) && snapshot.timestampMillis() < now - options.orphanAge().toMillis()) {
                drop.add(id);
            }
        }
        if (options.keepScores() > 0) {
            List<Row> old = lake.spark().sql("SELECT score_id FROM (SELECT score_id, row_number() OVER (PARTITION BY dataset_version "
                    + "ORDER BY scored_at DESC, score_id DESC) AS n FROM " + lake.tableName(Tables.SCORE_RUNS) + ") WHERE n > "
                    + options.keepScores()).collectAsList();
            old.forEach(r -> drop.add(r.getString(0)));
        }
        return drop;
    }

    private static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }
}
