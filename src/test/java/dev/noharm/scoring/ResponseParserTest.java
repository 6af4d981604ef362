package dev.noharm.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** CONTRACT section 3, rule by rule. */
class ResponseParserTest {

    private static ParsedResponse ok(int invalid, boolean conflicting, int... recommended) {
        return new ParsedResponse(false, recommended, invalid, conflicting);
    }

    @Test
    void aBareArray() {
        assertEquals(ok(0, false, 1, 3), ResponseParser.parse(
                "[{\"Option\": 1, \"GradeAI\": \"Appropriate\"}, {\"Option\": 2, \"GradeAI\": \"Inappropriate\"},"
                        + " {\"Option\": 3, \"GradeAI\": \"Appropriate\", \"Rationale\": \"x\"}]", 3));
    }

    @Test
    void codeFencesAndProseAroundTheArray() {
        assertEquals(ok(0, false, 2), ResponseParser.parse(
                "Here is my answer [see below]:\n```json\n[{\"Option\": 2, \"GradeAI\": \"appropriate\"}]\n```\nThanks [1].", 4));
    }

    @Test
    void theFirstTopLevelArrayWinsAndArraysInsideObjectsAreNotTopLevel() {
        assertEquals(ok(0, false, 3), ResponseParser.parse(
                "{\"grades\": [{\"Option\": 1, \"GradeAI\": \"Appropriate\"}]} then [{\"Option\": 3, \"GradeAI\": \"Appropriate\"}]"
                        + " and [{\"Option\": 2, \"GradeAI\": \"Appropriate\"}]", 3));
    }

    @Test
    void unmentionedOptionsAreNotRecommended() {
        assertEquals(ok(0, false), ResponseParser.parse("[]", 5));
        assertEquals(ok(0, false, 4), ResponseParser.parse("[{\"Option\": 4, \"GradeAI\": \"Appropriate\"}]", 5));
    }

    @Test
    void outOfRangeAndUnreadableEntriesAreIgnoredAndCounted() {
        assertEquals(ok(5, false, 2), ResponseParser.parse("[{\"Option\": 0, \"GradeAI\": \"Appropriate\"},"
                + " {\"Option\": 4, \"GradeAI\": \"Appropriate\"}, {\"Option\": 2, \"GradeAI\": \"Appropriate\"},"
                + " {\"Option\": 1, \"GradeAI\": \"Maybe\"}, \"3\", {\"GradeAI\": \"Appropriate\"}]", 3));
    }

    @Test
    void optionNumbersMayBeStringsOfDigits() {
        assertEquals(ok(0, false, 2), ResponseParser.parse("[{\"Option\": \"2\", \"GradeAI\": \"Appropriate\"}]", 3));
    }

    @Test
    void anOptionGradedBothWaysIsNotRecommendedAndFlagged() {
        assertEquals(ok(0, true, 3), ResponseParser.parse("[{\"Option\": 1, \"GradeAI\": \"Appropriate\"},"
                + " {\"Option\": 1, \"GradeAI\": \"Inappropriate\"}, {\"Option\": 3, \"GradeAI\": \"Appropriate\"},"
                + " {\"Option\": 3, \"GradeAI\": \"Appropriate\"}]", 3));
    }

    @Test
    void noParseableArrayIsAParseFailure() {
        assertEquals(ParsedResponse.failure(), ResponseParser.parse("I recommend options 1 and 2.", 3));
        assertEquals(ParsedResponse.failure(), ResponseParser.parse("[{\"Option\": 1, \"GradeAI\": \"Appropri", 3));
        assertEquals(ParsedResponse.failure(), ResponseParser.parse(null, 3));
        assertEquals(ParsedResponse.failure(), ResponseParser.parse("{\"Option\": 1, \"GradeAI\": \"Appropriate\"}", 3));
    }

    @Test
    void aStructuredAnswerIsReadFromItsGradesField() {
        assertEquals(ok(1, false, 2), ResponseParser.parse("{\"grades\": [{\"Option\": 2, \"GradeAI\": \"Appropriate\"},"
                + " {\"Option\": 1, \"GradeAI\": \"Inappropriate\"}, {\"Option\": 9, \"GradeAI\": \"Appropriate\"}]}", 3));
        // Only when there is no top-level array: the contract's rule comes first.
        assertEquals(ok(0, false, 3), ResponseParser.parse("{\"grades\": [{\"Option\": 2, \"GradeAI\": \"Appropriate\"}]}\n"
                + "[{\"Option\": 3, \"GradeAI\": \"Appropriate\"}]", 3));
        assertEquals(ParsedResponse.failure(), ResponseParser.parse("{\"answers\": [{\"Option\": 2, \"GradeAI\": \"Appropriate\"}]}", 3));
        assertEquals(ParsedResponse.failure(), ResponseParser.parse("{\"grades\": \"none\"}", 3));
    }
}
