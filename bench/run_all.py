"""Runs every Basin benchmark and prints their tables; extra arguments go to each benchmark.

    .venv/bin/python bench/run_all.py                 # full sizes (minutes)
    .venv/bin/python bench/run_all.py --rows 200000 --commits 100 --reps 3   # a quick run
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["storage_bench.py"]


def main() -> int:
    failed = []
    for bench in BENCHMARKS:
        print(f"== {bench}", flush=True)
        rc = subprocess.call([sys.executable, str(HERE / bench), *sys.argv[1:]])
        if rc != 0:
            failed.append(bench)
    if failed:
        print(f"FAILED benchmarks: {' '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
