package dev.noharm.simulator;

import java.util.Map;

/**
 * How the simulator behaves. Latency is log-normal around {@code latencyMedianMs}; each fault
 * probability applies per accepted request; {@code requestsPerMinute} limits every model (0 = no limit)
 * unless {@code perModelRpm} names it. A judge persona ({@code judge-*} models) gets each option's verdict wrong with
 * probability {@code judgeErrorRate}, or the rate {@code judgeErrorRates} gives its model name. A provider batch ends
 * {@code batchDelayMillis} after it was created; each of its requests fails with probability {@code batchErrorRate}, and
 * is left unanswered (the batch expires) with probability {@code batchUnfinishedRate}.
 */
public record SimulatorConfig(
        long seed,
        long latencyMedianMs,
        double latencySigma,
        int requestsPerMinute,
        Map<String, Integer> perModelRpm,
        double faultServerError,
        double faultHang,
        long hangMillis,
        double faultMalformed,
        double faultTruncated,
        double faultBadBody,
        double judgeErrorRate,
        Map<String, Double> judgeErrorRates,
        long batchDelayMillis,
        double batchErrorRate,
        double batchUnfinishedRate) {

    public static final double DEFAULT_JUDGE_ERROR_RATE = 0.05;

    public SimulatorConfig {
        perModelRpm = Map.copyOf(perModelRpm);
        judgeErrorRates = Map.copyOf(judgeErrorRates);
    }

    public static SimulatorConfig defaults() {
        return new SimulatorConfig(1, 50, 0.3, 0, Map.of(), 0, 0, 0, 0, 0, 0, DEFAULT_JUDGE_ERROR_RATE, Map.of(), 0, 0, 0);
    }

    /** Judges' error rates: {@code rate} for every judge, {@code byModel} for the judge models it names. */
    public SimulatorConfig withJudgeErrors(double rate, Map<String, Double> byModel) {
        return new SimulatorConfig(seed, latencyMedianMs, latencySigma, requestsPerMinute, perModelRpm, faultServerError, faultHang,
                hangMillis, faultMalformed, faultTruncated, faultBadBody, rate, byModel, batchDelayMillis, batchErrorRate, batchUnfinishedRate);
    }

    public double judgeErrorRateFor(String model) {
        return judgeErrorRates.getOrDefault(model, judgeErrorRate);
    }

    /** The seed of latencies and of where faults land (see {@code EndpointSimulator.faultDraw}). */
    public SimulatorConfig withSeed(long newSeed) {
        return new SimulatorConfig(newSeed, latencyMedianMs, latencySigma, requestsPerMinute, perModelRpm, faultServerError, faultHang,
                hangMillis, faultMalformed, faultTruncated, faultBadBody, judgeErrorRate, judgeErrorRates, batchDelayMillis, batchErrorRate, batchUnfinishedRate);
    }

    public SimulatorConfig withLatency(long medianMs, double sigma) {
        return new SimulatorConfig(seed, medianMs, sigma, requestsPerMinute, perModelRpm, faultServerError, faultHang, hangMillis,
                faultMalformed, faultTruncated, faultBadBody, judgeErrorRate, judgeErrorRates, batchDelayMillis, batchErrorRate, batchUnfinishedRate);
    }

    public SimulatorConfig withRpm(int rpm) {
        return new SimulatorConfig(seed, latencyMedianMs, latencySigma, rpm, perModelRpm, faultServerError, faultHang, hangMillis,
                faultMalformed, faultTruncated, faultBadBody, judgeErrorRate, judgeErrorRates, batchDelayMillis, batchErrorRate, batchUnfinishedRate);
    }

    public SimulatorConfig withFaults(double serverError, double hang, long hangMs, double malformed, double truncated, double badBody) {
        return new SimulatorConfig(seed, latencyMedianMs, latencySigma, requestsPerMinute, perModelRpm, serverError, hang, hangMs,
                malformed, truncated, badBody, judgeErrorRate, judgeErrorRates, batchDelayMillis, batchErrorRate, batchUnfinishedRate);
    }

    /** Provider batches: how long until one ends, and the share of its requests that fail or stay unanswered. */
    public SimulatorConfig withBatches(long delayMillis, double errorRate, double unfinishedRate) {
        return new SimulatorConfig(seed, latencyMedianMs, latencySigma, requestsPerMinute, perModelRpm, faultServerError, faultHang,
                hangMillis, faultMalformed, faultTruncated, faultBadBody, judgeErrorRate, judgeErrorRates, delayMillis, errorRate, unfinishedRate);
    }

    public int rpmFor(String model) {
        return perModelRpm.getOrDefault(model, requestsPerMinute);
    }
}
