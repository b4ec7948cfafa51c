"""Spark Connect: Basin's server against Spark's own Connect server, from the same pinned client.

    .venv/bin/python bench/connect_bench.py [--reps 50] [--warmup 20] [--rows 1000000]
                                            [--files 10] [--startup-reps 3] [--no-spark]
                                            [--skip-startup]

Both servers are driven by the very same pyspark Connect client of the venv:
  basin  `basin --warehouse W serve --port 0` (a private copy of build/basin, or BASIN_BIN)
  spark  Spark's Connect server in local[2] mode, started from the pinned pyspark in this
         process (`SparkSession._start_connect_server`) with the Delta jars of .cache/jars, the
         Delta SQL extension and catalog, spark.driver.memory 4g and 2 shuffle partitions.

Measured:
  start-up   server start to the first answered `spark.range(1).collect()`, in a fresh child
             process per run (the client modules are imported before the clock starts). Basin:
             spawn `basin serve`, wait for its ready line, connect, query. Spark: start the
             Connect server (a JVM with the Delta jars), connect, query.
  latency    small queries through one Connect session per server, --warmup runs, then --reps
             timed runs; median and p95 in milliseconds. One server at a time: Basin's first
             (this process has no JVM then), then Spark's (Basin's stopped):
               range10        spark.range(10).collect()
               point_lookup   spark.read.format("delta").load(T).filter("id = 12345").collect()
               schema_delta   spark.read.format("delta").load(T).schema   (a new DataFrame each
                              run, so the client's schema cache does not answer; AnalyzePlan)
               schema_range   spark.range(10).schema                      (AnalyzePlan)
             T is one Delta table of --rows rows (id, k = id % 1000, v double, name string) in
             --files files of one range of ids each (so a reader can skip files by their
             statistics), written once by Spark through its Connect session in a child process
             (by Basin with --no-spark) and read by both servers.
The table shows each side and the ratio Spark/Basin (above 1.0: Basin is faster). The results
also go to bench/data/results/connect_bench-<time>.json with the date, commit and machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "data" / "results"

sys.path.insert(0, str(REPO / "test" / "python" / "connect"))
from connect_support import BasinServer, delta_jars, free_port  # noqa: E402

QUERIES = ["range10", "point_lookup", "schema_delta", "schema_range"]
LOOKUP_ID = 12345


def spark_options(port: int, work: Path) -> dict:
    """The configuration of the reference Spark Connect server (as the Connect tests use it)."""
    jars = delta_jars()
    if not jars:
        raise SystemExit("Delta jars missing: run scripts/fetch_jars.sh (or pass --no-spark)")
    return {
        "spark.connect.grpc.binding.port": str(port),
        "spark.jars": ",".join(jars),
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.warehouse.dir": str(work / "spark-warehouse"),
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.memory": "4g",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.log.level": "ERROR",
        "spark.sql.shuffle.partitions": "2",
    }


def start_spark_server(work: Path) -> str:
    """Starts Spark's Connect server (local[2]) in this process's JVM; returns its URL."""
    from pyspark.sql.connect.session import SparkSession as RemoteSparkSession

    port = free_port()
    # A process with Connect sessions is in Connect mode (SPARK_CONNECT_MODE_ENABLED), where
    # creating the server's SparkContext is refused: leave that mode while starting it.
    mode = os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)
    try:
        RemoteSparkSession._start_connect_server("local[2]", spark_options(port, work))
    finally:
        if mode is not None:
            os.environ["SPARK_CONNECT_MODE_ENABLED"] = mode
    return f"sc://localhost:{port}"


def stop_spark_server() -> None:
    from pyspark.sql import SparkSession as ClassicSparkSession

    session = ClassicSparkSession._instantiatedSession
    if session is not None:
        mode = os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)
        try:
            session.stop()
        finally:
            if mode is not None:
                os.environ["SPARK_CONNECT_MODE_ENABLED"] = mode


def private_basin(binary: Path, tmp: Path) -> Path:
    """A copy of the binary and of basin-serve next to it (`basin serve` runs that), so that a
    rebuild during the run changes nothing."""
    server = binary.parent / "basin-serve"
    for _ in range(120):
        if binary.exists() and server.exists():
            break
        time.sleep(1)
    copy = tmp / "basin"
    shutil.copy2(binary, copy)
    shutil.copy2(server, tmp / "basin-serve")
    return copy


def connect(url: str):
    """A new Connect session on `url`; puts this process in Connect mode, so that
    pyspark.sql.functions build Connect expressions."""
    from pyspark.sql.connect.session import SparkSession as RemoteSparkSession

    os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"
    return RemoteSparkSession.builder.remote(url).create()


# ---------------------------------------------------------------------------------------------
# Start-up: one child process per measurement


def startup_child(system: str, binary: str) -> None:
    """Runs in a fresh process: server start -> first answered query; prints one JSON line."""
    import pyspark.sql.connect.session  # noqa: F401  (client imports before the clock starts)
    import pyspark.sql.session  # noqa: F401

    with tempfile.TemporaryDirectory(prefix="connect-bench-start-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        server = None
        if system == "basin":
            server = BasinServer(Path(binary), work / "warehouse")
            url = server.url
        else:
            url = start_spark_server(work)
        ready = time.perf_counter()
        session = connect(url)
        rows = session.range(1).collect()
        first = time.perf_counter()
        assert [tuple(r) for r in rows] == [(0,)], rows
        session.stop()
        if server is not None:
            server.stop()
        else:
            stop_spark_server()
    print(json.dumps({"ready_s": ready - started, "first_s": first - started}), flush=True)


def measure_startup(system: str, binary: Path, reps: int) -> dict:
    ready, first = [], []
    for _ in range(reps):
        proc = subprocess.run([sys.executable, __file__, "--startup-child", system,
                               "--basin", str(binary)], capture_output=True, text=True,
                              timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"{system} start-up run failed: {proc.stderr.strip()[-2000:]}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        ready.append(result["ready_s"])
        first.append(result["first_s"])
    return {"ready_s": ready, "first_s": first,
            "ready_median_s": statistics.median(ready), "first_median_s": statistics.median(first)}


# ---------------------------------------------------------------------------------------------
# Latency of small queries


def make_table(session, path: Path, rows: int, files: int) -> None:
    # range(start, end, step, numPartitions): each partition (file) holds one range of ids, so
    # the files' statistics let a reader skip all but one file for the point lookup.
    (session.range(0, rows, 1, files)
     .selectExpr("id", "id % 1000 AS k", "CAST(id AS DOUBLE) * 1.5 AS v",
                 "concat('name-', CAST(id AS STRING)) AS name")
     .write.format("delta").mode("overwrite").save(str(path)))


def query(name: str, session, table: Path):
    """Runs one small query; returns something to check."""
    if name == "range10":
        return [r[0] for r in session.range(10).collect()]
    if name == "point_lookup":
        found = session.read.format("delta").load(str(table)).filter(f"id = {LOOKUP_ID}").collect()
        return [tuple(r) for r in found]
    if name == "schema_delta":
        return session.read.format("delta").load(str(table)).schema.simpleString()
    if name == "schema_range":
        return session.range(10).schema.simpleString()
    raise ValueError(name)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def write_table_child(writer: str, binary: str, path: str, rows: int, files: int) -> None:
    """Runs in a fresh process: starts `writer`'s server, writes the table, stops it."""
    with tempfile.TemporaryDirectory(prefix="connect-bench-table-") as tmp:
        server = None
        if writer == "basin":
            server = BasinServer(Path(binary), Path(tmp) / "warehouse")
            url = server.url
        else:
            url = start_spark_server(Path(tmp))
        session = connect(url)
        make_table(session, Path(path), rows, files)
        session.stop()
        if server is not None:
            server.stop()
        else:
            stop_spark_server()


def measure_latency(session, table: Path, warmup: int, reps: int) -> tuple[dict, dict]:
    """Per query: the timings, and the answer (to compare between the servers)."""
    out, answers = {}, {}
    for name in QUERIES:
        for _ in range(warmup):
            answers[name] = query(name, session, table)
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            query(name, session, table)
            times.append((time.perf_counter() - started) * 1000)
        out[name] = {"median_ms": statistics.median(times), "p95_ms": percentile(times, 95),
                     "min_ms": min(times), "runs_ms": times}
        print(f"  {name}: {out[name]['median_ms']:.2f} ms", flush=True)
    return out, answers


# ---------------------------------------------------------------------------------------------
# Report


def ratio(spark: float | None, basin: float | None) -> str:
    return f"{spark / basin:.1f}x" if spark and basin else "-"


def print_report(latency: dict, startup: dict, reps: int) -> None:
    systems = [s for s in ("basin", "spark") if any(s in v for v in latency.values())]
    print()
    print(f"Small-query latency, {reps} runs each, milliseconds "
          "(spark/basin = Spark's median / Basin's; above 1.0 Basin is faster)")
    header = f"{'query':<14}" + "".join(f"{s + ' med':>12}{s + ' p95':>12}" for s in systems)
    if len(systems) == 2:
        header += f"{'spark/basin':>13}{'(p95)':>9}"
    print(header)
    print("-" * len(header))
    for name, by_system in latency.items():
        line = f"{name:<14}" + "".join(f"{by_system[s]['median_ms']:>12.2f}"
                                       f"{by_system[s]['p95_ms']:>12.2f}" for s in systems)
        if len(systems) == 2:
            line += f"{ratio(by_system['spark']['median_ms'], by_system['basin']['median_ms']):>13}"
            line += f"{ratio(by_system['spark']['p95_ms'], by_system['basin']['p95_ms']):>9}"
        print(line)
    if startup:
        print()
        print("Server start to first answered spark.range(1).collect(), seconds "
              "(median of the runs; ready = the server accepts connections)")
        for s, r in startup.items():
            runs = ", ".join(f"{x:.3f}" for x in r["first_s"])
            print(f"  {s:<6} ready {r['ready_median_s']:8.3f}   first answer "
                  f"{r['first_median_s']:8.3f}   (runs: {runs})")
        if len(startup) == 2:
            first = {s: r["first_median_s"] for s, r in startup.items()}
            print(f"  spark/basin (first answer): {ratio(first['spark'], first['basin'])}")


def machine() -> dict:
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                                  check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    return {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "commit": git("rev-parse", "--short", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
            "platform": platform.platform(), "python": platform.python_version(),
            "cpus": os.cpu_count(), "loadavg": os.getloadavg()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=50, help="timed runs per query and server")
    parser.add_argument("--warmup", type=int, default=20, help="untimed runs per query and server")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the Delta table")
    parser.add_argument("--files", type=int, default=10,
                        help="data files of the Delta table (a range of ids each)")
    parser.add_argument("--startup-reps", type=int, default=3, help="start-up runs per server")
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--no-spark", action="store_true", help="measure Basin only")
    parser.add_argument("--basin", default=os.environ.get("BASIN_BIN", REPO / "build" / "basin"))
    parser.add_argument("--out", help="JSON file (default bench/data/results/connect_bench-*.json)")
    parser.add_argument("--startup-child", choices=["basin", "spark"], help=argparse.SUPPRESS)
    parser.add_argument("--table-child", choices=["basin", "spark"], help=argparse.SUPPRESS)
    parser.add_argument("--table-path", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.startup_child:
        startup_child(args.startup_child, args.basin)
        return 0
    if args.table_child:
        write_table_child(args.table_child, args.basin, args.table_path, args.rows, args.files)
        return 0

    info = machine()
    systems = ["basin"] if args.no_spark else ["basin", "spark"]
    with tempfile.TemporaryDirectory(prefix="connect-bench-") as tmp:
        work = Path(tmp)
        binary = private_basin(Path(args.basin), work)
        startup = {}
        if not args.skip_startup:
            # First, while this process has no JVM of its own yet.
            for s in systems:
                print(f"start-up: {s} x{args.startup_reps} ...", flush=True)
                startup[s] = measure_startup(s, binary, args.startup_reps)

        table = work / "points"
        writer = "basin" if args.no_spark else "spark"
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, "--table-child", writer, "--basin",
                               str(binary), "--rows", str(args.rows), "--files", str(args.files),
                               "--table-path", str(table)],
                              capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            raise SystemExit(f"writing the table failed: {proc.stderr.strip()[-2000:]}")
        files = len(list(table.glob("*.parquet")))
        print(f"Delta table of {args.rows} rows in {files} files written by {writer} "
              f"in {time.perf_counter() - started:.1f} s", flush=True)

        # One server at a time, Basin first: this process has no JVM while Basin is measured,
        # and Basin's server is stopped before Spark's starts.
        latency, answers, code = {}, {}, 0
        print(f"latency: basin, --warmup {args.warmup}, --reps {args.reps} ...", flush=True)
        basin = BasinServer(binary, work / "basin-warehouse")
        session = connect(basin.url)
        by_query, answers["basin"] = measure_latency(session, table, args.warmup, args.reps)
        for name, numbers in by_query.items():
            latency.setdefault(name, {})["basin"] = numbers
        session.stop()
        code = basin.stop()
        if not args.no_spark:
            print(f"latency: spark, --warmup {args.warmup}, --reps {args.reps} ...", flush=True)
            session = connect(start_spark_server(work))
            by_query, answers["spark"] = measure_latency(session, table, args.warmup, args.reps)
            for name, numbers in by_query.items():
                latency.setdefault(name, {})["spark"] = numbers
            session.stop()
            stop_spark_server()
        problems = [f"{name}: answers differ: basin {answers['basin'][name]!r} "
                    f"spark {answers['spark'][name]!r}"
                    for name in QUERIES if len(answers) == 2
                    and answers["basin"][name] != answers["spark"][name]]

    print_report(latency, startup, args.reps)
    for line in problems:
        print(f"DIFFERS {line}")
    if code != 0:
        print(f"FAILED basin serve exited {code}")

    result = {**info, "benchmark": "connect_bench",
              "config": {"reps": args.reps, "warmup": args.warmup, "rows": args.rows,
                         "table_files": files, "table_writer": writer,
                         "startup_reps": args.startup_reps, "spark_master": "local[2]"},
              "latency": latency, "startup": startup, "problems": problems}
    out = Path(args.out) if args.out else RESULTS / (
        "connect_bench-" + dt.datetime.now().strftime("%Y%m%d-%H%M%S") + ".json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"results: {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
    return 1 if problems or code != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
