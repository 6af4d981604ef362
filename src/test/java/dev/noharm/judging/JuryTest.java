package dev.noharm.judging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.scoring.ParsedResponse;
import dev.noharm.scoring.ResponseParser;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** CONTRACT section 6 on a case of four options and four judges' answers, every number worked out by hand. */
class JuryTest {
    private static final int OPTIONS = 4;

    // Prose around the array; recommends 1 and 2, not 3, leaves 4 out.
    private static final ParsedResponse J1 = judge("The plan covers these: [{\"Option\": 1, \"Recommended\": true, \"Evidence\": \"refer to cardiology\"}, "
            + "{\"Option\": 2, \"Recommended\": true, \"Evidence\": \"start apixaban\"}, {\"Option\": 3, \"Recommended\": false, \"Evidence\": \"\"}]");
    // Option 2's flag is a string and option 5 is out of range (2 invalid), option 4 is listed both ways (conflicting,
    // so not recommended): recommends 1 only.
    private static final ParsedResponse J2 = judge("[{\"Option\": 1, \"Recommended\": true}, {\"Option\": 2, \"Recommended\": \"true\"}, "
            + "{\"Option\": 5, \"Recommended\": true}, {\"Option\": 4, \"Recommended\": true}, {\"Option\": 4, \"Recommended\": false}]");
    // No array at all: a judge parse failure.
    private static final ParsedResponse J3 = judge("I cannot map this plan: {\"Option\": 1, \"Recommended\": true}");
    // An option number as a string of digits counts, as in section 3: recommends 2 and 3.
    private static final ParsedResponse J4 = judge("[{\"Option\": \"3\", \"Recommended\": true}, {\"Option\": 2, \"Recommended\": true}]");

    private static ParsedResponse judge(String text) {
        return ResponseParser.parseJudgment(text, OPTIONS);
    }

    @Test
    void judgesAnswersParseAsSectionSixSays() {
        assertEquals(new ParsedResponse(false, new int[] {1, 2}, 0, false), J1);
        assertEquals(new ParsedResponse(false, new int[] {1}, 2, true), J2);
        assertTrue(J3.parseFailure());
        assertEquals(new ParsedResponse(false, new int[] {2, 3}, 0, false), J4);
        // A response's grades are not a judgment: GradeAI entries are invalid here.
        assertEquals(new ParsedResponse(false, new int[0], 1, false), judge("[{\"Option\": 1, \"GradeAI\": \"Appropriate\"}]"));
    }

    @Test
    void anEvenJuryWithAFailedJudgeCountsTheTwoThatParsed() {
        // m = 2 (J3 failed). Votes: option 1 two, option 2 one (a tie: not a majority), 3 and 4 none.
        List<ParsedResponse> jury = List.of(J1, J2, J3);
        assertArrayEquals(new int[] {1}, Jury.verdict(jury, OPTIONS, Jury.Rule.MAJORITY).recommended());
        assertArrayEquals(new int[] {1}, Jury.verdict(jury, OPTIONS, Jury.Rule.UNANIMOUS).recommended());
        assertArrayEquals(new int[] {1, 2}, Jury.verdict(jury, OPTIONS, Jury.Rule.ANY).recommended());
        ParsedResponse verdict = Jury.verdict(jury, OPTIONS, Jury.Rule.MAJORITY);
        assertFalse(verdict.parseFailure());
        assertEquals(2, verdict.invalidEntries(), "J2's two invalid entries");
        assertTrue(verdict.conflicting(), "J2 listed option 4 both ways");
    }

    @Test
    void anOddJuryNeedsTwoOfThreeAndNoJudgeThatParsedIsAParseFailure() {
        // m = 3. Votes: option 1 two (J1, J2), option 2 two (J1, J4), option 3 one (J4), option 4 none.
        List<ParsedResponse> jury = List.of(J1, J2, J4);
        assertArrayEquals(new int[] {1, 2}, Jury.verdict(jury, OPTIONS, Jury.Rule.MAJORITY).recommended());
        assertArrayEquals(new int[0], Jury.verdict(jury, OPTIONS, Jury.Rule.UNANIMOUS).recommended());
        assertArrayEquals(new int[] {1, 2, 3}, Jury.verdict(jury, OPTIONS, Jury.Rule.ANY).recommended());
        // m = 0: the case is a parse failure, whatever the rule.
        for (Jury.Rule rule : Jury.Rule.values()) {
            assertTrue(Jury.verdict(List.of(J3), OPTIONS, rule).parseFailure(), rule.wireName());
        }
        assertEquals(Jury.Rule.UNANIMOUS, Jury.Rule.fromWireName("unanimous").orElseThrow());
        assertTrue(Jury.Rule.fromWireName("Majority").isEmpty(), "wire names are lower case");
    }

    @Test
    void agreementWithTheJuryAndKappaBetweenJudges() {
        // J2 {1} against the majority of J1, J2, J4 {1, 2} on options 1..4: agree on 1, 3 and 4: 3/4.
        assertEquals(0.75, Jury.agreement(pairs(J2, Jury.verdict(List.of(J1, J2, J4), OPTIONS, Jury.Rule.MAJORITY))).getAsDouble(), 1e-12);
        // J1 (T, T, F, F) and J2 (T, F, F, F): p_o = 3/4, p_a = 1/2, p_b = 1/4, p_e = 1/8 + 3/8 = 1/2, kappa = 1/2.
        assertEquals(0.5, Jury.kappa(pairs(J1, J2)).getAsDouble(), 1e-12);
        // J1 (T, T, F, F) and J4 (F, T, T, F): p_o = 1/2 = p_e: kappa 0, no better than chance.
        assertEquals(0.0, Jury.kappa(pairs(J1, J4)).getAsDouble(), 1e-12);
        // Both always recommend: p_e = 1, kappa absent; no items, nothing either.
        assertEquals(OptionalDouble.empty(), Jury.kappa(List.of(new Jury.Pair(true, true), new Jury.Pair(true, true))));
        assertEquals(OptionalDouble.empty(), Jury.kappa(List.of()));
        assertEquals(OptionalDouble.empty(), Jury.agreement(List.of()));
    }

    private static List<Jury.Pair> pairs(ParsedResponse a, ParsedResponse b) {
        return java.util.stream.IntStream.rangeClosed(1, OPTIONS).mapToObj(o -> new Jury.Pair(a.recommends(o), b.recommends(o))).toList();
    }
}
