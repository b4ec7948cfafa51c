"""Shared fixtures for the interoperability tests: the `basin` CLI, one local Spark session with
Delta, and helpers that compare Arrow tables row for row.

The Basin binary is <repo>/build/basin unless the environment variable BASIN_BIN names another.
The Delta jars for Spark come from <repo>/.cache/jars (scripts/fetch_jars.sh puts them there).
"""

from __future__ import annotations

import datetime as dt
import decimal
import glob
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
JAR_DIR = REPO / ".cache" / "jars"

# A command that takes longer than this is a hang, which is a bug in itself.
COMMAND_TIMEOUT_S = 120


class BasinError(AssertionError):
    """Raised when a `basin` command that should succeed fails."""


class Basin:
    """Runs the `basin` CLI and turns its outputs into Python values."""

    def __init__(self, binary: Path, scratch: Path):
        self.binary = binary
        self.scratch = scratch
        self.scratch.mkdir(parents=True, exist_ok=True)

    def run(self, *args: str, check: bool = True, timeout: float = COMMAND_TIMEOUT_S,
            env: dict | None = None) -> subprocess.CompletedProcess:
        """Runs `basin ARGS...`; with check, fails the test on a non-zero exit."""
        cmd = [str(self.binary), "--warehouse", str(self.scratch / "warehouse"), *map(str, args)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})})
        if check and proc.returncode != 0:
            raise BasinError(
                f"`{' '.join(cmd)}` exited {proc.returncode}\nstdout: {proc.stdout}\n"
                f"stderr: {proc.stderr}")
        return proc

    def _tmp(self, suffix: str) -> Path:
        return self.scratch / f"{uuid.uuid4().hex}{suffix}"

    def write(self, path, data: pa.Table, mode: str = "append", partition_by=(),
              merge_schema: bool = False, overwrite_schema: bool = False,
              replace_where: str | None = None, properties: dict | None = None,
              check: bool = True) -> subprocess.CompletedProcess:
        """Writes `data` (staged as a Parquet file) into the table at `path`."""
        src = self._tmp(".parquet")
        pq.write_table(data, src)
        args = ["table", "write", path, "--from", src, "--mode", mode]
        if partition_by:
            args += ["--partition-by", ",".join(partition_by)]
        if merge_schema:
            args.append("--merge-schema")
        if overwrite_schema:
            args.append("--overwrite-schema")
        if replace_where is not None:
            args += ["--replace-where", replace_where]
        for key, value in (properties or {}).items():
            args += ["--property", f"{key}={value}"]
        try:
            return self.run(*args, check=check)
        finally:
            src.unlink(missing_ok=True)

    def read(self, path, version: int | None = None, timestamp: str | None = None,
             columns=None) -> pa.Table:
        """Reads the table (or a version of it) through `basin table read --format parquet`."""
        out = self._tmp(".parquet")
        args = ["table", "read", path, "--format", "parquet", "-o", out]
        if version is not None:
            args += ["--version", version]
        if timestamp is not None:
            args += ["--timestamp", timestamp]
        if columns:
            args += ["--columns", ",".join(columns)]
        self.run(*args)
        try:
            return pq.read_table(out)
        finally:
            out.unlink(missing_ok=True)

    def history(self, path, limit: int | None = None) -> list[dict]:
        args = ["table", "history", path, "--format", "jsonl"]
        if limit is not None:
            args += ["--limit", limit]
        out = self.run(*args).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def detail(self, path) -> dict:
        return json.loads(self.run("table", "detail", path).stdout)

    def restore(self, path, version: int) -> subprocess.CompletedProcess:
        return self.run("table", "restore", path, "--version", version)

    def delete(self, path, where: str) -> dict:
        """Deletes the rows matching `where`; returns Basin's JSON report."""
        return json.loads(self.run("table", "delete", path, "--where", where).stdout)

    def vacuum(self, path, retain_hours: float = 0, dry_run: bool = False,
               no_retention_check: bool = True) -> subprocess.CompletedProcess:
        args = ["table", "vacuum", path, "--retain-hours", retain_hours]
        if dry_run:
            args.append("--dry-run")
        if no_retention_check:
            args.append("--no-retention-check")
        return self.run(*args)


def basin_binary() -> Path | None:
    explicit = os.environ.get("BASIN_BIN")
    if explicit:
        return Path(explicit)
    default = REPO / "build" / "basin"
    return default if default.exists() else None


@pytest.fixture(scope="session")
def basin_bin() -> Path:
    binary = basin_binary()
    if binary is None:
        pytest.fail("no Basin binary: build it (make build) or set BASIN_BIN")
    if not binary.exists():
        pytest.fail(f"BASIN_BIN={binary} does not exist")
    return binary


@pytest.fixture
def basin(basin_bin, tmp_path) -> Basin:
    return Basin(basin_bin, tmp_path / "basin-scratch")


def delta_jars() -> list[str]:
    return sorted(glob.glob(str(JAR_DIR / "*.jar")))


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One local Spark session with Delta for the whole test run (startup takes seconds)."""
    jars = delta_jars()
    if not any("delta-spark" in Path(j).name for j in jars) or not any(
            "delta-storage" in Path(j).name for j in jars):
        pytest.fail(f"Delta jars missing in {JAR_DIR}: run scripts/fetch_jars.sh (make test does)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("no Java: Spark needs Java 17 (scripts/setup.sh installs it)")
    from pyspark.sql import SparkSession

    work = tmp_path_factory.mktemp("spark")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("basin-interop")
        .config("spark.jars", ",".join(jars))
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.databricks.delta.snapshotPartitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(work / "warehouse"))
        .config("spark.driver.extraJavaOptions",
                f"-Dderby.system.home={work} -Duser.timezone=UTC")
        # Tests vacuum with zero retention on purpose.
        .config("spark.databricks.delta.retentionDurationCheck.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


# ---------------------------------------------------------------------------------------------
# Comparing tables


def _canonical_type(t: pa.DataType) -> pa.DataType:
    """Maps Arrow types that mean the same Delta type onto one spelling."""
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pa.string()
    if pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        return pa.binary()
    if pa.types.is_timestamp(t):
        # Delta `timestamp` is an instant (UTC); `timestamp_ntz` has no zone.
        return pa.timestamp("us", tz="UTC" if t.tz else None)
    if pa.types.is_dictionary(t):
        return _canonical_type(t.value_type)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_list_view(t) or \
            pa.types.is_large_list_view(t):
        return pa.list_(pa.field("element", _canonical_type(t.value_type)))
    if pa.types.is_map(t):
        return pa.map_(_canonical_type(t.key_type), _canonical_type(t.item_type))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _canonical_type(f.type)) for f in t])
    return t


def canonical_schema(schema: pa.Schema) -> pa.Schema:
    """Returns the schema with canonical types and without nullability or metadata."""
    return pa.schema([pa.field(f.name, _canonical_type(f.type)) for f in schema])


def canonical(table: pa.Table) -> pa.Table:
    schema = canonical_schema(table.schema)
    columns = []
    for column, field in zip(table.columns, schema):
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        columns.append(column.cast(field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _sort_key(value):
    """Orders arbitrary (nested, None-bearing) Python values deterministically."""
    if value is None:
        return (0, "")
    if isinstance(value, dict):
        return (1, tuple((k, _sort_key(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (2, tuple(_sort_key(v) for v in value))
    if isinstance(value, bytes):
        return (3, value.hex())
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        return (4, float(value), str(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return (5, value.isoformat())
    return (6, repr(value))


def rows(table: pa.Table) -> list[dict]:
    """Returns the rows of `table` in a canonical order (order-insensitive comparisons)."""
    table = canonical(table)
    out = table.to_pylist()
    out.sort(key=lambda row: tuple(_sort_key(row[name]) for name in table.column_names))
    return out


def assert_same_table(actual: pa.Table, expected: pa.Table, what: str = "",
                      check_column_order: bool = True):
    """Asserts equal schemas (modulo equivalent Arrow spellings) and equal rows in any order."""
    if not check_column_order:
        actual = actual.select(sorted(actual.column_names))
        expected = expected.select(sorted(expected.column_names))
    a_schema, e_schema = canonical_schema(actual.schema), canonical_schema(expected.schema)
    assert a_schema == e_schema, f"{what}: schemas differ\nactual:\n{a_schema}\nexpected:\n{e_schema}"
    assert actual.num_rows == expected.num_rows, \
        f"{what}: {actual.num_rows} rows, expected {expected.num_rows}"
    a_rows, e_rows = rows(actual), rows(expected)
    for i, (a, e) in enumerate(zip(a_rows, e_rows)):
        assert a == e, f"{what}: row {i} (in canonical order) differs\nactual:   {a}\nexpected: {e}"


# ---------------------------------------------------------------------------------------------
# Peer readers


def read_delta_rs(path, version: int | None = None) -> pa.Table:
    from deltalake import DeltaTable

    table = DeltaTable(str(path), version=version)
    features = table.protocol().reader_features or []
    mapping = table.metadata().configuration.get("delta.columnMapping.mode", "none")
    if "deletionVectors" not in features and mapping == "none":
        return table.to_pyarrow_table()
    # delta-rs applies deletion vectors and column mapping in its DataFusion scan, not in
    # to_pyarrow_table() (which reads physical names as missing columns, all null).
    from deltalake import QueryBuilder

    result = QueryBuilder().register("t", table).execute("SELECT * FROM t").read_all()
    return pa.table(result)  # an arro3 table, through the Arrow C stream interface


def read_spark(spark, path, version: int | None = None) -> pa.Table:
    reader = spark.read.format("delta")
    if version is not None:
        reader = reader.option("versionAsOf", version)
    return reader.load(str(path)).toArrow()


def log_files(path) -> list[str]:
    """Names of the files in the table's _delta_log (recursively), sorted."""
    log = Path(path) / "_delta_log"
    return sorted(str(p.relative_to(log)) for p in log.rglob("*") if p.is_file())


def data_files(path) -> list[str]:
    """Relative paths of every non-log file under the table root, sorted."""
    root = Path(path)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and "_delta_log" not in p.relative_to(root).parts)


def commit_versions(path) -> list[int]:
    log = Path(path) / "_delta_log"
    return sorted(int(p.name.split(".")[0]) for p in log.glob("*.json")
                  if p.name.split(".")[0].isdigit())
