package dev.noharm.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkOption;
import dev.noharm.generation.plan.WorkKeys;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptBuilderTest {
    private final List<BenchmarkOption> options = List.of(
            new BenchmarkOption("c1", 2, "Referral", "Refer to cardiology", true, false),
            new BenchmarkOption("c1", 1, "Medication", "Start apixaban", false, false));

    @Test
    void rendersTheCaseAsTheContractSays() {
        assertEquals("A 58-year-old man. What next?\n1: Medication: Start apixaban\n2: Referral: Refer to cardiology\n",
                PromptBuilder.renderCase("A 58-year-old man. What next?", options));
    }

    @Test
    void everyVariantEndsWithTheCaseAndAsksForTheJsonArray() {
        for (String variant : PromptBuilder.variantNames()) {
            String prompt = PromptBuilder.prompt(variant, "Case text?", options);
            assertTrue(prompt.endsWith("\n\nCase text?\n1: Medication: Start apixaban\n2: Referral: Refer to cardiology\n"), variant);
            assertTrue(prompt.contains("[{\"Option\": 1, \"GradeAI\": \"Appropriate\", \"Rationale\""), variant);
            assertTrue(prompt.contains("mutually exclusive") || prompt.contains("exclude each other"), variant);
        }
        assertNotEquals(WorkKeys.promptHash(PromptBuilder.prompt("standard", "x", options)),
                WorkKeys.promptHash(PromptBuilder.prompt("concise", "x", options)));
        assertThrows(IllegalArgumentException.class, () -> PromptBuilder.prompt("nope", "x", options));
    }

}
