"""TPC-H: the 22 queries on Basin and its peers, side by side on the same data.

    .venv/bin/python bench/tpch_bench.py [--sf 1] [--reps 3] [--only q1,q5]
                                         [--systems basin,basin-cli,duckdb,datafusion,polars,spark]
                                         [--memory 4g] [--timeout 900] [--no-spark]

Data: tpchgen-cli writes Parquet into bench/data/tpch-sf<SF>/parquet and `basin table write`
turns each file into a Delta table in bench/data/tpch-sf<SF>/warehouse/main/default/<table>
(once; the same preparation as test/tpch/tpch_check.py, which checks the answers).

Systems (each runs the unchanged queries of test/tpch/queries):
  basin       one `basin --warehouse W sql --format csv --conf spark.driver.memory=M` process for
              the whole run, over the Delta tables, as every peer runs in one session: the
              queries go to its standard input, the time is until it reports the query done
              (results written to its standard output, which the bench reads and discards).
  basin-cli   a process per query, `basin --warehouse W sql -e SQL --format parquet -o F`: its
              times also include process start-up and a cold heap (shown for comparison).
  duckdb      in-process, views over read_parquet() of the Parquet files.
  datafusion  in-process, SessionContext.register_parquet() of the Parquet files.
  polars      in-process, polars.SQLContext over pl.scan_parquet() (lazy, then collect()); a
              query its SQL dialect rejects is reported as unsupported, not rewritten.
  spark       pyspark in local[2] mode (one session for the whole run), temp views over
              spark.read.parquet(); the result is collected to the driver.

Each query runs --reps times per system, query by query (all systems on q1, then on q2, ...);
the table shows the median wall time and Basin's time divided by each peer's (below 1.0: Basin
is faster), then the totals over the queries that every chosen system finished.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "test" / "tpch" / "queries"
SYSTEMS = ["basin", "basin-cli", "duckdb", "datafusion", "polars", "spark"]

sys.path.insert(0, str(REPO / "test" / "tpch"))
from tpch_check import TABLES, prepare  # noqa: E402  (the checker's data preparation)

sys.path.insert(0, str(REPO / "bench"))
from basin_session import BasinSession  # noqa: E402


class Unsupported(Exception):
    """The system's SQL dialect rejects the query (reported apart from real failures)."""


def first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    return lines[0] if lines else "(no message)"


# ---------------------------------------------------------------------------------------------
# Systems: each has run(sql) -> number of result rows, and close().


class BasinCli:
    def __init__(self, binary: Path, warehouse: Path, memory: str, timeout: float):
        self.warehouse, self.memory, self.timeout = warehouse, memory, timeout
        self.tmp = tempfile.TemporaryDirectory(prefix="tpch-bench-")
        # Run a private copy, so that a rebuild of the binary during the run changes nothing.
        for _ in range(60):
            if binary.exists():
                break
            time.sleep(1)
        self.binary = Path(self.tmp.name) / "basin"
        shutil.copy2(binary, self.binary)

    def command(self, sql: str, out: Path) -> list[str]:
        cmd = [str(self.binary), "--warehouse", str(self.warehouse), "sql", "-e", sql,
               "--format", "parquet", "-o", str(out)]
        if self.memory:
            cmd += ["--conf", f"spark.driver.memory={self.memory}"]
        return cmd

    def run(self, sql: str) -> int:
        import pyarrow.parquet as pq

        out = Path(self.tmp.name) / "out.parquet"
        out.unlink(missing_ok=True)
        try:
            proc = subprocess.run(self.command(sql, out), capture_output=True, text=True,
                                  timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"timed out after {self.timeout:.0f} s") from None
        if proc.returncode != 0:
            err = proc.stderr.strip()
            raise RuntimeError(err.splitlines()[-1] if err else f"exit {proc.returncode}")
        return pq.read_metadata(out).num_rows

    def close(self) -> None:
        self.tmp.cleanup()


class BasinSessionRunner:
    """`basin`: one `basin sql` session for the whole run (bench/basin_session.py)."""

    def __init__(self, binary: Path, warehouse: Path, memory: str, timeout: float):
        confs = {"spark.driver.memory": memory} if memory else {}
        self.session = BasinSession(binary, warehouse, confs, timeout)

    def run(self, sql: str) -> int:
        return self.session.run(sql)

    def close(self) -> None:
        self.session.close()


class DuckDB:
    def __init__(self, parquet: Path):
        import duckdb

        self.con = duckdb.connect()
        for table in TABLES:
            self.con.execute(f"CREATE VIEW {table} AS SELECT * FROM "
                             f"read_parquet('{parquet / (table + '.parquet')}')")

    def run(self, sql: str) -> int:
        return self.con.sql(sql).fetch_arrow_table().num_rows

    def close(self) -> None:
        self.con.close()


class DataFusion:
    def __init__(self, parquet: Path):
        from datafusion import SessionContext

        self.ctx = SessionContext()
        for table in TABLES:
            self.ctx.register_parquet(table, str(parquet / f"{table}.parquet"))

    def run(self, sql: str) -> int:
        try:
            frame = self.ctx.sql(sql)
        except Exception as e:  # noqa: BLE001
            # ctx.sql() parses and plans: a function or syntax it lacks is the dialect's.
            message = first_line(e)
            if "Error during planning" in message or "SQL error" in message:
                raise Unsupported(message) from None
            raise
        return frame.to_arrow_table().num_rows

    def close(self) -> None:
        pass


class Polars:
    def __init__(self, parquet: Path):
        import polars as pl

        self.ctx = pl.SQLContext({t: pl.scan_parquet(parquet / f"{t}.parquet") for t in TABLES})

    def run(self, sql: str) -> int:
        import polars.exceptions as pe

        dialect_errors = tuple(getattr(pe, name) for name in
                               ("SQLInterfaceError", "SQLSyntaxError") if hasattr(pe, name))
        try:
            lazy = self.ctx.execute(sql, eager=False)
        except Exception as e:  # noqa: BLE001 - planning errors are the SQL dialect's
            raise Unsupported(first_line(e)) from None
        try:
            return lazy.collect().height
        except dialect_errors as e:
            raise Unsupported(first_line(e)) from None

    def close(self) -> None:
        pass


class Spark:
    def __init__(self, parquet: Path, memory: str):
        from pyspark.sql import SparkSession

        builder = (SparkSession.builder.master("local[2]").appName("basin-tpch-bench")
                   # local[2]: one shuffle partition per core (AQE would coalesce to about that).
                   .config("spark.sql.shuffle.partitions", "2")
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false"))
        if memory:
            builder = builder.config("spark.driver.memory", memory)
        self.spark = builder.getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")
        for table in TABLES:
            self.spark.read.parquet(str(parquet / f"{table}.parquet")).createOrReplaceTempView(table)

    def run(self, sql: str) -> int:
        return len(self.spark.sql(sql).collect())

    def close(self) -> None:
        self.spark.stop()


def start(system: str, args, root: Path):
    parquet = root / "parquet"
    if system == "basin":
        return BasinSessionRunner(Path(args.basin), root / "warehouse", args.memory, args.timeout)
    if system == "basin-cli":
        return BasinCli(Path(args.basin), root / "warehouse", args.memory, args.timeout)
    if system == "duckdb":
        return DuckDB(parquet)
    if system == "datafusion":
        return DataFusion(parquet)
    if system == "polars":
        return Polars(parquet)
    if system == "spark":
        return Spark(parquet, args.memory)
    raise ValueError(f"unknown system {system!r}; choose from {','.join(SYSTEMS)}")


# ---------------------------------------------------------------------------------------------
# Measuring and reporting


def measure(runner, sql: str, reps: int, slow: float) -> tuple[float, int, int]:
    """Median seconds, result rows and the number of runs; after a first run slower than
    `slow` seconds the remaining repetitions are skipped."""
    times, rows = [], 0
    for _ in range(reps):
        started = time.perf_counter()
        rows = runner.run(sql)
        times.append(time.perf_counter() - started)
        if times[-1] > slow:
            break
    return statistics.median(times), rows, len(times)


def parse_only(text: str) -> list[int]:
    wanted = []
    for item in text.split(","):
        item = item.strip().lower().lstrip("q")
        if item:
            n = int(item)
            if not 1 <= n <= 22:
                raise SystemExit(f"--only: no TPC-H query {item!r}")
            wanted.append(n)
    return sorted(set(wanted)) or list(range(1, 23))


def print_table(queries, systems, times, runs) -> None:
    w = 13  # column width
    peers = [s for s in systems if s != "basin"] if "basin" in systems else []
    header = f"{'query':<7}" + "".join(f"{s:>{w}}" for s in systems)
    header += "".join(f"{'b/' + p:>{w}}" for p in peers)
    print(header)
    print("-" * len(header))
    single = max(runs.values(), default=1) > 1 and any(n == 1 for n in runs.values())

    def cell(q, s):
        if (q, s) not in times:
            return f"{'-':>{w}}"
        mark = "*" if single and runs[(q, s)] == 1 else " "
        return f"{times[(q, s)]:>{w - 1}.3f}{mark}"

    def ratio(b, p):
        return f"{b / p:>{w}.2f}" if b is not None and p else f"{'-':>{w}}"

    for q in queries:
        line = f"q{q:02d}".ljust(7) + "".join(cell(q, s) for s in systems)
        line += "".join(ratio(times.get((q, "basin")), times.get((q, p))) for p in peers)
        print(line)
    print("-" * len(header))
    common = [q for q in queries if all((q, s) in times for s in systems)]
    if not common:
        print("total: no query finished on every system")
        return
    totals = {s: sum(times[(q, s)] for q in common) for s in systems}
    line = "total".ljust(7) + "".join(f"{totals[s]:>{w - 1}.2f} " for s in systems)
    line += "".join(ratio(totals["basin"], totals[p]) for p in peers)
    print(line)
    if peers:
        line = "geomean".ljust(7 + w * len(systems))
        for p in peers:
            logs = [math.log(times[(q, "basin")] / times[(q, p)]) for q in common]
            line += f"{math.exp(statistics.fmean(logs)):>{w}.2f}"
        print(line)
    which = "" if len(common) == len(queries) else ": " + ",".join(f"q{q:02d}" for q in common)
    print(f"total (sum of medians) and geomean (of the ratios) over the {len(common)} queries "
          f"finished by every system{which}")
    if single:
        print("* one run only (its first run was slower than --slow)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sf", default="1", help="scale factor (default 1)")
    parser.add_argument("--reps", type=int, default=3, help="runs per query and system")
    parser.add_argument("--only", default="", help="queries, e.g. q1,q5 (default: all 22)")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--no-spark", action="store_true", help="leave Spark out of --systems")
    parser.add_argument("--basin", default=os.environ.get("BASIN_BIN", REPO / "build" / "basin"))
    parser.add_argument("--memory", default="4g",
                        help="spark.driver.memory for Basin (--conf) and Spark; '' for none")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per Basin run")
    parser.add_argument("--slow", type=float, default=300,
                        help="skip the other repetitions after a first run slower than this")
    args = parser.parse_args(argv)

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if args.no_spark:
        systems = [s for s in systems if s != "spark"]
    for s in systems:
        if s not in SYSTEMS:
            parser.error(f"--systems: unknown system {s!r}; choose from {','.join(SYSTEMS)}")
    queries = parse_only(args.only)
    print(f"preparing TPC-H sf{args.sf} ...", flush=True)
    root = prepare(args.sf, Path(args.basin))

    runners, failures, unsupported = {}, [], []
    for s in systems:
        try:
            runners[s] = start(s, args, root)
        except Exception as e:  # noqa: BLE001 - one system that cannot start does not stop the rest
            failures.append(f"{s}: cannot start: {first_line(e)}")
    times, runs, rows = {}, {}, {}
    for q in queries:
        sql = (QUERIES / f"q{q:02d}.sql").read_text()
        for s, runner in runners.items():
            try:
                times[(q, s)], rows[(q, s)], runs[(q, s)] = measure(runner, sql, args.reps,
                                                                    args.slow)
            except Unsupported as e:
                unsupported.append(f"q{q:02d} / {s}: {e}")
            except Exception as e:  # noqa: BLE001 - recorded per query and system
                failures.append(f"q{q:02d} / {s}: {type(e).__name__}: {first_line(e)}")
        done = " ".join(f"{s}={times[(q, s)]:.3f}" for s in runners if (q, s) in times)
        print(f"  q{q:02d}: {done}", flush=True)

    print()
    print(f"TPC-H sf{args.sf}, median of {args.reps} runs, seconds "
          f"(b/peer = Basin's time / the peer's; below 1.0 Basin is faster)")
    print_table(queries, systems, times, runs)
    for q in queries:
        counts = {s: rows[(q, s)] for s in systems if (q, s) in rows}
        if len(set(counts.values())) > 1:
            print(f"NOTE q{q:02d}: result rows differ: "
                  + ", ".join(f"{s}={n}" for s, n in counts.items()))
    for line in unsupported:
        print(f"UNSUPPORTED {line}")
    for line in failures:
        print(f"FAILED {line}")
    for runner in runners.values():
        runner.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
