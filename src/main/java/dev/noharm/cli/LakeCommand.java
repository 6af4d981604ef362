package dev.noharm.cli;

import dev.noharm.lake.Lake;
import dev.noharm.lake.NothingYet;
import dev.noharm.lake.SparkSessions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
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

    /** The lake of {@code --lake}, in a Spark session named after the command; made if it does not exist. */
    Lake openLake() {
        return new Lake(SparkSessions.getOrCreate("noharm " + command.name()), lake.uri());
    }

    /**
     * The lake of {@code --lake} for commands that only work on what earlier commands wrote (score, sql, report,
     * export, compare, ensembles): a local path that is missing is {@link NothingYet}, and a file is a usage error,
     * rather than an empty lake made there. Remote lakes (s3a:, hdfs:) are opened as they are.
     */
    Lake openExistingLake() {
        String uri = lake.uri();
        String scheme = uri.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") ? uri.substring(0, uri.indexOf(':')) : null;
        if (scheme == null || scheme.equals("file")) {
            Path path = Path.of(scheme == null ? uri : uri.substring("file:".length())); // file:/x, file:///x, file:x
            if (Files.isRegularFile(path)) {
                throw new ParameterException(command.commandLine(), "--lake " + uri + " is a file, not a lake folder");
            }
            if (!Files.isDirectory(path)) {
                throw new NothingYet("there is no lake at " + uri + "; run ./submit.sh ingest --lake " + uri + " first");
            }
        }
        return openLake();
    }
}
