package dev.noharm.cli;

import dev.noharm.lake.Lake;
import dev.noharm.lake.SparkSessions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command on the lake shares: {@code --lake}, its own output stream, and opening the lake. */
abstract class LakeCommand implements Callable<Integer> {
    @Mixin
    LakeOption lake;

    @Spec
    CommandSpec command;

    /** Where the command prints (the command line's, so tests can read it). */
    PrintWriter out() {
        return command.commandLine().getOut();
    }

    /** The lake of {@code --lake}, in a Spark session named after the command. */
    Lake openLake() {
        return new Lake(SparkSessions.getOrCreate("noharm " + command.name()), lake.uri());
    }
}
