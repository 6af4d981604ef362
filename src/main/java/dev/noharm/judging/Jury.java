package dev.noharm.judging;

import dev.noharm.scoring.ParsedResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * CONTRACT section 6's jury, as small pure functions: the verdict of several judges' parsed answers on one
 * (responder, trial, case) under a rule, each judge's agreement with the jury, and two judges' Cohen's kappa.
 * A judge's answer is parsed by {@link dev.noharm.scoring.ResponseParser#parseJudgment}.
 */
public final class Jury {

    /** How the judges' verdicts on one option become the jury's. */
    public enum Rule {
        /** More than half of the m judges that parsed (a tie is not recommended). */
        MAJORITY,
        /** All m. */
        UNANIMOUS,
        /** At least one. */
        ANY;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Rule> fromWireName(String name) {
            return Arrays.stream(values()).filter(r -> r.wireName().equals(name)).findFirst();
        }

        public static String names() {
            return Arrays.stream(values()).map(Rule::wireName).collect(Collectors.joining(", "));
        }

        boolean recommended(int votes, int judges) {
            return switch (this) {
                case MAJORITY -> 2 * votes > judges;
                case UNANIMOUS -> votes == judges;
                case ANY -> votes > 0;
            };
        }
    }

    private Jury() {}

    /**
     * The jury's answer: R_c is the options the rule recommends among the m judges without a parse failure; with
     * m = 0 a parse failure. Invalid entries are summed over the judges, and the answer is conflicting when any
     * judge's was (each judge's own conflicts already count as not recommended by it).
     */
    public static ParsedResponse verdict(List<ParsedResponse> judges, int optionCount, Rule rule) {
        List<ParsedResponse> parsed = judges.stream().filter(j -> !j.parseFailure()).toList();
        if (parsed.isEmpty()) {
            return ParsedResponse.failure();
        }
        int[] recommended = java.util.stream.IntStream.rangeClosed(1, optionCount)
                .filter(option -> rule.recommended((int) parsed.stream().filter(j -> j.recommends(option)).count(), parsed.size()))
                .toArray();
        return new ParsedResponse(false, recommended, parsed.stream().mapToInt(ParsedResponse::invalidEntries).sum(),
                parsed.stream().anyMatch(ParsedResponse::conflicting));
    }

    /** One judged item (trial, case, option): two verdicts side by side, a judge's and the jury's or two judges'. */
    public record Pair(boolean first, boolean second) {}

    /** JudgeAgreement: the share of items where the judge's verdict equals the jury's; absent without items. */
    public static OptionalDouble agreement(List<Pair> judgeAndJury) {
        return agreement(judgeAndJury.size(), judgeAndJury.stream().filter(p -> p.first() == p.second()).count());
    }

    /** JudgeAgreement from counts: {@code agreeing} of {@code items}; absent without items. */
    public static OptionalDouble agreement(long items, long agreeing) {
        return items == 0 ? OptionalDouble.empty() : OptionalDouble.of(agreeing / (double) items);
    }

    /**
     * JudgeKappa: Cohen's kappa of two judges over the items both judged, (p_o - p_e) / (1 - p_e) with
     * p_e = p_a p_b + (1 - p_a)(1 - p_b); absent without items or when p_e = 1 (both always said the same one thing).
     */
    public static OptionalDouble kappa(List<Pair> judgeAAndB) {
        return kappa(judgeAAndB.size(), judgeAAndB.stream().filter(p -> p.first() == p.second()).count(),
                judgeAAndB.stream().filter(Pair::first).count(), judgeAAndB.stream().filter(Pair::second).count());
    }

    /** JudgeKappa from counts: of {@code items}, {@code agreeing} alike, {@code firstRecommended} and {@code secondRecommended} Recommended. */
    public static OptionalDouble kappa(long items, long agreeing, long firstRecommended, long secondRecommended) {
        if (items == 0) {
            return OptionalDouble.empty();
        }
        double n = items;
        double observed = agreeing / n;
        double a = firstRecommended / n;
        double b = secondRecommended / n;
        double expected = a * b + (1 - a) * (1 - b);
        return expected == 1 ? OptionalDouble.empty() : OptionalDouble.of((observed - expected) / (1 - expected));
    }
}
