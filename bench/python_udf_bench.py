"""Python UDFs: Basin's workers against Spark's, from the same pinned Connect client.

    .venv/bin/python bench/python_udf_bench.py [--rows 1000000] [--reps 3] [--no-spark]

Both servers (Basin: `basin serve`, BASIN_BIN or build/basin; Spark: its Connect server in
local[2] mode, as bench/connect_bench.py starts it) run, --reps times each after one warm-up:
  baseline  spark.range(N).select(sum(id + 1))                     (no UDF: the floor)
  udf       the same with udf(lambda x: x + 1, "long", useArrow=False)   (eval type 100)
  arrow     the same with useArrow=True                                 (eval type 101)
  pandas    the same with pandas_udf(lambda s: s + 1, "long")            (eval type 200)
and prints the median seconds, UDF rows per second and the ratio Spark/Basin (above 1.0:
Basin is faster). Workers use the interpreter of this process (PYSPARK_PYTHON).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "test" / "python" / "connect"))
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from connect_bench import connect, start_spark_server, stop_spark_server  # noqa: E402
from connect_support import BasinServer  # noqa: E402

CASES = ["baseline", "udf", "arrow", "pandas"]


def run_case(session, case: str, rows: int) -> float:
    from pyspark.sql import functions as F

    column = F.col("id") + 1
    if case == "udf":
        column = F.udf(lambda x: x + 1, "long", useArrow=False)("id")
    elif case == "arrow":
        column = F.udf(lambda x: x + 1, "long", useArrow=True)("id")
    elif case == "pandas":
        column = F.pandas_udf(lambda s: s + 1, "long")("id")
    start = time.perf_counter()
    total = session.range(rows).select(F.sum(column)).collect()[0][0]
    elapsed = time.perf_counter() - start
    assert total == rows * (rows + 1) // 2, (case, total)
    return elapsed


def measure(session, rows: int, reps: int) -> dict:
    out = {}
    for case in CASES:
        run_case(session, case, rows)  # warm-up: workers start, functions are sent
        out[case] = statistics.median(run_case(session, case, rows) for _ in range(reps))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args(argv)
    binary = Path(os.environ.get("BASIN_BIN", REPO / "build" / "basin"))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        server = BasinServer(binary, Path(tmp) / "warehouse")
        try:
            session = connect(server.url)
            results["basin"] = measure(session, args.rows, args.reps)
            session.stop()
        finally:
            server.stop()
        if not args.no_spark:
            url = start_spark_server(Path(tmp))
            try:
                session = connect(url)
                results["spark"] = measure(session, args.rows, args.reps)
            finally:
                stop_spark_server()
    print(f"{args.rows:,} rows, median of {args.reps}")
    print(f"{'case':<10}{'basin s':>10}{'rows/s':>14}{'spark s':>10}{'rows/s':>14}{'ratio':>8}")
    for case in CASES:
        b = results["basin"][case]
        s = results.get("spark", {}).get(case)
        line = f"{case:<10}{b:>10.3f}{args.rows / b:>14,.0f}"
        if s is not None:
            line += f"{s:>10.3f}{args.rows / s:>14,.0f}{s / b:>8.2f}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
