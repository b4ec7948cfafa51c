"""TPC-H correctness: runs the 22 queries on Basin over Delta tables and on DuckDB over the same
Parquet files, and compares the results row by row (numbers to a relative 1e-9).

    .venv/bin/python test/tpch/tpch_check.py [--sf 0.1] [--basin build/basin] [--only 1,3]

Data: tpchgen-cli writes Parquet into bench/data/tpch-sf<SF>/parquet (once); `basin table write`
turns each file into a Delta table in bench/data/tpch-sf<SF>/warehouse/main/default/<table>.
Prints one line per query and a summary line; exits non-zero when any query differs or fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QUERIES = Path(__file__).resolve().parent / "queries"
TABLES = ["nation", "region", "part", "supplier", "partsupp", "customer", "orders", "lineitem"]


def prepare(sf: str, basin: Path) -> Path:
    root = REPO / "bench" / "data" / f"tpch-sf{sf}"
    parquet = root / "parquet"
    if not (parquet / "lineitem.parquet").exists():
        parquet.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(REPO / ".venv" / "bin" / "tpchgen-cli"), "parquet", "-s", sf,
                        f"--output-dir={parquet}"], check=True, capture_output=True)
    warehouse = root / "warehouse"
    for table in TABLES:
        target = warehouse / "main" / "default" / table
        if not (target / "_delta_log").exists():
            subprocess.run([str(basin), "table", "write", str(target), "--from",
                            str(parquet / f"{table}.parquet"), "--mode", "error"],
                           check=True, capture_output=True)
    return root


def normalize(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10] if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else value.isoformat()
    return value


def same(a, b) -> bool:
    # Spark gives avg(decimal) as a decimal with 4 more digits of scale, DuckDB as a double: the
    # double is rounded (half up) to the decimal's scale before comparing.
    for x, y in ((a, b), (b, a)):
        if isinstance(x, decimal.Decimal) and isinstance(y, float):
            exponent = x.as_tuple().exponent
            rounded = decimal.Decimal(repr(y)).quantize(decimal.Decimal(1).scaleb(exponent),
                                                         rounding=decimal.ROUND_HALF_UP)
            return rounded == x
    a, b = normalize(a), normalize(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, float) or isinstance(b, float):
            return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
        return a == b
    return a == b


def run_basin(basin: Path, warehouse: Path, sql: str):
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.parquet"
        proc = subprocess.run([str(basin), "--warehouse", str(warehouse), "sql", "-e", sql,
                               "--format", "parquet", "-o", str(out)],
                              capture_output=True, text=True, timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip()
                               else f"exit {proc.returncode}")
        return pq.read_table(out).to_pylist()


def run_duckdb(parquet: Path, sql: str):
    import duckdb

    con = duckdb.connect()
    for table in TABLES:
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{parquet / (table + '.parquet')}')")
    return con.sql(sql).fetch_arrow_table().to_pylist()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sf", default="0.1")
    parser.add_argument("--basin", default=str(REPO / "build" / "basin"))
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    basin = Path(args.basin)
    root = prepare(args.sf, basin)
    wanted = {int(x) for x in args.only.split(",") if x}
    passed, failed = 0, []
    for n in range(1, 23):
        if wanted and n not in wanted:
            continue
        sql = (QUERIES / f"q{n:02d}.sql").read_text()
        started = time.perf_counter()
        try:
            ours = run_basin(basin, root / "warehouse", sql)
        except Exception as e:  # noqa: BLE001 - reported per query
            print(f"q{n:02d}: FAILED on Basin: {e}")
            failed.append(n)
            continue
        took = time.perf_counter() - started
        theirs = run_duckdb(root / "parquet", sql)
        problem = None
        if len(ours) != len(theirs):
            problem = f"{len(ours)} rows, DuckDB has {len(theirs)}"
        else:
            for i, (a, b) in enumerate(zip(ours, theirs)):
                av, bv = list(a.values()), list(b.values())
                if len(av) != len(bv) or not all(same(x, y) for x, y in zip(av, bv)):
                    problem = f"row {i} differs: basin {av} duckdb {bv}"
                    break
        if problem:
            print(f"q{n:02d}: DIFFERS: {problem}")
            failed.append(n)
        else:
            print(f"q{n:02d}: ok ({len(ours)} rows, {took:.2f} s)")
            passed += 1
    print(f"tpch sf{args.sf}: {passed} passed, {len(failed)} failed" +
          (f" ({', '.join(f'q{n:02d}' for n in failed)})" if failed else ""))
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
