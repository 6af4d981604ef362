package dev.noharm.generation.batch;

/**
 * What the provider says of a batch: whether it has ended (completed, failed, expired or cancelled: nothing more will
 * be answered), its counts so far, and the provider's own word for its state.
 */
public record BatchStatus(boolean ended, int total, int succeeded, int errored, String providerState) {}
