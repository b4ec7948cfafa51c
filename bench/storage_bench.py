"""Storage-layer benchmarks: Basin's `basin table` against delta-rs, delta-spark and DuckDB.

    .venv/bin/python bench/storage_bench.py [--rows N] [--commits C] [--adds-per-commit A]
                                            [--reps R] [--only snapshot,write,scan] [--no-spark]

1. snapshot: open the latest snapshot of a table with C*A add actions over C commits and
   checkpoints (a synthetic log, generated once into bench/data/; the data files do not exist,
   since opening a snapshot reads only the log).
2. write: append N rows (mixed column types) in one write, from the same Parquet/Arrow data.
3. scan: read that whole table into Arrow.

Each measurement runs R times; the table shows the median wall time and Basin's time divided by
the peer's (below 1.0 means Basin is faster). Basin runs as a process, so its times include
process start-up (a few ms); the peers run inside this Python process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "bench" / "data"


class Results:
    """Collects (benchmark, system, median seconds); a failing measurement is recorded, not
    raised, so that one broken system does not hide the others."""

    def __init__(self, reps: int):
        self.reps = reps
        self.rows: list[tuple[str, str, float]] = []
        self.failures: list[str] = []

    def measure(self, name: str, system: str, fn, setup=None) -> None:
        try:
            self.rows.append((name, system, median_time(fn, self.reps, setup)))
        except Exception as e:  # noqa: BLE001
            self.failures.append(f"{name} / {system}: {e}")


def median_time(fn, reps: int, setup=None) -> float:
    times = []
    for _ in range(reps):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class Basin:
    def __init__(self, binary: Path):
        self.binary = binary
        self.warehouse = DATA / "warehouse"
        help_text = self.run("table", "--help", check=False).stdout
        self.commands = help_text

    def run(self, *args, check=True) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(self.binary), "--warehouse", str(self.warehouse),
                               *map(str, args)], capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise RuntimeError(f"basin {' '.join(map(str, args))} failed ({proc.returncode}): "
                               f"{proc.stderr.strip()}")
        return proc

    def has(self, command: str) -> bool:
        return f"  {command} " in self.commands


# ---------------------------------------------------------------------------------------------
# Data generation


def synthetic_log(path: Path, commits: int, adds_per_commit: int, checkpoint_every: int) -> None:
    """Writes a Delta log of `commits` commits with `adds_per_commit` add actions each, and a
    checkpoint every `checkpoint_every` commits (made by delta-rs)."""
    from deltalake import DeltaTable

    log = path / "_delta_log"
    log.mkdir(parents=True)
    schema = {"type": "struct", "fields": [
        {"name": "id", "type": "long", "nullable": True, "metadata": {}},
        {"name": "category", "type": "string", "nullable": True, "metadata": {}},
        {"name": "value", "type": "double", "nullable": True, "metadata": {}}]}
    now_ms = int(time.time() * 1000)
    file_number = 0
    for version in range(commits):
        lines = [{"commitInfo": {"timestamp": now_ms + version, "operation": "WRITE",
                                 "operationParameters": {"mode": "Append"}}}]
        if version == 0:
            lines.append({"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}})
            lines.append({"metaData": {
                "id": str(uuid.uuid4()), "format": {"provider": "parquet", "options": {}},
                "schemaString": json.dumps(schema), "partitionColumns": [],
                "configuration": {}, "createdTime": now_ms}})
        for _ in range(adds_per_commit):
            stats = {"numRecords": 1000, "minValues": {"id": file_number * 1000, "category": "a",
                                                       "value": 0.0},
                     "maxValues": {"id": file_number * 1000 + 999, "category": "z",
                                   "value": 1.0},
                     "nullCount": {"id": 0, "category": 0, "value": 0}}
            lines.append({"add": {
                "path": f"part-{file_number:07d}-{uuid.UUID(int=file_number)}.parquet",
                "partitionValues": {}, "size": 12345, "modificationTime": now_ms + version,
                "dataChange": True, "stats": json.dumps(stats)}})
            file_number += 1
        (log / f"{version:020d}.json").write_text("".join(json.dumps(x) + "\n" for x in lines))
        if checkpoint_every and version > 0 and version % checkpoint_every == 0:
            DeltaTable(str(path)).create_checkpoint()


def mixed_rows(n: int):
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(42)
    categories = pa.array([f"category-{i}" for i in range(50)])
    return pa.table({
        "id": pa.array(np.arange(n, dtype=np.int64)),
        "category": categories.take(pa.array(rng.integers(0, 50, n))),
        "value": pa.array(rng.normal(size=n)),
        "qty": pa.array(rng.integers(0, 1000, n, dtype=np.int32)),
        "ts": pa.array(np.int64(1_700_000_000_000_000) + np.arange(n, dtype=np.int64) * 1000,
                       pa.timestamp("us", tz="UTC")),
        "flag": pa.array(rng.integers(0, 2, n).astype(bool)),
    })


# ---------------------------------------------------------------------------------------------
# Benchmarks


def start_spark():
    import glob

    from pyspark.sql import SparkSession

    jars = sorted(glob.glob(str(REPO / ".cache" / "jars" / "*.jar")))
    if not jars:
        return None
    session = (SparkSession.builder.master("local[2]").appName("basin-bench")
               .config("spark.jars", ",".join(jars))
               .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
               .config("spark.sql.catalog.spark_catalog",
                       "org.apache.spark.sql.delta.catalog.DeltaCatalog")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.databricks.delta.snapshotPartitions", "2")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.memory", "4g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


def bench_snapshot(basin, spark, args, results):
    from deltalake import DeltaTable

    path = DATA / f"snapshot_{args.commits}x{args.adds_per_commit}"
    if not (path / "_delta_log").exists():
        print(f"generating {path.name} ...", flush=True)
        tmp = path.with_name(path.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        synthetic_log(tmp, args.commits, args.adds_per_commit, args.checkpoint_every)
        tmp.rename(path)
    expected = args.commits * args.adds_per_commit
    name = f"open snapshot ({expected:,} files, {args.commits} commits)"

    def run_basin():
        if basin.has("snapshot-stats"):
            basin.run("table", "snapshot-stats", path)
        else:
            detail = json.loads(basin.run("table", "detail", path).stdout)
            assert detail.get("numFiles") == expected, detail.get("numFiles")

    def run_rs():
        assert len(DeltaTable(str(path)).file_uris()) == expected

    results.measure(name, "basin", run_basin)
    results.measure(name, "delta-rs", run_rs)
    if spark is not None:
        from delta.tables import DeltaTable as SparkDeltaTable

        def clear():
            spark._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()

        def run_spark():
            row = SparkDeltaTable.forPath(spark, str(path)).detail().collect()[0]
            assert row["numFiles"] == expected

        results.measure(name, "delta-spark", run_spark, setup=clear)


def bench_write_and_scan(basin, spark, args, results, do_write: bool, do_scan: bool):
    import duckdb
    import pyarrow.parquet as pq
    from deltalake import DeltaTable, write_deltalake

    source = DATA / f"rows_{args.rows}.parquet"
    if not source.exists():
        print(f"generating {source.name} ...", flush=True)
        pq.write_table(mixed_rows(args.rows), source)
    data = pq.read_table(source)
    scratch = DATA / "scratch"

    def fresh():
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)

    if do_write:
        name = f"write {args.rows:,} rows"
        results.measure(name, "basin", lambda: basin.run(
            "table", "write", scratch / "t", "--from", source, "--mode", "error"), setup=fresh)
        # Basin reads the source file and writes the table; delta-rs does the same (its usual
        # path: pyarrow reads, delta-rs writes). The in-memory row shows delta-rs's write alone.
        results.measure(name, "delta-rs", lambda: write_deltalake(
            str(scratch / "t"), pq.read_table(source)), setup=fresh)
        results.measure(name, "delta-rs (rows already in memory)",
                        lambda: write_deltalake(str(scratch / "t"), data), setup=fresh)

    if do_scan:
        table = DATA / f"scan_{args.rows}"
        if not (table / "_delta_log").exists():
            write_deltalake(str(table), data)
        name = f"scan {args.rows:,} rows"
        def run_basin():
            report = json.loads(basin.run("table", "scan", table).stdout)
            assert report["rows"] == args.rows, report

        results.measure(name, "basin", run_basin)

        # The peers below run inside this Python process, so from their second repetition on
        # their memory pools are warm. `basin table scan --repeat R` does the same inside one
        # Basin process (the median of its R runs, snapshot load included, no process start).
        def warm_basin():
            report = json.loads(basin.run("table", "scan", table, "--repeat",
                                          str(max(results.reps, 2))).stdout)
            assert report["rows"] == args.rows, report
            return report["seconds"]

        try:
            results.rows.append((name, "basin (warm, one process)", warm_basin()))
        except Exception as e:  # noqa: BLE001
            results.failures.append(f"{name} / basin warm: {e}")

        def run_rs():
            assert DeltaTable(str(table)).to_pyarrow_table().num_rows == args.rows

        results.measure(name, "delta-rs", run_rs)
        files = DeltaTable(str(table)).file_uris()

        def run_duckdb():
            got = duckdb.sql(f"SELECT * FROM read_parquet({files!r})").fetch_arrow_table()
            assert got.num_rows == args.rows

        results.measure(name, "duckdb (parquet files)", run_duckdb)
        if spark is not None:
            results.measure(name, "delta-spark (count)",
                            lambda: spark.read.format("delta").load(str(table)).count())
    shutil.rmtree(scratch, ignore_errors=True)


def print_results(results: Results) -> None:
    basin_time = {name: t for name, system, t in results.rows if system == "basin"}
    warm_time = {name: t for name, system, t in results.rows
                 if system == "basin (warm, one process)"}
    header = (f"{'benchmark':<48} {'system':<26} {'median s':>10} {'basin/peer':>11}"
              f" {'warm/peer':>10}")
    print(header)
    print("-" * len(header))
    for name, system, t in results.rows:
        own = system.startswith("basin")
        ratio = "" if own or name not in basin_time else f"{basin_time[name] / t:.2f}"
        warm = "" if own or name not in warm_time else f"{warm_time[name] / t:.2f}"
        print(f"{name:<48} {system:<26} {t:>10.3f} {ratio:>11} {warm:>10}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--basin", default=os.environ.get("BASIN_BIN", REPO / "build" / "basin"))
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--adds-per-commit", type=int, default=100)
    parser.add_argument("--checkpoint-every", type=int, default=100)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--only", default="snapshot,write,scan")
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args(argv)

    basin = Basin(Path(args.basin))
    DATA.mkdir(parents=True, exist_ok=True)
    only = set(args.only.split(","))
    spark = None if args.no_spark or not (only & {"snapshot", "scan"}) else start_spark()
    results = Results(args.reps)
    for bench, fn in [("snapshot", lambda: bench_snapshot(basin, spark, args, results)),
                      ("write+scan", lambda: bench_write_and_scan(
                          basin, spark, args, results, "write" in only, "scan" in only))]:
        if not (set(bench.split("+")) & only):
            continue
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - one failing benchmark must not hide the others
            results.failures.append(f"{bench}: {e}")
    print_results(results)
    for failure in results.failures:
        print(f"FAILED {failure}", file=sys.stderr)
    if spark is not None:
        spark.stop()
    return 1 if results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
