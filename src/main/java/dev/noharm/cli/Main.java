package dev.noharm.cli;

import dev.noharm.lake.LakeSettings;
import dev.noharm.lake.Leases;
import dev.noharm.generation.Interrupted;
import dev.noharm.generation.StopSignals;
import dev.noharm.lake.NothingYet;
import dev.noharm.validation.InvalidInputException;
import dev.noharm.validation.ValidationProblem;
import java.io.PrintWriter;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/** The one entry point: {@code submit.sh <command> [options]} runs this class under spark-submit. */
@Command(name = "submit.sh", mixinStandardHelpOptions = true,
        description = "NOHARM clinical-safety evaluation pipeline on Apache Spark.",
        subcommands = {IngestCommand.class, SynthesizeCommand.class, GenerateCommand.class, SimulatorCommand.class, DemoCommand.class, NightlyCommand.class, ImportCommand.class, ScoreCommand.class, ExportCommand.class, CompareCommand.class, EnsemblesCommand.class, SqlCommand.class, ReportCommand.class, MaintainCommand.class, MigrateCommand.class, BenchCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command (try --help)");
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code;
        try (StopSignals signals = StopSignals.install(new CancelOnSignal(err), 30)) {
            code = run(args, out, err, signals::received);
        }
        // Stop Spark here rather than in each command, so callers in one JVM (tests) can share a session.
        SparkSession.getDefaultSession().foreach(session -> {
            session.stop();
            return null;
        });
        System.exit(code);
    }

    /** Runs a command line and returns the exit code, without exiting; tests call this. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, () -> null);
    }

    /** {@code signal}: the stop signal received meanwhile, or null (a command it cancelled exits 130). */
    static int run(String[] args, PrintWriter out, PrintWriter err, Supplier<String> signal) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, ignored) -> {
            err.println("error: " + usageMessage(e));
            return ExitCode.USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> reportFailure(e, err, signal.get()));
        return cli.execute(args);
    }

    private static String usageMessage(ParameterException e) {
        String command = e.getCommandLine().getCommandName();
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            boolean atTop = e.getCommandLine().getParent() == null;
            if (atTop && !first.startsWith("-")) {
                return "unknown command '" + first + "' (commands: "
                        + String.join(", ", e.getCommandLine().getSubcommands().keySet()) + ")";
            }
            return "unknown " + (first.startsWith("-") ? "option" : "argument") + " '" + first + "' for "
                    + command + " (see " + command + " --help)";
        }
        return e.getMessage() + " (see " + command + " --help)";
    }

    private static int reportFailure(Exception e, PrintWriter err, String signal) {
        if (signal != null && !(e instanceof Interrupted)) {
            err.println("interrupted (" + signal + "): the command stopped before it finished; nothing unfinished is visible "
                    + "(an unfinished score's files are removed by ./submit.sh maintain)");
            if (System.getenv("NOHARM_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return ExitCode.INTERRUPTED;
        }
        if (e instanceof InvalidInputException invalid) {
            err.println("error: " + invalid.getMessage());
            for (ValidationProblem problem : invalid.problems()) {
                err.println("  " + problem);
            }
            return ExitCode.INVALID_INPUT;
        }
        if (e instanceof LakeSettings.Unusable unusable) {
            err.println("error: " + unusable.getMessage());
            return ExitCode.INVALID_INPUT;
        }
        if (e instanceof NothingYet nothing) {
            err.println("error: " + nothing.getMessage());
            return ExitCode.NOTHING_YET;
        }
        if (e instanceof Interrupted interrupted) {
            err.println(interrupted.getMessage());
            return ExitCode.INTERRUPTED;
        }
        if (e instanceof Leases.Held held) {
            err.println("error: " + held.getMessage());
            return ExitCode.LAKE_BUSY;
        }
        err.println("error: " + describe(e));
        if (System.getenv("NOHARM_DEBUG") != null) {
            e.printStackTrace(err);
        } else {
            err.println("(set NOHARM_DEBUG=1 for the stack trace)");
        }
        return ExitCode.FAILURE;
    }

    /**
     * The failure and its causes, one line each joined (Spark's job failures carry whole stack traces in their
     * message text: only the first line is kept; NOHARM_DEBUG prints the rest).
     */
    private static String describe(Throwable e) {
        String first = firstLine(e.getMessage());
        StringBuilder message = new StringBuilder(first.isEmpty() ? e.getClass().getName() : first);
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            String line = firstLine(cause.getMessage());
            if (!line.isEmpty() && !message.toString().contains(line)) {
                message.append(": ").append(line);
            }
        }
        return message.toString();
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("").strip();
    }
}
