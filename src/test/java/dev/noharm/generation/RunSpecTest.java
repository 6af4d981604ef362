package dev.noharm.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.ValidationProblem;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunSpecTest {

    @Test
    void defaultsApplyWhereTheSpecIsSilent() {
        RunSpec spec = RunSpec.parse("run_id: r1\nregistry: conf/models.yaml\nmodels: [{model: a}]\n", "s.yaml");
        assertEquals(List.of(new RunSpec.ModelRun("a", 1)), spec.models());
        assertEquals(List.of("standard"), spec.promptVariants());
        assertEquals(null, spec.datasetVersion(), "run-level settings the spec does not give are resolved by GenerationSettings");
        assertEquals(null, spec.concurrencyPerTask());
        assertEquals(new RunSpec.Retry(4, 500, 30_000, 50), spec.retry());
        assertEquals(new RunSpec.Commit(25, 10), spec.commit());
    }

    @Test
    void everyProblemIsReported() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RunSpec.parse("""
                run_id: "bad id"
                models: [{model: a, samples: 0}, {samples: 2}]
                prompt_variants: [standard, verbose]
                retry: {max_attempts: -1}
                """, "s.yaml"));
        assertEquals(List.of(
                "s.yaml: run_id: must match [A-Za-z0-9._-]{1,64}",
                "s.yaml: registry: required field is missing",
                "s.yaml: models[1].samples: must be an integer >= 1, got 0",
                "s.yaml: models[2].model: required field is missing",
                "s.yaml: prompt_variants: unknown variant \"verbose\" (known: concise, standard)",
                "s.yaml: retry.max_attempts: must be an integer >= 1, got -1"),
                e.problems().stream().map(ValidationProblem::toString).toList());
    }
}
