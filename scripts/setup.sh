#!/usr/bin/env bash
# Installs everything Basin needs to build, run and test on Debian 12: Debian packages, the pinned
# Python packages in .venv (Arrow C++ comes from the pyarrow wheel there), and the Delta jars for
# the Spark interoperability tests. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git python3 python3-venv
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  libpcre2-dev libsqlite3-dev libpq-dev postgresql libroaring-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang-format clang-tidy
  libssl-dev zlib1g-dev openjdk-17-jre-headless maven
)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A JDK from elsewhere (java on PATH) is as good as Debian's for Spark.
if command -v java >/dev/null 2>&1; then
  missing=("${missing[@]/openjdk-17-jre-headless}")
fi
if command -v mvn >/dev/null 2>&1; then
  missing=("${missing[@]/maven}")
fi
read -r -a missing <<< "${missing[*]}"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python: a project venv with pinned packages (requirements-bench.txt: the benchmarks' peers).
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(cat requirements.txt requirements-bench.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pinned Python packages"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt -r requirements-bench.txt
  echo "$want" > "$stamp"
fi

# Delta jars for real Spark (delta-spark's Python package needs them on the JVM classpath).
bash scripts/fetch_jars.sh
echo "setup: done"
