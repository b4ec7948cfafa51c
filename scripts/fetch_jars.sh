#!/usr/bin/env bash
# Fetches the Delta Lake jars that real Spark needs for the interoperability tests from Maven
# Central into .cache/jars, once. Delta publishes one artifact per Spark line
# (delta-spark_<spark>_<scala>); the pinned pyspark is 4.2, so we take delta-spark_4.2_2.13.
# The newest Delta release with both that artifact and a matching delta-storage is 4.4.0; the
# Python package delta-spark 4.4.1 drives it unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
DELTA_JAR_VERSION=4.4.0
dest=.cache/jars
mkdir -p "$dest"
for artifact in "io.delta:delta-spark_4.2_2.13:${DELTA_JAR_VERSION}" "io.delta:delta-storage:${DELTA_JAR_VERSION}"; do
  name=$(echo "$artifact" | cut -d: -f2)
  if [ ! -s "$dest/${name}-${DELTA_JAR_VERSION}.jar" ]; then
    echo "setup: fetching $artifact"
    mvn -q -B dependency:copy -Dartifact="$artifact" -DoutputDirectory="$dest" >/dev/null
  fi
done
