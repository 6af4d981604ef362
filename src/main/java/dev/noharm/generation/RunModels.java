package dev.noharm.generation;

import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.ValidationProblem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The models a run calls, checked before anything is called: every model the spec names (solo or in a team)
 * exists in the registry, none is listed twice, and (for a real run) every key can be found. All problems
 * are reported together, each naming the file, the model and the field.
 */
public final class RunModels {
    private RunModels() {}

    /** Every model of the run by registry id, solo models first, then team members and judges not already listed. */
    public static Map<String, ModelSpec> resolve(RunSpec spec, String specFile, ModelRegistry registry,
            Function<String, String> environment, boolean needKeys) {
        List<ValidationProblem> problems = new ArrayList<>();
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        int i = 0;
        for (RunSpec.ModelRun run : spec.models()) {
            i++;
            String field = "models[" + i + "].model";
            var model = registry.find(run.model());
            if (model.isEmpty()) {
                problems.add(unknown(spec, specFile, registry, field, run.model()));
                continue;
            }
            if (!seen.add(run.model())) {
                problems.add(new ValidationProblem(specFile, 0, field, "model '" + run.model() + "' is listed twice"));
                continue;
            }
            if (run.task() == Task.FREE_TEXT) {
                textOnly(model.get(), specFile, field, "writes free-text plans", problems);
            }
            if (needKeys) {
                checkKey(spec, model.get(), environment, problems);
            }
            models.put(run.model(), model.get());
        }
        int t = 0;
        for (RunSpec.TeamRun team : spec.teams()) {
            t++;
            int m = 0;
            for (String member : team.members()) {
                m++;
                String field = "teams[" + t + "]." + (m == 1 ? "advisor" : "reviewers[" + (m - 1) + "].model");
                var model = registry.find(member);
                if (model.isEmpty()) {
                    problems.add(unknown(spec, specFile, registry, field, member));
                } else if (seen.add(member)) {
                    if (needKeys) {
                        checkKey(spec, model.get(), environment, problems);
                    }
                    models.put(member, model.get());
                }
            }
        }
        int j = 0;
        for (String judge : spec.judges()) {
            j++;
            var model = registry.find(judge);
            if (model.isEmpty()) {
                problems.add(unknown(spec, specFile, registry, "judges[" + j + "].model", judge));
                continue;
            }
            textOnly(model.get(), specFile, "judges[" + j + "].model", "judges plans", problems);
            if (seen.add(judge)) {
                if (needKeys) {
                    checkKey(spec, model.get(), environment, problems);
                }
                models.put(judge, model.get());
            }
        }
        models.values().stream().filter(m -> spec.callMode(m.id()) == CallMode.BATCH)
                .forEach(m -> batchable(m, specFile, field(spec, m.id()), problems));
        if (!problems.isEmpty()) {
            throw new InvalidInputException("run spec " + specFile, problems);
        }
        return models;
    }

    /** The {@code mode} field of the first entry that names {@code modelId} (models, then judges). */
    private static String field(RunSpec spec, String modelId) {
        for (int i = 0; i < spec.models().size(); i++) {
            if (spec.models().get(i).model().equals(modelId)) {
                return "models[" + (i + 1) + "].mode";
            }
        }
        return "judges[" + (spec.judges().indexOf(modelId) + 1) + "].mode";
    }

    private static void batchable(ModelSpec model, String specFile, String field, List<ValidationProblem> problems) {
        if (model.batchProtocol().isEmpty()) {
            problems.add(new ValidationProblem(specFile, 0, field, "model '" + model.id() + "' (provider " + model.provider().wireName()
                    + ") has no batch API here" + (model.provider() == ProviderKind.OPENAI_COMPATIBLE
                            ? ": if its server also serves OpenAI's batch endpoints (/files, /batches), say batch_api: true in its registry entry"
                            : "; batch mode is for openai, azure-openai, anthropic, gemini and mistral") + "; use mode: realtime"));
        } else if ("json_schema".equals(model.params().responseFormat())) {
            problems.add(new ValidationProblem(specFile, 0, field, "model '" + model.id() + "' has response_format json_schema, which batch "
                    + "requests do not carry here; use json_object or text in its registry entry, or mode: realtime"));
        }
    }

    private static ValidationProblem unknown(RunSpec spec, String specFile, ModelRegistry registry, String field, String id) {
        return new ValidationProblem(specFile, 0, field, "no model '" + id + "' in the registry " + spec.registry()
                + " (has: " + String.join(", ", registry.all().stream().map(ModelSpec::id).toList()) + ")");
    }

    /** The registry's JSON modes ask for graded options; a plan or a judge's array needs plain text. */
    private static void textOnly(ModelSpec model, String specFile, String field, String role, List<ValidationProblem> problems) {
        if (!model.params().responseFormat().equals("text")) {
            problems.add(new ValidationProblem(specFile, 0, field, "model '" + model.id() + "' " + role + ", but the registry gives it response_format "
                    + model.params().responseFormat() + " (the graded options' format); use a registry entry with response_format text"));
        }
    }

    /** Every key is looked for on the driver before any call, so a missing one stops the run, not its tasks. */
    private static void checkKey(RunSpec spec, ModelSpec model, Function<String, String> environment, List<ValidationProblem> problems) {
        ApiKeyRef ref = model.apiKey();
        if (ref == null) {
            return;
        }
        String problem;
        try {
            String key = ApiKeys.resolve(ref, environment);
            problem = key == null || key.isBlank() ? ref.describe() + " is not set (it must hold the model's API key)" : null;
        } catch (RuntimeException e) {
            problem = e.getMessage();
        }
        if (problem != null) {
            problems.add(new ValidationProblem(spec.registry(), 0, "model '" + model.id() + "': " + ref.source().field(), problem));
        }
    }
}
