"""DML benchmarks: Basin's SQL MERGE and DELETE against delta-rs and delta-spark.

    .venv/bin/python bench/dml_bench.py [--rows N] [--files F] [--reps R]
                                        [--only merge,delete] [--no-spark] [--systems ...]

The target is a Delta table of N rows (default 10 million) in F files (default 100, written by
delta-rs, one commit per file, then a checkpoint), with `id` = 0..N-1 in order, so each file
holds one contiguous range of ids (keys clustered by file). Columns: id bigint, category string,
value double, qty int, ts timestamp, flag boolean.

1. merge: upsert N/10 source rows, half updates and half inserts. The updates are every other id
   of every tenth file (so about 10% of the files are touched); the inserts are new ids N, N+1,
   ... The source is a Parquet file.
       basin        MERGE INTO target t USING parquet.`src` s ON t.id = s.id
                    WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *
                    on a managed table of the warehouse (WAREHOUSE/main/default/<table>), sent
                    to one long-lived `basin sql` session (bench/basin_session.py)
       basin-cli    the same statement through `basin sql -e`, a process per statement
       delta-rs     DeltaTable.merge(source, "t.id = s.id").when_matched_update_all()
                    .when_not_matched_insert_all().execute(), the source read by pyarrow
       delta-spark  spark.sql of the same MERGE on delta.`path`
2. delete: DELETE the rows with id % (10 * N/F) < N/F/10: 10% of every tenth file, 1% of the
   rows (clustered: only about 10% of the files are touched).
       basin        DELETE FROM target WHERE ... (session; basin-cli: `basin sql -e`)
       delta-rs     DeltaTable.delete(predicate)
       delta-spark  spark.sql of the same DELETE on delta.`path`

Each repetition starts from a fresh copy of the same target table (the copy is not timed) at a
new path, and the result is checked afterwards (not timed): its row count, and that its
rows (count, sum of id, sum of qty) are those the first system left. The table shows the median
wall time of R repetitions and Basin's time divided by the peer's (below 1.0: Basin is faster).
`basin` runs every statement in one `basin sql` session, as the peers run inside this Python
process (Spark: one session, `local[2]`); `basin-cli` starts a process per statement, so its
times also include process start-up. Every system opens the table's snapshot in each timed run.
"""

from __future__ import annotations

import argparse
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

sys.path.insert(0, str(REPO / "bench"))
from basin_session import BasinSession  # noqa: E402


class Results:
    """Collects (benchmark, system, median seconds); a failing measurement is recorded, not
    raised, so that one broken system does not hide the others."""

    def __init__(self, reps: int):
        self.reps = reps
        self.rows: list[tuple[str, str, float]] = []
        self.failures: list[str] = []

    def measure(self, name: str, system: str, fn, setup, verify) -> None:
        """Times fn() R times, each after setup() (untimed) and followed by verify() (untimed)."""
        times = []
        try:
            for _ in range(self.reps):
                setup()
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
                verify()
            median = statistics.median(times)
            self.rows.append((name, system, median))
            print(f"  {name} / {system}: {median:.3f} s (runs: "
                  f"{', '.join(f'{t:.2f}' for t in times)})", flush=True)
        except Exception as e:  # noqa: BLE001
            message = str(e).strip().splitlines()
            self.failures.append(f"{name} / {system}: {message[0] if message else e!r}"
                                 + (f" ... {message[-1]}" if len(message) > 1 else ""))
            print(f"  {name} / {system}: FAILED", flush=True)


class BasinCli:
    """`basin-cli`: a `basin sql -e` process per statement."""

    def __init__(self, binary: Path, warehouse: Path):
        self.binary = binary
        self.warehouse = warehouse

    def sql(self, statement: str) -> None:
        proc = subprocess.run([str(self.binary), "--warehouse", str(self.warehouse), "sql", "-e",
                               statement], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"basin sql failed ({proc.returncode}): {proc.stderr.strip()}")


class Basin:
    """`basin`: one `basin sql` session for the whole run (bench/basin_session.py), as the
    peers run in this process."""

    def __init__(self, binary: Path, warehouse: Path):
        self.binary, self.warehouse, self.session = binary, warehouse, None

    def start(self) -> None:
        """Starts the session (untimed)."""
        self.session = BasinSession(self.binary, self.warehouse)
        self.session.run("SELECT 1")

    def sql(self, statement: str) -> None:
        self.session.run(statement)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


# ---------------------------------------------------------------------------------------------
# Data


def target_rows(start: int, stop: int):
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(start)
    n = stop - start
    categories = pa.array([f"category-{i}" for i in range(50)])
    return pa.table({
        "id": pa.array(np.arange(start, stop, dtype=np.int64)),
        "category": categories.take(pa.array(rng.integers(0, 50, n))),
        "value": pa.array(rng.normal(size=n)),
        "qty": pa.array(rng.integers(0, 1000, n, dtype=np.int32)),
        "ts": pa.array(np.int64(1_700_000_000_000_000) + np.arange(start, stop, dtype=np.int64)
                       * 1000, pa.timestamp("us", tz="UTC")),
        "flag": pa.array(rng.integers(0, 2, n).astype(bool)),
    })


def make_target(path: Path, rows: int, files: int) -> None:
    """One delta-rs append per file (ids in order), then a checkpoint."""
    from deltalake import DeltaTable, write_deltalake

    per_file = rows // files
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for f in range(files):
        stop = rows if f == files - 1 else (f + 1) * per_file
        write_deltalake(str(tmp), target_rows(f * per_file, stop),
                        mode="error" if f == 0 else "append")
    DeltaTable(str(tmp)).create_checkpoint()
    tmp.rename(path)


def make_merge_source(path: Path, rows: int, files: int) -> int:
    """Writes the MERGE source (updates of every other id in every tenth file, then as many new
    ids); returns its number of rows."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    per_file = rows // files
    ids = np.arange(rows, dtype=np.int64)
    updates = ids[(ids % (10 * per_file) < per_file) & (ids % 2 == 0)]
    inserts = np.arange(rows, rows + len(updates), dtype=np.int64)
    keys = np.concatenate([updates, inserts])
    rng = np.random.default_rng(7)
    n = len(keys)
    source = pa.table({
        "id": pa.array(keys),
        "category": pa.array([f"merged-{i % 13}" for i in range(n)]),
        "value": pa.array(rng.normal(size=n)),
        "qty": pa.array(rng.integers(0, 1000, n, dtype=np.int32)),
        "ts": pa.array(np.int64(1_800_000_000_000_000) + keys, pa.timestamp("us", tz="UTC")),
        "flag": pa.array(np.ones(n, dtype=bool)),
    })
    pq.write_table(source, path)
    return n


def delete_predicate(rows: int, files: int) -> tuple[str, int]:
    """The clustered 1% predicate and the number of rows it matches."""
    per_file = rows // files
    block, width = 10 * per_file, max(per_file // 10, 1)
    matched = sum(1 for start in range(0, rows, block) for i in range(start, min(start + width, rows)))
    return f"id % {block} < {width}", matched


def fingerprint(path: Path) -> tuple[int, int, int]:
    """(rows, sum of id, sum of qty) of the table, read by delta-rs: equal results of the
    systems have equal fingerprints."""
    import pyarrow.compute as pc
    from deltalake import DeltaTable

    table = DeltaTable(str(path)).to_pyarrow_dataset().to_table(columns=["id", "qty"])
    return (table.num_rows, pc.sum(table["id"]).as_py() or 0, pc.sum(table["qty"]).as_py() or 0)


# ---------------------------------------------------------------------------------------------


def start_spark():
    import glob

    from pyspark.sql import SparkSession

    jars = sorted(glob.glob(str(REPO / ".cache" / "jars" / "*.jar")))
    if not jars:
        return None
    session = (SparkSession.builder.master("local[2]").appName("basin-dml-bench")
               .config("spark.jars", ",".join(jars))
               .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
               .config("spark.sql.catalog.spark_catalog",
                       "org.apache.spark.sql.delta.catalog.DeltaCatalog")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.databricks.delta.snapshotPartitions", "2")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.memory", "6g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


class Copies:
    """A fresh copy of the base table at a new path for every repetition."""

    def __init__(self, base: Path, scratch: Path):
        self.base, self.scratch, self.path = base, scratch, None

    def fresh(self, folder: Path | None = None) -> Path:
        self.drop()
        folder = folder or self.scratch
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"target_{uuid.uuid4().hex[:12]}"
        shutil.copytree(self.base, self.path)
        return self.path

    def drop(self) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None


def run(args, results: Results) -> None:
    import pyarrow.parquet as pq
    from deltalake import DeltaTable

    systems = set(args.systems.split(","))
    if args.no_spark:
        systems.discard("delta-spark")
    only = set(args.only.split(","))
    tag = f"{args.rows}_{args.files}"
    base = DATA / f"dml_target_{tag}"
    if not (base / "_delta_log").exists():
        print(f"generating {base.name} ...", flush=True)
        make_target(base, args.rows, args.files)
    source = DATA / f"dml_merge_source_{tag}.parquet"
    if not source.exists():
        make_merge_source(source, args.rows, args.files)
    source_rows = pq.read_metadata(source).num_rows
    scratch = DATA / "dml_scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    warehouse = scratch / "warehouse"
    managed = warehouse / "main" / "default"
    basins = {"basin": Basin(Path(args.basin), warehouse),
              "basin-cli": BasinCli(Path(args.basin), warehouse)}
    if "basin" in systems:
        basins["basin"].start()
    spark = start_spark() if "delta-spark" in systems else None
    if "delta-spark" in systems and spark is None:
        results.failures.append("delta-spark: no jars in .cache/jars (scripts/fetch_jars.sh)")
    copies = Copies(base, scratch)

    merge_sql = ("MERGE INTO {target} AS t USING parquet.`{source}` AS s ON t.id = s.id "
                 "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *")
    predicate, deleted = delete_predicate(args.rows, args.files)

    def expect_rows(n):
        """Checks the row count, and that every system leaves the same rows (fingerprint)."""
        first = []

        def verify():
            got = fingerprint(copies.path)
            assert got[0] == n, f"{got[0]} rows after the change, expected {n}"
            if not first:
                first.append(got)
            assert got == first[0], f"result differs from the first system's: {got} != {first[0]}"
        return verify

    if "merge" in only:
        name = f"merge {source_rows:,} rows into {args.rows:,}"
        verify = expect_rows(args.rows + source_rows // 2)
        print(name, flush=True)
        for system, basin in basins.items():
            if system in systems:
                results.measure(name, system, lambda basin=basin: basin.sql(merge_sql.format(
                    target=copies.path.name, source=source)), lambda: copies.fresh(managed),
                    verify)
        if "delta-rs" in systems:
            def rs_merge():
                (DeltaTable(str(copies.path))
                 .merge(pq.read_table(source), "t.id = s.id", source_alias="s", target_alias="t")
                 .when_matched_update_all().when_not_matched_insert_all().execute())
            results.measure(name, "delta-rs", rs_merge, copies.fresh, verify)
        if spark is not None:
            results.measure(name, "delta-spark", lambda: spark.sql(merge_sql.format(
                target=f"delta.`{copies.path}`", source=source)).collect(), copies.fresh, verify)

    if "delete" in only:
        name = f"delete {deleted:,} of {args.rows:,} rows"
        verify = expect_rows(args.rows - deleted)
        print(name, flush=True)
        for system, basin in basins.items():
            if system in systems:
                results.measure(name, system, lambda basin=basin: basin.sql(
                    f"DELETE FROM {copies.path.name} WHERE {predicate}"),
                    lambda: copies.fresh(managed), verify)
        if "delta-rs" in systems:
            results.measure(name, "delta-rs", lambda: DeltaTable(str(copies.path)).delete(predicate),
                            copies.fresh, verify)
        if spark is not None:
            results.measure(name, "delta-spark", lambda: spark.sql(
                f"DELETE FROM delta.`{copies.path}` WHERE {predicate}").collect(),
                copies.fresh, verify)

    basins["basin"].close()
    copies.drop()
    shutil.rmtree(scratch, ignore_errors=True)
    if spark is not None:
        spark.stop()


def print_results(results: Results) -> None:
    basin_time = {name: t for name, system, t in results.rows if system == "basin"}
    header = f"{'benchmark':<44} {'system':<14} {'median s':>10} {'basin/peer':>11}"
    print(header)
    print("-" * len(header))
    for name, system, t in results.rows:
        ratio = "" if system == "basin" or name not in basin_time else f"{basin_time[name] / t:.2f}"
        print(f"{name:<44} {system:<14} {t:>10.3f} {ratio:>11}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--basin", default=os.environ.get("BASIN_BIN", REPO / "build" / "basin"))
    parser.add_argument("--rows", type=int, default=10_000_000,
                        help="rows of the target table (e.g. 100000 for a smoke test)")
    parser.add_argument("--files", type=int, default=100, help="data files of the target table")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--only", default="merge,delete")
    parser.add_argument("--systems", default="basin,basin-cli,delta-rs,delta-spark")
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args(argv)
    if args.files < 10 or args.rows < args.files * 20:
        parser.error("need --files >= 10 and at least 20 rows per file")

    DATA.mkdir(parents=True, exist_ok=True)
    results = Results(args.reps)
    try:
        run(args, results)
    except Exception as e:  # noqa: BLE001
        results.failures.append(f"setup: {e}")
    print_results(results)
    for failure in results.failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
