#!/usr/bin/env bash
# Runs every test suite of Basin and prints each runner's summary line; fails if any suite fails.
# Usage: scripts/run_tests.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
export BASIN_BIN="$PWD/$BUILD_DIR/basin"
failed=()

echo "== layer check"
.venv/bin/python scripts/check_layers.py || failed+=("layers")

echo "== unit tests (ctest)"
(cd "$BUILD_DIR" && ctest --output-on-failure -j2) || failed+=("ctest")

echo "== SQL logic tests"
"$BUILD_DIR/basin_sqllogictest" test/sql || failed+=("sqllogic")

echo "== TPC-H against DuckDB"
.venv/bin/python test/tpch/tpch_check.py --sf "${TPCH_SF:-1}" --basin "$BASIN_BIN" || failed+=("tpch")

echo "== Delta conformance"
.venv/bin/python test/conformance/run_conformance.py --basin "$BASIN_BIN" || failed+=("conformance")

echo "== pytest (real peers)"
# Spark Connect tests run in a process of their own: a PySpark Connect session switches the
# whole Python process to Connect mode, which classic Spark sessions must not see.
.venv/bin/python -m pytest test/python -q -p no:cacheprovider --ignore=test/python/connect
rc=$?
# Exit 5 means no tests were collected: that is a failure of the suite, not a pass.
[ $rc -eq 0 ] || failed+=("pytest")

echo "== pytest (Spark Connect: the real PySpark client against basin serve)"
.venv/bin/python -m pytest test/python/connect test/connect_parity -q -p no:cacheprovider
rc=$?
[ $rc -eq 0 ] || failed+=("pytest-connect")

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
echo "all suites passed"
