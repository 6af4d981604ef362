package dev.noharm.cli;

import dev.noharm.lake.Lake;
import dev.noharm.lake.LakeSql;
import dev.noharm.lake.SparkSessions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "ddl", mixinStandardHelpOptions = true,
        description = {"Print CREATE TABLE ... USING parquet LOCATION ... statements for every lake table, for a shared",
            "metastore (Hive, AWS Glue). Run them once in spark-sql or beeline; run the MSCK REPAIR TABLE lines again",
            "after jobs add partitions (new dataset versions, new runs)."})
final class DdlCommand implements Callable<Integer> {

    @Option(names = "--database", paramLabel = "NAME", defaultValue = "noharm", description = "Database to create the tables in. Default: ${DEFAULT-VALUE}.")
    String database;

    @Mixin
    LakeOption lake;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        Lake target = new Lake(SparkSessions.getOrCreate("noharm ddl"), lake.uri());
        new LakeSql(target).ddl(database).forEach(command.commandLine().getOut()::println);
        return ExitCode.OK;
    }
}
