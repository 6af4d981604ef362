package dev.noharm.teams;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import dev.noharm.lake.Lake;
import dev.noharm.scoring.DerivedResponder;
import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.ValidationProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Post-hoc ensembles from stored responses, without new calls: per case and trial, an option is
 * recommended by the {@code union} (any member), the {@code intersection} (every member) or the
 * {@code majority} (more than half of the members) of the members' recommendations. A trial of an
 * ensemble is the members' trials with the same index; its case set is the cases every member answered.
 */
public final class Ensembles {
    public enum Rule {
        UNION, INTERSECTION, MAJORITY;

        /** How many of k members must recommend an option. */
        Column threshold(Column k) {
            return switch (this) {
                case UNION -> lit(1);
                case INTERSECTION -> k;
                case MAJORITY -> functions.floor(k.divide(2)).plus(1);
            };
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code NAME=rule:member,member,...}; members are responder ids (or id@version). */
    public record Ensemble(String name, Rule rule, List<String> members) implements DerivedResponder {
        @Override
        public Dataset<Row> responses(Lake lake, String datasetVersion, Dataset<Row> cases, Dataset<Row> parsed) {
            return Ensembles.responses(parsed, this);
        }

        @Override
        public String spec() {
            return DerivedResponders.ENSEMBLE + name + "=" + rule.label() + ":" + String.join(",", members);
        }

        public static Ensemble parse(String text) {
            int eq = text.indexOf('=');
            int colon = text.indexOf(':', eq + 1);
            List<String> members = colon < 0 ? List.of() : List.of(text.substring(colon + 1).split(","));
            Rule rule = null;
            if (eq > 0 && colon > eq) {
                try {
                    rule = Rule.valueOf(text.substring(eq + 1, colon).toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    rule = null;
                }
            }
            if (rule == null || members.size() < 2 || members.stream().anyMatch(String::isBlank)) {
                throw new InvalidInputException("--ensemble " + text, List.of(new ValidationProblem("--ensemble", 0, text,
                        "expected NAME=RULE:MEMBER,MEMBER[,...] with RULE union, intersection or majority and at least two members")));
            }
            return new Ensemble(text.substring(0, eq), rule, members);
        }
    }

    private Ensembles() {}

    /**
     * The options recommended by a rule, from a column of the members' recommendation arrays (each
     * without repeats) and the member count. The one definition of the rules; search uses it too.
     */
    public static Column combine(Column memberArrays, Column members, Rule rule) {
        Column all = functions.flatten(memberArrays);
        Column threshold = rule.threshold(members);
        return functions.array_sort(functions.filter(functions.array_distinct(all),
                option -> functions.size(functions.filter(all, x -> x.equalTo(option))).geq(threshold)));
    }

    /**
     * The ensemble's derived responses from parsed responses (scoring's columns, with
     * {@code recommended_options}); members are matched on responder id, and on version for id@version.
     */
    public static Dataset<Row> responses(Dataset<Row> parsed, Ensemble ensemble) {
        Column isMember = lit(false);
        for (String member : ensemble.members()) {
            int at = member.indexOf('@');
            isMember = isMember.or(at < 0 ? col("responder").equalTo(member)
                    : col("responder").equalTo(member.substring(0, at)).and(col("version").equalTo(member.substring(at + 1))));
        }
        Dataset<Row> members = parsed.where(isMember);
        List<Row> identities = members.select("responder", "version", "display_name", "provider").distinct().orderBy("responder").collectAsList();
        if (identities.size() != ensemble.members().size()) {
            throw new InvalidInputException("ensemble " + ensemble.name(), List.of(new ValidationProblem("--ensemble", 0, ensemble.name(),
                    "members " + ensemble.members() + " match " + identities.size() + " scored responders " + identities
                            + "; name each as id or id@version, each exactly once")));
        }
        List<String> names = new ArrayList<>();
        List<String> providers = new ArrayList<>();
        for (String member : ensemble.members()) {
            String id = member.contains("@") ? member.substring(0, member.indexOf('@')) : member;
            identities.stream().filter(r -> r.getString(0).equals(id)).findFirst().ifPresent(r -> {
                names.add(r.getString(2));
                providers.add(r.getString(3));
            });
        }
        int k = ensemble.members().size();
        Dataset<Row> combined = members
                .groupBy("dataset_version", "trial", "case_id", "option_count", "specialty")
                .agg(countDistinct("responder", "version").as("members"), collect_list("recommended_options").as("arrays"),
                        max("parse_failure").as("parse_failure"))
                .where(col("members").equalTo(k))
                .withColumn("recommended_options", combine(col("arrays"), lit(k), ensemble.rule()));
        return DerivedResponses.shape(combined, ensemble.name(), String.join(" + ", names),
                "Ensemble (" + ensemble.rule().label() + ")", "Ensembles", String.join(" + ", providers));
    }
}
