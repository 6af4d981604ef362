package dev.noharm.teams;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.noharm.ids.Ids;
import dev.noharm.lake.Lake;
import dev.noharm.lake.NothingYet;
import dev.noharm.lake.Tables;
import dev.noharm.scoring.HarmWeights;
import java.io.PrintWriter;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The ensemble search over the lake: the solo models scored on a dataset version (or those of one run),
 * every k-subset scored by {@link EnsembleSearch}, appended to the ensemble_search table and the best
 * printed. Reads the scored decisions, so run score first.
 */
public final class EnsembleSearchJob {
    public record Request(String datasetVersion, List<String> models, String runId, int maxK, Ensembles.Rule rule,
            String metric, String harm, String grading, int top) {}

    public record Outcome(String searchId, List<String> models, long subsets, double seconds, List<Row> best) {}

    private final Lake lake;
    private final PrintWriter out;

    public EnsembleSearchJob(Lake lake, PrintWriter out) {
        this.lake = lake;
        this.out = out;
    }

    /** A named member that is not a scored responder of the dataset version, or names several versions. */
    public static final class UnknownMember extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UnknownMember(String message) {
            super(message);
        }
    }

    public Outcome run(Request request) {
        Column member = when(col("version").equalTo(""), col("responder")).otherwise(concat(col("responder"), lit("@"), col("version")));
        Dataset<Row> decisions = lake.read(Tables.DECISIONS).where(col("dataset_version").equalTo(request.datasetVersion()))
                .withColumn("member", member);
        // By default the solo models (condition Advisor); named members may be any scored responder (humans too).
        List<Row> scored = decisions.select("member", "responder").distinct().orderBy("member").collectAsList();
        if (scored.isEmpty()) {
            throw new NothingYet("nothing scored for dataset version " + request.datasetVersion() + " in " + lake.uri()
                    + "; run ./submit.sh score first");
        }
        List<String> models = request.models().isEmpty()
                ? modelsOf(decisions.where(col("condition").equalTo("Advisor")), request.runId()) : members(request.models(), scored);
        if (models.size() < 2) {
            throw new IllegalArgumentException("an ensemble search needs at least two scored solo models on dataset version "
                    + request.datasetVersion() + ", found " + models);
        }
        String searchId = Ids.newId();
        lake.spark().sparkContext().setJobDescription("noharm ensemble search " + searchId + ": " + models.size() + " models");
        long started = System.nanoTime();
        Dataset<Row> ranked = EnsembleSearch.search(lake.spark(), decisions, lake.read(Tables.OPTION_LABELS)
                        .where(col("dataset_version").equalTo(request.datasetVersion())),
                models, request.maxK(), request.rule(), request.metric(), request.harm(), request.grading(), HarmWeights.defaults())
                .withColumn("search_id", lit(searchId))
                .withColumn("searched_at", lit(Timestamp.from(Instant.now())))
                .withColumn("rule", lit(request.rule().label()));
        lake.append(Tables.ENSEMBLE_SEARCH, ranked.withColumn("dataset_version", lit(request.datasetVersion())),
                java.util.Map.of("noharm.search-id", searchId));
        double seconds = (System.nanoTime() - started) / 1e9;
        Dataset<Row> stored = lake.read(Tables.ENSEMBLE_SEARCH).where(col("search_id").equalTo(searchId));
        long subsets = stored.count();
        List<Row> best = stored.orderBy("rank").limit(request.top()).collectAsList();
        out.printf(Locale.ROOT, "ensembles: %d models, %d subsets (k = 2..%d, %s) scored in %.1f s; best by %s%s (%s grading):%n",
                models.size(), subsets, request.maxK(), request.rule().label(), seconds, request.metric(),
                request.harm().equals("All") ? "" : " " + request.harm(), request.grading());
        for (Row r : best) {
            out.printf(Locale.ROOT, "  %3d. %-70s %.4f (%d trials)%n", r.<Integer>getAs("rank"), r.<String>getAs("subset"),
                    r.<Double>getAs("mean"), r.<Long>getAs("trials"));
        }
        out.flush();
        return new Outcome(searchId, models, subsets, seconds, best);
    }

    /**
     * The named members as scored: {@code id@version} as it is, a plain id as its one scored version. An unknown
     * name, or a plain id scored in several versions, is refused with what is known.
     */
    static List<String> members(List<String> named, List<Row> scored) {
        List<String> known = scored.stream().map(r -> r.getString(0)).distinct().toList();
        List<String> members = new java.util.ArrayList<>();
        for (String name : named) {
            List<String> matching = scored.stream().filter(r -> r.getString(0).equals(name)
                    || r.getString(1).equals(name)).map(r -> r.getString(0)).distinct().toList();
            if (matching.isEmpty()) {
                throw new UnknownMember("'" + name + "' is not a scored responder (scored: " + String.join(", ", known) + ")");
            }
            if (matching.size() > 1 && !matching.contains(name)) {
                throw new UnknownMember("'" + name + "' was scored in several versions (" + String.join(", ", matching)
                        + "): name one as id@version");
            }
            members.add(matching.contains(name) ? name : matching.get(0));
        }
        return members;
    }

    /** The solo models scored on the dataset version, or those a run generated. */
    private List<String> modelsOf(Dataset<Row> decisions, String runId) {
        Dataset<Row> members = decisions.select("member", "responder", "version").distinct();
        if (runId != null) {
            Dataset<Row> ofRun = lake.read(Tables.GENERATIONS).where(col("run_id").equalTo(runId).and(col("team_id").isNull()))
                    .select(col("model_id").as("responder"), col("model_version").as("version")).distinct();
            members = members.join(ofRun, dev.noharm.lake.JoinKeys.of("responder", "version"));
        }
        return members.select("member").orderBy("member").collectAsList().stream().map(r -> r.getString(0)).toList();
    }
}
