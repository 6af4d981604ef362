package dev.noharm.cli;

import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.benchmark.IngestBenchmark;
import dev.noharm.generation.GenerateJob;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.generation.RunSpec;
import dev.noharm.lake.Lake;
import dev.noharm.lake.SparkSessions;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "The whole pipeline with no API keys: ingest the bundled synthetic sample, start the endpoint simulator",
            "in-process, and generate for several simulated models with several samples each.",
            "Simulated models are not real models; their results say nothing about any real model."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--spec", paramLabel = "FILE", defaultValue = "jobs/demo.yaml", description = "Run spec. Default: ${DEFAULT-VALUE}.")
    String specFile;

    @Mixin
    LakeOption lake;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        RunSpec spec = RunSpec.load(specFile);
        Lake target = new Lake(SparkSessions.getOrCreate("noharm demo"), GenerateCommand.lakeUri(command, lake, spec));

        IngestBenchmark.Result ingested = new IngestBenchmark(target).ingest(BenchmarkSource.bundledSample());
        out.printf("demo: sample benchmark is dataset version %s (%d cases, %d options)%s%n", ingested.datasetVersion(),
                ingested.cases(), ingested.options(), ingested.alreadyPresent() ? ", already in the lake" : "");

        // A little of everything a real endpoint does: latency, rate limits and the occasional fault.
        SimulatorConfig config = SimulatorConfig.defaults().withLatency(40, 0.4).withRpm(900)
                .withFaults(0.02, 0.0, 0, 0.01, 0.01, 0.005);
        try (EndpointSimulator simulator = EndpointSimulator.start(config,
                new BenchmarkReader().read(BenchmarkSource.bundledSample()), 0)) {
            out.println("demo: endpoint simulator on " + simulator.baseUrl());
            ModelRegistry registry = ModelRegistry.load(spec.registry(), name ->
                    name.equals("SIMULATOR_URL") ? simulator.baseUrl() : System.getenv(name));
            GenerateJob.Result result = new GenerateJob(target, spec, specFile, registry, System::getenv, out).run();
            out.println("demo: simulator served " + simulator.stats());
            out.printf("demo: generations are in %s/generations/run_id=%s (query them with Spark SQL; scoring arrives next)%n",
                    target.uri(), result.runId());
            return result.failed() > 0 ? ExitCode.ITEMS_FAILED : ExitCode.OK;
        }
    }
}
