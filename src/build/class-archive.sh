#!/usr/bin/env bash
# Run by `mvn package` after the local jar is assembled: records the classes a short run of the pipeline
# loads (ingesting the bundled sample into a scratch lake) into a class-data-sharing archive beside the
# jar, which submit.sh maps on every later run. Skip with -Dnoharm.classArchive.skip=true.
# Usage: class-archive.sh LOCAL_JAR
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
archive="${jar%.jar}.jsa"
work="$(dirname "$jar")/class-archive"
rm -rf "$work" "$archive" "$archive.tmp"
mkdir -p "$work"
cd "$work"
if NOHARM_JAR="$jar" NOHARM_WRITE_CLASS_ARCHIVE="$archive.tmp" \
    "$HERE/submit.sh" ingest --sample --lake "$work/lake" > "$work/run.log" 2>&1 && [ -s "$archive.tmp" ]; then
  mv "$archive.tmp" "$archive"
  echo "class archive: $archive ($(du -m "$archive" | cut -f1) MB)"
else
  # Only start-up time depends on the archive: the build goes on without it.
  rm -f "$archive.tmp"
  echo "class archive not written (see $work/run.log); commands start without it" >&2
fi
rm -rf "$work/lake"
