#!/usr/bin/env bash
# Fetches the Delta Lake jars that the pinned delta-spark Python package needs from Maven Central
# into .cache/jars, once.
set -euo pipefail
cd "$(dirname "$0")/.."
DELTA_VERSION=$(.venv/bin/python -c "import importlib.metadata as m; print(m.version('delta-spark'))")
SCALA=2.13
dest=.cache/jars
mkdir -p "$dest"
for artifact in "io.delta:delta-spark_${SCALA}:${DELTA_VERSION}" "io.delta:delta-storage:${DELTA_VERSION}"; do
  name=$(echo "$artifact" | cut -d: -f2)
  if [ ! -s "$dest/${name}-${DELTA_VERSION}.jar" ]; then
    echo "setup: fetching $artifact"
    mvn -q -B dependency:copy -Dartifact="$artifact" -DoutputDirectory="$dest" >/dev/null
  fi
done
