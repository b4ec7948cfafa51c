#!/usr/bin/env bash
# Fuzzes the Variant codec (src/basin/types/variant_fuzz.cc) with libFuzzer and AddressSanitizer.
# New interesting inputs are kept in fuzz/corpus/variant.
# Usage: scripts/fuzz_variant.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
CXX=$(command -v clang++ || command -v clang++-14 || true)
[ -n "$CXX" ] || { echo "fuzz: needs clang and libclang-rt-14-dev (apt-get install clang libclang-rt-14-dev)"; exit 2; }
PA=$(.venv/bin/python -c "import pyarrow as pa; print(pa.get_library_dirs()[0])")
BUILD_DIR=${BUILD_DIR:-build}
[ -f "$BUILD_DIR/generated/sql_states.inc" ] || { echo "fuzz: configure $BUILD_DIR first (make build)"; exit 2; }
out=$BUILD_DIR/fuzz
mkdir -p "$out" fuzz/corpus/variant
srcs="src/basin/types/variant_fuzz.cc src/basin/types/variant.cc src/basin/types/civil_time.cc
      src/basin/types/time_zone.cc src/basin/base/status.cc"
"$CXX" -std=c++20 -O1 -g -fsanitize=fuzzer,address -Isrc -I"$BUILD_DIR/generated" -I"$PA/include" \
  $srcs "$PA/libarrow.so.2600" -Wl,-rpath,"$PA" -o "$out/variant_fuzz"
"$out/variant_fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -print_final_stats=1 \
  fuzz/corpus/variant 2>&1 | tail -20
