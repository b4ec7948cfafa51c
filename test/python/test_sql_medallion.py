"""The medallion example of the Databricks guide, end to end in SQL, in Basin and in Spark.

`medallion/medallion.sql` takes raw JSON order files to a bronze table (as-is, with
`_metadata.file_path`), a silver table (deduplicated, cast to decimal(12,2) and timestamp, e-mail
masked with a look-around regular expression) and a gold table (the guide's monthly revenue, a
`CREATE OR REPLACE TABLE ... AS SELECT ... GROUP BY 1, 2`), then upserts with MERGE, time-travels
to the version before the upsert (`VERSION AS OF`), reads `DESCRIBE HISTORY`, rolls back with
`RESTORE TABLE ... TO VERSION AS OF` and runs `VACUUM`.

The same script runs in Spark + delta-spark (one `spark.sql` per statement) and in Basin
(`basin sql -f`), on the same raw files. What the tests show:

* every statement marked `-- @check` returns the same rows in Basin as in Spark
  (`test_step_matches_spark`; Basin runs the script in pieces, one `basin sql -f` per checked
  statement, over one warehouse, so that each checked statement's rows can be written with `-o`);
* the queries inside the script's CTAS and MERGE, and small probes of single features of the raw
  JSON reading (inference, folders, `_metadata`, casts, the masking regex), run as plain queries
  give Basin Spark's rows (`test_source_query_matches_spark`, `test_json_probe_matches_spark`:
  they need no DDL, and show the cause when the pipeline fails);
* the whole script also runs in a single `basin sql -f` process and its last query matches Spark
  (`test_whole_script_in_one_basin_process`);
* delta-rs and delta-spark read Basin's managed bronze, silver and gold tables
  (WAREHOUSE/main/medallion/<table>) and get exactly the rows of Spark's tables
  (`test_peers_read_basin_tables`);
* after VACUUM with zero retention, only the files of the current version are left on disk
  (`test_vacuum_keeps_only_live_files`).
"""

from __future__ import annotations

import json
import re
import string
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import COMMAND_TIMEOUT_S, assert_same_table, read_delta_rs, read_spark

pytestmark = pytest.mark.spark

SCRIPT = Path(__file__).resolve().parent / "medallion" / "medallion.sql"
SCHEMA = "medallion"
TABLES = ["bronze_orders", "silver_orders", "gold_monthly_revenue"]


# ---------------------------------------------------------------------------------------------
# The script


@dataclass
class Statement:
    index: int
    sql: str
    check: str | None  # rows | history | columns | count, or None (not compared)

    @property
    def label(self) -> str:
        words = re.sub(r"\s+", " ", self.sql).strip()
        return f"{self.index:02d} {words[:60]}"

    @property
    def is_session(self) -> bool:
        """SET and USE change the session only; every later Basin process must repeat them."""
        return re.match(r"(?i)\s*(SET|USE)\b", self.sql) is not None


def parse_script(text: str) -> list[Statement]:
    """Splits the script into statements (each ends with ';' at the end of a line); a comment
    line `-- @check MODE` marks the statement after it. Comment lines are dropped."""
    statements, lines, check = [], [], None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("--"):
            marker = re.match(r"--\s*@check\s+(\w+)", stripped)
            if marker:
                check = marker.group(1)
            continue
        if not stripped and not lines:
            continue
        lines.append(line)
        if stripped.endswith(";"):
            sql = "\n".join(lines).strip()[:-1].strip()
            statements.append(Statement(len(statements), sql, check))
            lines, check = [], None
    assert not "".join(lines).strip(), f"unterminated statement at the end: {lines}"
    return statements


STATEMENTS = parse_script(SCRIPT.read_text())
CHECKED = [s for s in STATEMENTS if s.check]


# ---------------------------------------------------------------------------------------------
# Raw input

STATUSES = ["completed", "pending", "cancelled", "completed", "completed"]
CITIES = ["Berlin", "Paris", "Lisboa", None, "São Paulo"]


def order(i: int, **changes) -> dict:
    record = {
        "order_id": i,
        "customer_id": 100 + i % 7,
        "email": f"customer.{i}@example.com",
        "total": round(10 + i * 3.37, 2),
        "created_at": f"2026-{1 + i % 3:02d}-{1 + i % 27:02d}T{i % 24:02d}:15:00Z",
        "status": STATUSES[i % len(STATUSES)],
        "address": {"city": CITIES[i % len(CITIES)], "zip": f"{10000 + i}"},
    }
    record.update(changes)
    return record


def write_json_lines(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def write_raw_files(root: Path) -> tuple[Path, Path]:
    """Writes the raw order files (three, as delivered over time) and the upsert batch.

    Edge cases on purpose: an order delivered twice with a changed status (the later file wins),
    records without an order_id, amounts with three decimals (Spark's cast of a double to
    decimal(12,2) rounds half up on the shortest decimal string: 10.005 -> 10.01), time strings
    in several forms (with an offset that moves the order into the previous month in UTC, with a
    space, with microseconds, a bare date), short and missing e-mail addresses, a missing
    address, a null city, non-ASCII text, and a field (`coupon`) that only the last file has.
    """
    raw = root / "raw" / "orders"
    write_json_lines(raw / "orders_001.json", [order(i) for i in range(1, 13)] + [
        order(13, total=10.005, email="ab@example.com"),
        order(14, total=19.995, email="a@example.com", created_at="2026-01-31 23:59:59"),
    ])
    write_json_lines(raw / "orders_002.json", [order(i) for i in range(15, 25)] + [
        order(5, status="completed"),  # re-delivered: was cancelled in orders_001
        order(2, total=99.99),  # re-delivered with another amount
        {**order(900), "order_id": None},
        order(25, total=0.125, created_at="2026-03-01T00:30:00+01:00", email=None),
        order(26, created_at="2026-02-10T08:00:00.123456Z", email="first.last+tag@sub.example.org"),
    ])
    write_json_lines(raw / "orders_003.json", [
        {**order(i), "coupon": f"SPRING{i}" if i % 2 else None} for i in range(27, 33)] + [
        order(33, created_at="2026-02-15", address=None),
        {**order(34, email="zoë.ümlaut@example.de"), "coupon": "WELCOME"},
        {"order_id": None, "status": "completed", "total": 1.0},
    ])
    updates = root / "raw" / "updates"
    write_json_lines(updates / "changes_001.json", [
        order(2, status="completed", total=101.5),   # pending -> completed
        order(7, status="cancelled"),                 # completed -> cancelled
        order(16, status="completed", total=16.665),  # pending -> completed
        order(40, created_at="2026-03-20T12:00:00Z"),
        order(41, created_at="2026-02-28T23:00:00-02:00", total=41.415),
        order(42, email="xy@example.com"),
    ])
    return raw, updates


# ---------------------------------------------------------------------------------------------
# Running the script on both sides


@dataclass
class BasinStep:
    table: pa.Table | None
    error: str | None


@dataclass
class Runs:
    spark_results: dict[int, pa.Table]
    spark_locations: dict[str, Path]
    basin_steps: dict[int, BasinStep]
    basin_whole: subprocess.CompletedProcess
    basin_whole_last: pa.Table | None
    basin_warehouse: Path  # the warehouse of the single-process run

    def basin_table_path(self, table: str) -> Path:
        return self.basin_warehouse / "main" / SCHEMA / table


def run_basin(binary: Path, warehouse: Path, script: Path, out: Path):
    cmd = [str(binary), "--warehouse", str(warehouse), "sql", "-f", str(script),
           "--format", "parquet", "-o", str(out)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S * 3)


def run_spark_script(spark, statements: list[Statement]) -> tuple[dict[int, pa.Table], dict]:
    results = {}
    for statement in statements:
        frame = spark.sql(statement.sql)  # commands run here, eagerly
        if statement.check:
            results[statement.index] = frame.toArrow()
    locations = {}
    for table in TABLES:
        location = spark.sql(f"DESCRIBE DETAIL {SCHEMA}.{table}").collect()[0]["location"]
        locations[table] = Path(re.sub(r"^file:(//)?", "", location))
    return results, locations


def run_basin_in_pieces(binary: Path, root: Path, statements: list[Statement]) -> dict:
    """Runs the script in Basin as consecutive `basin sql -f` pieces over one warehouse, each
    ending with a checked statement (whose rows go to a Parquet file); SET and USE are repeated
    at the start of every later piece, since a new process starts a new session."""
    warehouse = root / "warehouse"
    steps, session, pending = {}, [], []
    for statement in statements:
        pending.append(statement)
        if not statement.check:
            continue
        piece = [s.sql for s in session] + [s.sql for s in pending]
        script = root / f"piece_{statement.index:02d}.sql"
        script.write_text(";\n".join(piece) + ";\n")
        out = root / f"piece_{statement.index:02d}.parquet"
        proc = run_basin(binary, warehouse, script, out)
        if proc.returncode == 0 and out.exists():
            steps[statement.index] = BasinStep(pq.read_table(out), None)
        else:
            steps[statement.index] = BasinStep(
                None, f"exit {proc.returncode}\nstderr: {proc.stderr.strip()}")
        session += [s for s in pending if s.is_session]
        pending = []
    return steps


@pytest.fixture(scope="module")
def runs(spark, basin_bin, tmp_path_factory) -> Runs:
    root = tmp_path_factory.mktemp("medallion")
    raw, updates = write_raw_files(root)
    text = string.Template(SCRIPT.read_text()).substitute(raw_dir=raw, updates_dir=updates)
    statements = parse_script(text)
    script = root / "medallion.sql"
    script.write_text(text)

    # A session of its own: temporary views other tests left in the shared session (SHOW TABLES
    # lists them) and their settings stay out of this run.
    spark = spark.newSession()
    spark.sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    saved = {key: spark.conf.get(key, None) for key in
             ["spark.sql.sources.default", "spark.sql.session.timeZone",
              "spark.databricks.delta.retentionDurationCheck.enabled",
              "spark.sql.sources.parallelPartitionDiscovery.parallelism"]}
    # VACUUM lists files with this many tasks (10,000 by default): slow on a small machine.
    spark.conf.set("spark.sql.sources.parallelPartitionDiscovery.parallelism", "4")
    try:
        spark_results, locations = run_spark_script(spark, statements)
    finally:
        spark.sql("USE default")
        for key, value in saved.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)

    pieces = root / "basin-pieces"
    pieces.mkdir()
    basin_steps = run_basin_in_pieces(basin_bin, pieces, statements)

    whole = root / "basin-whole"
    whole.mkdir()
    last = whole / "last.parquet"
    proc = run_basin(basin_bin, whole / "warehouse", script, last)
    last_table = pq.read_table(last) if proc.returncode == 0 and last.exists() else None

    yield Runs(spark_results, locations, basin_steps, proc, last_table, whole / "warehouse")
    spark.sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


# ---------------------------------------------------------------------------------------------
# Comparing


def history_pairs(table: pa.Table) -> list[tuple[int, str]]:
    return sorted(zip(table.column("version").to_pylist(), table.column("operation").to_pylist()))


def compare(mode: str, basin_table: pa.Table, spark_table: pa.Table, what: str) -> None:
    assert basin_table.column_names == spark_table.column_names, \
        f"{what}: columns differ\nbasin: {basin_table.column_names}\n" \
        f"spark: {spark_table.column_names}"
    if mode == "rows":
        assert_same_table(basin_table, spark_table, what)
    elif mode == "history":
        assert history_pairs(basin_table) == history_pairs(spark_table), what
    elif mode == "count":
        assert basin_table.num_rows == spark_table.num_rows, what
    else:
        assert mode == "columns", f"unknown check mode {mode!r}"


# ---------------------------------------------------------------------------------------------
# Tests


def test_spark_side_is_sane(runs):
    """The checks compare against Spark, so Spark's answers must be the intended ones."""
    by_sql = {s.index: s for s in STATEMENTS}
    silver_first = next(i for i in runs.spark_results if "FROM silver_orders" in by_sql[i].sql)
    silver = {r["order_id"]: r for r in runs.spark_results[silver_first].to_pylist()}
    assert None not in silver and len(silver) == 34  # orders 1..34, deduplicated
    assert silver[5]["status"] == "completed" and str(silver[2]["total"]) == "99.99"
    assert str(silver[13]["total"]) == "10.01" and str(silver[14]["total"]) == "20.00"
    assert silver[13]["email"] == "ab@example.com" and silver[14]["email"] == "a@example.com"
    assert silver[1]["email"] == "cu********@example.com"
    assert silver[25]["created_at"].isoformat() == "2026-02-28T23:30:00+00:00"
    merge = next(i for i in runs.spark_results if by_sql[i].sql.startswith("MERGE"))
    assert runs.spark_results[merge].to_pylist() == [
        {"num_affected_rows": 6, "num_updated_rows": 3, "num_deleted_rows": 0,
         "num_inserted_rows": 3}]
    history = [i for i in runs.spark_results if by_sql[i].check == "history"]
    assert [op for _, op in history_pairs(runs.spark_results[history[1]])] == [
        "CREATE OR REPLACE TABLE AS SELECT", "MERGE", "RESTORE"]


JSON_PROBES = {
    # Spark infers the fields of all records, sorted by name; strings that look like times stay
    # strings (inferTimestamp is off by default); numbers with a fraction are doubles.
    "infer-one-file": "SELECT * FROM json.`{raw}/orders_001.json`",
    # A folder reads every file in it; a field of only some files is null elsewhere.
    "folder": "SELECT * FROM json.`{raw}`",
    # The hidden _metadata column of file sources: the file's URI (file:/...).
    "metadata-file-path": "SELECT _metadata.file_path AS f, _metadata.file_name AS n, count(*) AS c "
                          "FROM json.`{raw}/orders_002.json` GROUP BY 1, 2",
    "cast-time-strings": "SELECT order_id, created_at, CAST(created_at AS TIMESTAMP) AS ts "
                         "FROM json.`{raw}/orders_002.json`",
    "cast-iso-time-strings": "SELECT order_id, created_at, CAST(created_at AS TIMESTAMP) AS ts, "
                             "month(CAST(created_at AS TIMESTAMP)) AS m "
                             "FROM json.`{updates}/changes_001.json`",
    "cast-double-to-decimal": "SELECT order_id, total, CAST(total AS DECIMAL(12,2)) AS d "
                              "FROM json.`{raw}/orders_001.json`",
    "mask-email": "SELECT email, regexp_replace(email, '(?<=.{{2}}).(?=.*@)', '*') AS masked "
                  "FROM json.`{raw}/orders_003.json`",
}


@pytest.mark.parametrize("probe", list(JSON_PROBES))
def test_json_probe_matches_spark(spark, basin, tmp_path, probe):
    """Small queries over the raw files, one feature each, so that a failure of the pipeline
    points at its cause: schema inference, folders, `_metadata`, casts of the raw strings and
    doubles, the masking regex (Java regex semantics, by character). Basin's rows (and column
    names and types) equal Spark's."""
    raw, updates = write_raw_files(tmp_path / "input")
    query = JSON_PROBES[probe].format(raw=raw, updates=updates)
    expected = spark.sql(query).toArrow()
    script = tmp_path / "q.sql"
    script.write_text(f"SET spark.sql.session.timeZone = UTC;\n{query};\n")
    out = tmp_path / "q.parquet"
    basin.run("sql", "-f", script, "--format", "parquet", "-o", out)
    assert_same_table(pq.read_table(out), expected, probe)


def source_queries(statements: list[Statement]) -> dict[str, str]:
    """The queries inside the script's DDL and DML, runnable without any table: the SELECT of
    each CTAS (with the earlier CTAS it reads as CTEs) and the USING query of the MERGE."""
    bodies, queries = {}, {}
    for statement in statements:
        ctas = re.match(r"(?is)CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(\w+)\s+AS\s+(.*)",
                        statement.sql)
        using = re.search(r"(?is)\bUSING\s*\((.*)\)\s*AS\s+source\b", statement.sql)
        name, body = (ctas.group(1), ctas.group(2)) if ctas else ("merge_source", None)
        if using and not ctas:
            body = using.group(1)
        if body is None or name in queries:
            continue
        needed: list[str] = []

        def add(table: str) -> None:  # the earlier CTAS a query reads, dependencies first
            for other in uses(bodies[table]):
                add(other)
            if table not in needed:
                needed.append(table)

        def uses(sql: str) -> list[str]:
            return [n for n in bodies if re.search(rf"\b{n}\b", sql)]

        for table in uses(body):
            add(table)
        ctes = ",\n".join(f"{n} AS (\n{bodies[n]}\n)" for n in needed)
        queries[name] = (f"WITH {ctes}\n{body}" if ctes else body)
        bodies[name] = body
    return queries


SOURCE_QUERIES = ["bronze_orders", "silver_orders", "gold_monthly_revenue", "merge_source"]


@pytest.mark.parametrize("name", SOURCE_QUERIES)
def test_source_query_matches_spark(spark, basin, tmp_path, name):
    """The queries inside the pipeline's CTAS and MERGE (JSON with `_metadata.file_path`, the
    dedup window, the casts, the masking regex, the monthly aggregation), run as plain queries
    with no table: Basin's rows equal Spark's. (This needs no DDL from Basin.)"""
    raw, updates = write_raw_files(tmp_path / "input")
    text = string.Template(SCRIPT.read_text()).substitute(raw_dir=raw, updates_dir=updates)
    query = source_queries(parse_script(text))[name]
    expected = spark.sql(query).toArrow()
    script = tmp_path / "q.sql"
    script.write_text(f"SET spark.sql.session.timeZone = UTC;\n{query};\n")
    out = tmp_path / "q.parquet"
    basin.run("sql", "-f", script, "--format", "parquet", "-o", out)
    assert_same_table(pq.read_table(out), expected, name)


@pytest.mark.parametrize("index", [s.index for s in CHECKED], ids=[s.label for s in CHECKED])
def test_step_matches_spark(runs, index):
    """Each checked statement of the script gives Basin the same rows as Spark (in any order;
    decimals and timestamps compared as values, with Spark's types)."""
    statement = next(s for s in STATEMENTS if s.index == index)
    step = runs.basin_steps[index]
    assert step.error is None, f"Basin failed on the piece ending with\n{statement.sql}\n{step.error}"
    compare(statement.check, step.table, runs.spark_results[index], statement.label)


def test_whole_script_in_one_basin_process(runs):
    """`basin sql -f medallion.sql` runs every statement in one process; `-o` gets the rows of
    the last query, which are Spark's."""
    proc = runs.basin_whole
    assert proc.returncode == 0, f"basin sql -f exited {proc.returncode}\n{proc.stderr}"
    last = CHECKED[-1]
    compare(last.check, runs.basin_whole_last, runs.spark_results[last.index], "last query")


@pytest.mark.parametrize("peer", ["delta-rs", "spark"])
@pytest.mark.parametrize("table", TABLES)
def test_peers_read_basin_tables(runs, spark, peer, table):
    """delta-rs and delta-spark read Basin's managed table at WAREHOUSE/main/medallion/<table>
    and see exactly the rows and types of Spark's own table."""
    path = runs.basin_table_path(table)
    assert (path / "_delta_log").is_dir(), f"Basin's managed table {path} does not exist"
    expected = read_spark(spark, runs.spark_locations[table])
    got = read_delta_rs(path) if peer == "delta-rs" else read_spark(spark, path)
    assert_same_table(got, expected, f"{peer} reading Basin's {table}")


def live_files(path: Path) -> set[str]:
    from deltalake import DeltaTable

    return {str(Path(unquote(urlparse(uri).path)).relative_to(path))
            for uri in DeltaTable(str(path)).file_uris()}


def parquet_files_on_disk(path: Path) -> set[str]:
    return {str(p.relative_to(path)) for p in path.rglob("*.parquet")
            if "_delta_log" not in p.relative_to(path).parts}


@pytest.mark.parametrize("side", ["spark", "basin"])
def test_vacuum_keeps_only_live_files(runs, side):
    """After `VACUUM silver_orders RETAIN 0 HOURS` the table folder holds exactly the data files
    of the current (restored) version."""
    path = (runs.spark_locations["silver_orders"] if side == "spark"
            else runs.basin_table_path("silver_orders"))
    assert (path / "_delta_log").is_dir(), f"no table at {path}"
    assert parquet_files_on_disk(path) == live_files(path)
