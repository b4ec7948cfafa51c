"""Higher-order functions over arrays: Basin against DuckDB and Spark on the same Parquet file.

    .venv/bin/python bench/hof_bench.py [--rows N] [--reps R] [--no-spark]

The data is N rows (default 2 million) of `k bigint, xs array<int>` with 10 elements per array
(values 0..99), written once to bench/data/hof/. Three queries, each answering one number:

    transform+aggregate  SELECT sum(aggregate(transform(xs, x -> x * 2), 0L, (a, x) -> a + x))
    filter               SELECT sum(size(filter(xs, x -> x % 2 = 0)))
    exists               SELECT count(*) WHERE exists(xs, x -> x = 7)

Basin runs `basin sql -e` on parquet.`file` (a child process: its times include start-up);
Spark runs the same SQL (local[2], one session, the file registered as a view); DuckDB runs its
own spelling (list_transform / list_reduce / list_filter with lambdas) in this process. The
answers must agree. The table shows median wall seconds and Basin's time divided by the peer's
(below 1.0: Basin is faster).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "bench" / "data" / "hof"

QUERIES = {
    "transform+aggregate": (
        "SELECT sum(aggregate(transform(xs, x -> x * 2), 0L, (a, x) -> a + x)) FROM {t}",
        "SELECT sum(list_reduce(list_transform(xs, lambda x: x * 2::BIGINT), "
        "lambda a, x: a + x)) FROM {t}"),
    "filter": (
        "SELECT sum(size(filter(xs, x -> x % 2 = 0))) FROM {t}",
        "SELECT sum(len(list_filter(xs, lambda x: x % 2 = 0))) FROM {t}"),
    "exists": (
        "SELECT count(*) FROM {t} WHERE exists(xs, x -> x = 7)",
        "SELECT count(*) FROM {t} WHERE len(list_filter(xs, lambda x: x = 7)) > 0"),
}


def make_data(rows: int) -> Path:
    path = DATA / f"arrays_{rows}.parquet"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    values = pc.cast(pc.floor(pc.multiply(pc.random(rows * 10), 100)), pa.int32())
    offsets = pa.array(range(0, rows * 10 + 1, 10), pa.int32())
    xs = pa.ListArray.from_arrays(offsets, values)
    table = pa.table({"k": pa.array(range(rows), pa.int64()), "xs": xs})
    pq.write_table(table, path, row_group_size=256 * 1024)
    return path


def timed(fn, reps: int):
    times, answer = [], None
    for _ in range(reps):
        start = time.perf_counter()
        answer = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), answer


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--basin", default=str(REPO / "build" / "basin"))
    args = parser.parse_args()
    path = make_data(args.rows)

    import duckdb
    duck = duckdb.connect()
    duck.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{path}')")
    spark = None
    if not args.no_spark:
        from pyspark.sql import SparkSession
        spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        spark.read.parquet(str(path)).createOrReplaceTempView("t")

    def basin(sql: str):
        out = subprocess.run([args.basin, "sql", "--format", "csv", "-e", sql], check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()
        return int(float(out[-1].strip('"')))

    print(f"rows={args.rows} reps={args.reps}")
    print(f"{'query':22} {'basin s':>9} {'duckdb s':>9} {'spark s':>9} {'b/duck':>7} {'b/spark':>8}")
    for name, (sql, duck_sql) in QUERIES.items():
        b_time, b_answer = timed(lambda: basin(sql.format(t=f"parquet.`{path}`")), args.reps)
        d_time, d_answer = timed(lambda: int(duck.execute(duck_sql.format(t="t")).fetchone()[0]),
                                 args.reps)
        s_time, s_answer = (float("nan"), b_answer)
        if spark is not None:
            s_time, s_answer = timed(lambda: int(spark.sql(sql.format(t="t")).collect()[0][0]),
                                     args.reps)
        if not (b_answer == d_answer == s_answer):
            print(f"{name}: answers differ: basin {b_answer}, duckdb {d_answer}, spark {s_answer}")
            return 1
        print(f"{name:22} {b_time:9.3f} {d_time:9.3f} {s_time:9.3f} {b_time / d_time:7.2f} "
              f"{b_time / s_time:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
