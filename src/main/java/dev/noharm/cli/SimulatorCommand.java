package dev.noharm.cli;

import dev.noharm.benchmark.Benchmark;
import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "simulator", mixinStandardHelpOptions = true,
        description = {
            "Serve simulated models on an OpenAI-compatible endpoint (http://127.0.0.1:PORT/v1) until stopped.",
            "The model name picks the persona: careful, omitter, overtreater or random (e.g. careful-1)."})
// A LakeCommand for the shared --lake option (accepted, as by every command) and out(); it never opens the lake.
final class SimulatorCommand extends LakeCommand {

    @Option(names = "--port", defaultValue = "8199", description = "Port on 127.0.0.1 (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--dataset", paramLabel = "DIR", description = "Benchmark whose labels the personas consult. Default: the bundled sample.")
    String dataset;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for latencies and faults. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--latency-ms", defaultValue = "50", description = "Median latency. Default: ${DEFAULT-VALUE}.")
    long latencyMs;

    @Option(names = "--latency-sigma", defaultValue = "0.3", description = "Log-normal spread of latency. Default: ${DEFAULT-VALUE}.")
    double latencySigma;

    @Option(names = "--rpm", defaultValue = "0", description = "Requests per minute per model before 429 (0 = unlimited). Default: ${DEFAULT-VALUE}.")
    int rpm;

    @Option(names = "--fault-5xx", defaultValue = "0", description = "Probability of an HTTP 500. Default: ${DEFAULT-VALUE}.")
    double fault5xx;

    @Option(names = "--fault-hang", defaultValue = "0", description = "Probability of hanging for --hang-ms. Default: ${DEFAULT-VALUE}.")
    double faultHang;

    @Option(names = "--hang-ms", defaultValue = "30000", description = "How long a hang lasts. Default: ${DEFAULT-VALUE}.")
    long hangMs;

    @Option(names = "--fault-malformed", defaultValue = "0", description = "Probability of an answer with no parseable array. Default: ${DEFAULT-VALUE}.")
    double faultMalformed;

    @Option(names = "--fault-truncated", defaultValue = "0", description = "Probability of an answer cut in half (finish_reason length). Default: ${DEFAULT-VALUE}.")
    double faultTruncated;

    @Option(names = "--fault-bad-body", defaultValue = "0", description = "Probability of an HTTP 200 whose body is not JSON. Default: ${DEFAULT-VALUE}.")
    double faultBadBody;

    @Option(names = "--judge-error-rate", defaultValue = "0.05", description = "Probability that a simulated judge (judge-* models) "
            + "gets one option's verdict on a free-text plan wrong. Default: ${DEFAULT-VALUE}.")
    double judgeErrorRate;

    @Option(names = "--batch-delay-ms", defaultValue = "2000", description = "How long a provider batch takes to end. Default: ${DEFAULT-VALUE}.")
    long batchDelayMs;

    @Option(names = "--batch-error-rate", defaultValue = "0", description = "Probability that one request of a batch fails. Default: ${DEFAULT-VALUE}.")
    double batchErrorRate;

    @Option(names = "--batch-unfinished-rate", defaultValue = "0", description = "Probability that one request of a batch is left "
            + "unanswered (the batch expires). Default: ${DEFAULT-VALUE}.")
    double batchUnfinishedRate;

    @Override
    public Integer call() throws Exception {
        Benchmark benchmark = new BenchmarkReader().read(dataset == null
                ? BenchmarkSource.bundledSample()
                : BenchmarkSource.folder(dataset, new org.apache.hadoop.conf.Configuration()));
        SimulatorConfig config = new SimulatorConfig(seed, latencyMs, latencySigma, rpm, Map.of(), fault5xx, faultHang, hangMs,
                faultMalformed, faultTruncated, faultBadBody, judgeErrorRate, Map.of(), batchDelayMs, batchErrorRate, batchUnfinishedRate);
        PrintWriter out = out();
        CountDownLatch stopped = new CountDownLatch(1);
        try (EndpointSimulator simulator = EndpointSimulator.start(config, benchmark, port)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                out.println("simulator stopping: " + simulator.stats());
                out.flush();
                stopped.countDown();
            }));
            out.println("simulator listening on " + simulator.baseUrl() + " (" + benchmark.cases().size()
                    + " cases known); stop with Ctrl-C");
            out.flush();
            while (!stopped.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                out.println("simulator: " + simulator.stats());
                out.flush();
            }
        }
        return ExitCode.OK;
    }
}
