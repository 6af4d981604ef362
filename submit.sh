#!/usr/bin/env bash
# The one entry point for users and schedulers: ./submit.sh <command> [options]
#
# With SPARK_HOME set, runs through $SPARK_HOME/bin/spark-submit with the cluster jar (Spark provided).
# Without it, runs Spark's own SparkSubmit class from the self-contained local jar on a local master.
# Spark options (--master, --conf k=v, --driver-memory, ...) may appear anywhere and are passed to Spark;
# everything else goes to the command. `./submit.sh --help` lists the commands.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MAIN_CLASS=dev.noharm.cli.Main

# Spark options that take a value, and those that do not.
SPARK_VALUE_OPTS=" --master --deploy-mode --conf --name --jars --packages --exclude-packages --repositories
 --files --archives --properties-file --driver-memory --driver-java-options --driver-library-path
 --driver-class-path --driver-cores --executor-memory --executor-cores --num-executors
 --total-executor-cores --queue --principal --keytab --proxy-user "
SPARK_FLAG_OPTS=" --verbose --supervise "

spark_args=()
app_args=()
master=""
properties_file=""
driver_memory=""
driver_java_opts=""
while [ $# -gt 0 ]; do
  arg="$1"
  name="${arg%%=*}"
  if [[ "$SPARK_VALUE_OPTS" == *" $name "* ]]; then
    if [[ "$arg" == *=* ]]; then value="${arg#*=}"; shift
    else
      [ $# -ge 2 ] || { echo "error: $name needs a value" >&2; exit 2; }
      value="$2"; shift 2
    fi
    case "$name" in
      --master) master="$value" ;;
      --properties-file) properties_file="$value" ;;
      --driver-memory) driver_memory="$value" ;;
      --driver-java-options) driver_java_opts="$value" ;;
      *) spark_args+=("$name" "$value") ;;
    esac
  elif [[ "$SPARK_FLAG_OPTS" == *" $arg "* ]]; then
    spark_args+=("$arg"); shift
  else
    app_args+=("$arg"); shift
  fi
done

properties_file="${properties_file:-$HERE/conf/spark-defaults.conf}"
log_opts=("-Dlog4j2.configurationFile=$HERE/conf/log4j2.properties")
# Logged exceptions show as one line; NOHARM_DEBUG=1 brings their stack traces back.
[ -n "${NOHARM_DEBUG:-}" ] && log_opts+=("-Dnoharm.logStackTraces=full" "-Dnoharm.logMessage=%m")

find_jar() { # $1: classifier
  if [ -n "${NOHARM_JAR:-}" ]; then echo "$NOHARM_JAR"; return; fi
  local jars=("$HERE"/target/noharm-*-"$1".jar)
  if [ ! -f "${jars[0]}" ]; then
    echo "error: ${jars[0]##*/} not found; build it first with: mvn -B -q package -DskipTests" >&2
    exit 1
  fi
  echo "${jars[0]}"
}

if [ -n "${SPARK_HOME:-}" ]; then
  jar="$(find_jar cluster)"
  args=(--class "$MAIN_CLASS" --properties-file "$properties_file"
        --driver-java-options "${log_opts[*]}${driver_java_opts:+ $driver_java_opts}")
  [ -n "$master" ] && args+=(--master "$master")
  [ -n "$driver_memory" ] && args+=(--driver-memory "$driver_memory")
  exec "$SPARK_HOME/bin/spark-submit" "${args[@]}" ${spark_args[@]+"${spark_args[@]}"} "$jar" ${app_args[@]+"${app_args[@]}"}
fi

jar="$(find_jar local)"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
java_major="$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
if [ -n "$java_major" ] && { [ "$java_major" -lt 17 ] || [ "$java_major" -gt 21 ]; }; then
  echo "error: Java $java_major found; Spark and Hadoop here need Java 17 to 21 (set JAVA_HOME)" >&2
  exit 1
fi
master="${master:-local[*]}"
if [[ "$master" == local* ]]; then
  export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
fi
# The JVM flags Spark's launcher passes on Java 17+ (kept in step with spark.java.opens in pom.xml).
module_opts=(-XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true)
# In client mode the driver is this JVM, so driver memory and options apply to it directly.
jvm_opts=("${module_opts[@]}" "${log_opts[@]}")
# Class data sharing: `mvn package` records the classes a short run loads into an archive beside the jar
# (noharm-*-local.jsa, made by src/build/class-archive.sh). Mapping it instead of loading those classes
# from the jar halves the start-up cost of every command (measured: `sql "select 1"` 13-14 s -> 6-7 s).
# The JVM ignores an archive that no longer matches the jar; -Xlog:cds=off keeps that silent.
archive="${jar%.jar}.jsa"
if [ -n "${NOHARM_WRITE_CLASS_ARCHIVE:-}" ]; then
  jvm_opts+=("-XX:ArchiveClassesAtExit=$NOHARM_WRITE_CLASS_ARCHIVE")
elif [ -f "$archive" ]; then
  jvm_opts+=("-XX:SharedArchiveFile=$archive" -Xlog:cds=off -Xlog:cds+dynamic=off)
fi
[ -n "$driver_memory" ] && jvm_opts+=("-Xmx$driver_memory")
# shellcheck disable=SC2206 # driver Java options are a space-separated list, as with spark-submit
[ -n "$driver_java_opts" ] && jvm_opts+=($driver_java_opts)
# On a plain local master the executors live in this JVM and load the classes from its class path, so the
# jar is not handed to Spark (spark-internal: no primary jar). Otherwise Spark would copy the whole jar
# into a temporary folder for its "executor" on every run. Other masters get the jar shipped.
resource="$jar"
if [[ "$master" == "local" || "$master" == local\[* ]]; then
  resource=spark-internal
fi
exec "$java" "${jvm_opts[@]}" -cp "$jar" org.apache.spark.deploy.SparkSubmit \
  --master "$master" --properties-file "$properties_file" --class "$MAIN_CLASS" \
  ${spark_args[@]+"${spark_args[@]}"} "$resource" ${app_args[@]+"${app_args[@]}"}
