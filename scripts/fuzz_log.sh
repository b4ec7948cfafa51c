#!/usr/bin/env bash
# Fuzzes the Delta log parser (src/basin/delta/log_fuzz.cc) with libFuzzer and AddressSanitizer.
# New interesting inputs are kept in fuzz/corpus/log; the commit files of the shared conformance
# tables seed it (read only).
# Usage: scripts/fuzz_log.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
command -v clang++ >/dev/null || { echo "fuzz: needs clang and libclang-rt-14-dev (apt-get install clang libclang-rt-14-dev)"; exit 2; }
PA=$(.venv/bin/python -c "import pyarrow as pa; print(pa.get_library_dirs()[0])")
out=build/fuzz
mkdir -p "$out" fuzz/corpus/log
srcs="src/basin/delta/log_fuzz.cc src/basin/delta/actions.cc src/basin/types/schema_json.cc src/basin/base/status.cc"
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address -Isrc -I"$PA/include" $srcs \
  "$PA/libarrow.so.2600" -Wl,-rpath,"$PA" -o "$out/log_fuzz"
seeds=()
for d in ../shared/delta-conformance/*/*/_delta_log ../shared/delta-conformance/*/*/delta/_delta_log; do
  [ -d "$d" ] && seeds+=("$d")
done
"$out/log_fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -print_final_stats=1 \
  fuzz/corpus/log "${seeds[@]}" 2>&1 | tail -20
