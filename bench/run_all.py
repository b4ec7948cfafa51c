"""Runs every Basin benchmark and prints their tables.

    .venv/bin/python bench/run_all.py                 # full sizes (minutes)
    .venv/bin/python bench/run_all.py --rows 200000 --commits 100 --reps 3   # a quick run

The TPC-H benchmarks (SQL and DataFrame API) run at scale factor --tpch-sf (default 0.1). --reps
and --no-spark go to every benchmark; all other arguments go to storage_bench.py.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tpch-sf", default="0.1")
    parser.add_argument("--reps")
    parser.add_argument("--no-spark", action="store_true")
    args, rest = parser.parse_known_args()
    common = (["--reps", args.reps] if args.reps else []) + (["--no-spark"] if args.no_spark else [])
    benchmarks = [("storage_bench.py", [*rest, *common]),
                  ("tpch_bench.py", ["--sf", args.tpch_sf, *common]),
                  ("connect_bench.py", common),
                  ("tpch_dataframe.py", ["--sf", args.tpch_sf, *common])]
    failed = []
    for bench, bench_args in benchmarks:
        print(f"== {bench} {' '.join(bench_args)}", flush=True)
        rc = subprocess.call([sys.executable, str(HERE / bench), *bench_args])
        if rc != 0:
            failed.append(bench)
    if failed:
        print(f"FAILED benchmarks: {' '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
