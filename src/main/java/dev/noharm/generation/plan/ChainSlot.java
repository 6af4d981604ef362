package dev.noharm.generation.plan;

/** One place in a team's chain, the same at every stage: the team, the case, the sample and the prompt variant. */
public record ChainSlot(String teamId, String caseId, int sampleIndex, String promptVariant) {}
