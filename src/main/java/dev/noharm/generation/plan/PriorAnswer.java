package dev.noharm.generation.plan;

/**
 * A stored ok answer that a review stage builds on: its text, and the chain's latency up to and including it
 * ({@code chainLatencyMs} for a review, the call's own latency for an advisor).
 */
public record PriorAnswer(String workKey, String responseText, long chainLatencyMs) {}
