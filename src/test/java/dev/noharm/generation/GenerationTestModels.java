package dev.noharm.generation;

/** Small ModelSpec values for unit tests that need no registry file. */
final class GenerationTestModels {
    private GenerationTestModels() {}

    static ModelSpec model(String id, int seed) {
        return new ModelSpec(id, "Model " + id, ProviderKind.OPENAI_COMPATIBLE, "", id, "1", "http://127.0.0.1:1/v1",
                new ModelSpec.RequestParams(0.0, 256, seed, "text", 5), new ModelSpec.Limits(60, 0, 4),
                new ModelSpec.Price(1.0, 2.0), null, null);
    }
}
