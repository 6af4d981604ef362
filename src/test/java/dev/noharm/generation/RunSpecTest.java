package dev.noharm.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                "s.yaml: prompt_variants: unknown variant \"verbose\" for task options (known: concise, standard)",
                "s.yaml: models[1].samples: must be an integer >= 1, got 0",
                "s.yaml: models[2].model: required field is missing",
                "s.yaml: retry.max_attempts: must be an integer >= 1, got -1"),
                e.problems().stream().map(ValidationProblem::toString).toList());
    }

    @Test
    void freeTextModelsGetTheirOwnVariantsBesideOptionsModels() {
        RunSpec spec = RunSpec.parse("""
                run_id: r1
                registry: conf/models.yaml
                models:
                  - {model: a, samples: 2}
                  - {model: b, task: free_text}
                  - {model: c, task: free_text, prompt_variants: [plan-200-words, case-only]}
                judges: [{model: j1}, {model: j2}, {model: j3}]
                jury_rule: unanimous
                """, "s.yaml");
        assertEquals(List.of(new RunSpec.ModelRun("a", 2, Task.OPTIONS, List.of("standard")),
                new RunSpec.ModelRun("b", 1, Task.FREE_TEXT, List.of("plan-500-words")),
                new RunSpec.ModelRun("c", 1, Task.FREE_TEXT, List.of("plan-200-words", "case-only"))), spec.models());
        assertEquals(List.of("standard"), spec.promptVariants(), "the spec's own list is the options task's (teams use it)");
        assertEquals(List.of("standard", "plan-500-words", "plan-200-words", "case-only"), List.copyOf(spec.variants().keySet()));
        assertEquals(List.of("j1", "j2", "j3"), spec.judges());
        assertEquals(dev.noharm.judging.Jury.Rule.UNANIMOUS, spec.juryRule());
        assertTrue(spec.hasFreeText());
    }

    @Test
    void aPromptFileIsAVariantNamedByItsTextsHash(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path file = tmp.resolve("official.txt");
        java.nio.file.Files.writeString(file, "  Please write a management plan.\n");
        RunSpec spec = RunSpec.parse("run_id: r1\nregistry: x.yaml\ntask: free_text\nprompt_file: " + file + "\nmodels: [{model: a}]\n", "s.yaml");
        PromptBuilder.Variant custom = PromptBuilder.Variant.custom(Task.FREE_TEXT, "Please write a management plan.");
        assertEquals(List.of(custom.name()), spec.models().get(0).promptVariants());
        assertEquals(custom, spec.variant(custom.name()));
        assertTrue(custom.name().matches("custom-ft-[0-9a-f]{8}"), custom.name());
        java.nio.file.Files.writeString(file, "Please write a management plan, briefly.");
        RunSpec edited = RunSpec.parse("run_id: r1\nregistry: x.yaml\ntask: free_text\nprompt_file: " + file + "\nmodels: [{model: a}]\n", "s.yaml");
        assertTrue(!edited.models().get(0).promptVariants().equals(spec.models().get(0).promptVariants()),
                "an edited instruction is other work, so another variant (and other work keys)");
    }

    @Test
    void freeTextMistakesAreReportedWithTheirFields() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RunSpec.parse("""
                run_id: r1
                registry: x.yaml
                task: essay
                models:
                  - {model: a, task: free_text, prompt_variants: [standard]}
                  - {model: b, prompt_variants: [plan], prompt_file: nope.txt}
                  - {model: c, task: free_text, prompt_file: missing-instruction.txt}
                judges: [{model: j1}, {model: j1}]
                jury_rule: most
                """, "s.yaml"));
        assertEquals(List.of(
                "s.yaml: task: unknown value \"essay\" (allowed: options, free_text)",
                "s.yaml: models[1].prompt_variants: unknown variant \"standard\" for task free_text (known: case-only, plan, plan-200-words, plan-500-words)",
                "s.yaml: models[2].prompt_file: give either prompt_file or prompt_variants, not both",
                "s.yaml: models[3].prompt_file: file not found (looked in " + java.nio.file.Path.of("").toAbsolutePath()
                        + " and in the jar): missing-instruction.txt",
                "s.yaml: judges[2].model: judge 'j1' is listed twice",
                "s.yaml: jury_rule: unknown value \"most\" (allowed: majority, unanimous, any)"),
                e.problems().stream().map(ValidationProblem::toString).toList());
        InvalidInputException noPlans = assertThrows(InvalidInputException.class, () -> RunSpec.parse(
                "run_id: r1\nregistry: x.yaml\nmodels: [{model: a}]\njudges: [{model: j1}]\n", "s.yaml"));
        assertEquals(List.of("s.yaml: judges: judges map free-text plans onto the options, but no model has task: free_text"),
                noPlans.problems().stream().map(ValidationProblem::toString).toList());
        InvalidInputException teams = assertThrows(InvalidInputException.class, () -> RunSpec.parse("""
                run_id: r1
                registry: x.yaml
                task: free_text
                teams: [{id: t, advisor: a, reviewers: [{role: Guardian, model: b}]}]
                """, "s.yaml"));
        assertTrue(teams.problems().get(0).toString().startsWith("s.yaml: teams: teams review graded options"), teams.problems().toString());
    }

    @Test
    void callModesArePerModelAndChecked() {
        RunSpec spec = RunSpec.parse("""
                run_id: r1
                registry: conf/models.yaml
                models: [{model: a, mode: batch}, {model: b}]
                batch: {poll_seconds: 5, wait: false}
                """, "s.yaml");
        assertEquals(CallMode.BATCH, spec.callMode("a"));
        assertEquals(CallMode.REALTIME, spec.callMode("b"));
        assertEquals(new RunSpec.Batch(5, false), spec.batch());
        assertEquals(new RunSpec.Batch(null, null), RunSpec.parse("run_id: r1\nregistry: x\nmodels: [{model: a}]\n", "s.yaml").batch());

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RunSpec.parse("""
                run_id: r1
                registry: conf/models.yaml
                models: [{model: a, mode: batch}, {model: b, mode: later}, {model: a, task: free_text, mode: realtime}]
                batch: {wait: sometimes}
                """, "s.yaml"));
        assertEquals(List.of(
                "s.yaml: models[2].mode: unknown value \"later\" (allowed: realtime, batch)",
                "s.yaml: models[3].mode: model a is batch in another entry; give all its entries one mode",
                "s.yaml: batch.wait: must be true (the job waits for its batches) or false (it submits them and a later run collects)"),
                e.problems().stream().map(ValidationProblem::toString).filter(p -> p.contains("mode") || p.contains("batch")).toList());
    }

    @Test
    void batchModeNeedsABatchApi() {
        ModelRegistry registry = ModelRegistry.parse("""
                models:
                  - {id: local, display_name: L, provider: openai-compatible, base_url: "http://127.0.0.1:1/v1", model_name: m, model_version: "1", limits: {requests_per_minute: 1}}
                  - {id: served, display_name: S, provider: openai-compatible, batch_api: true, base_url: "http://127.0.0.1:1/v1", model_name: m, model_version: "1", limits: {requests_per_minute: 1}}
                  - {id: schema, display_name: J, provider: openai, api_key_env: K, model_name: m, model_version: "1", params: {response_format: json_schema}, limits: {requests_per_minute: 1}}
                """, "models.yaml", name -> null);
        RunSpec spec = RunSpec.parse("run_id: r1\nregistry: models.yaml\nmodels: [{model: local, mode: batch}, {model: served, mode: batch},"
                + " {model: schema, mode: batch}]\n", "s.yaml");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RunModels.resolve(spec, "s.yaml", registry, name -> null, false));
        assertEquals(List.of(
                "s.yaml: models[1].mode: model 'local' (provider openai-compatible) has no batch API here: if its server also serves OpenAI's "
                        + "batch endpoints (/files, /batches), say batch_api: true in its registry entry; use mode: realtime",
                "s.yaml: models[3].mode: model 'schema' has response_format json_schema, which batch requests do not carry here; use "
                        + "json_object or text in its registry entry, or mode: realtime"),
                e.problems().stream().map(ValidationProblem::toString).toList());
        assertEquals(java.util.Optional.of("openai"), registry.find("served").orElseThrow().batchProtocol());
    }
}
