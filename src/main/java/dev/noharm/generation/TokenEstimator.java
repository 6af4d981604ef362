package dev.noharm.generation;

/**
 * The one estimate of what a call can use before it is made, shared by the dry run (what a run may cost), the
 * rate limiter (the tokens a permit holds against tokens_per_minute until the real count is known) and the
 * budget (what each call reserves). Input: prompt characters / 2, rounded up, since tokenizers rarely give
 * fewer than two characters per token (English prose runs near four); output: all of max_output_tokens.
 */
public final class TokenEstimator {
    private TokenEstimator() {}

    /**
     * The most one call is expected to use and cost, and what it would cost through the provider's batch API (the
     * real-time cost where the provider has none).
     */
    public record CallBound(long inputTokens, long outputTokens, double costUsd, double batchCostUsd) {
        public long tokens() {
            return inputTokens + outputTokens;
        }
    }

    public static CallBound upperBound(ModelSpec model, int promptChars) {
        long input = (promptChars + 1L) / 2;
        long output = model.params().maxOutputTokens();
        double cost = model.price().cost(input, output);
        return new CallBound(input, output, cost, model.batchProtocol().isPresent() ? model.price().batchCost(input, output) : cost);
    }
}
