package dev.noharm.generation.batch;

/** One request of a provider batch: its work key names it at the provider ({@code custom_id}), so results find their item. */
public record BatchRequest(String workKey, String prompt, int sampleIndex) {}
