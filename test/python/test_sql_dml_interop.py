"""Basin changes Delta tables with SQL DELETE, UPDATE and MERGE; the peers read the result.

Each scenario runs the same SQL twice: in Spark + delta-spark on Spark's own table, and in Basin
(`basin sql -e`, one process per statement, managed tables in a fresh warehouse). The scenario is
run with and without `delta.enableDeletionVectors`, partitioned and not. What the tests show:

* after every statement, delta-rs (`read_delta_rs`) and delta-spark (`read_spark`) read Basin's
  table and both get exactly the rows Spark's own table has at the same point, and the version
  numbers advance the same way (`test_dml_scenario`);
* DELETE, UPDATE and MERGE return the same metric rows (`num_affected_rows`, ...) as Spark;
* the MERGE covers WHEN MATCHED AND cond THEN DELETE, WHEN MATCHED AND cond THEN UPDATE SET,
  WHEN MATCHED THEN UPDATE SET, WHEN NOT MATCHED [AND cond] THEN INSERT * and WHEN NOT MATCHED BY
  SOURCE AND cond THEN DELETE; with partitions, an UPDATE also moves rows between partitions;
* `DESCRIBE HISTORY` of Basin's DELETE, UPDATE and MERGE commits has every operationMetrics key
  that delta-spark writes for the same statement (except the timings, `*TimeMs`), with the same
  row counts (file and byte counts may differ: they depend on the file layout); missing keys are
  reported at the end of the scenario, after all table checks (`test_dml_scenario`);
* a table created with `delta.enableDeletionVectors = true` lists the `deletionVectors` table
  feature in Basin's protocol as in Spark's; without it, Basin writes no deletion vector;
* a MERGE in which two source rows match one target row fails in Basin, as in Spark, with
  DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE, exit code != 0 and the table unchanged
  (`test_merge_with_duplicate_matches_fails`).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import assert_same_table, commit_versions, read_delta_rs, read_spark

pytestmark = pytest.mark.spark

# Keys of operationMetrics whose values are row counts: equal in Basin and Spark for the same
# change. numTargetRowsCopied / numCopiedRows and numOutputRows depend on which files a writer
# rewrites (none with deletion vectors), so only their presence is required.
ROW_COUNT_KEYS = {
    "DELETE": ["numDeletedRows"],
    "UPDATE": ["numUpdatedRows"],
    "MERGE": ["numSourceRows", "numTargetRowsInserted", "numTargetRowsUpdated",
              "numTargetRowsDeleted", "numTargetRowsMatchedUpdated",
              "numTargetRowsMatchedDeleted", "numTargetRowsNotMatchedBySourceUpdated",
              "numTargetRowsNotMatchedBySourceDeleted"],
}
# The MERGE keys named by the Delta documentation; delta-spark must write them all.
MERGE_KEYS = ["numTargetRowsUpdated", "numTargetRowsInserted", "numTargetRowsDeleted",
              "numSourceRows", "numOutputRows", "numTargetRowsCopied", "numTargetFilesAdded",
              "numTargetFilesRemoved"]


# ---------------------------------------------------------------------------------------------
# The scenario


def create_target(partitioned: bool, deletion_vectors: bool) -> str:
    sql = ("CREATE TABLE target (id BIGINT, region STRING, qty INT, price DECIMAL(10,2), "
           "note STRING) USING DELTA")
    if partitioned:
        sql += " PARTITIONED BY (region)"
    if deletion_vectors:
        sql += " TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')"
    return sql


def insert_rows(table: str, start: int, stop: int) -> str:
    """Rows over three regions, with nulls in `note` and in `qty`."""
    return (f"INSERT INTO {table} SELECT id, "
            "CASE id % 3 WHEN 0 THEN 'north' WHEN 1 THEN 'south' ELSE 'east' END, "
            "CASE WHEN id % 11 = 0 THEN NULL ELSE CAST(id % 7 AS INT) END, "
            "CAST(id * 1.25 AS DECIMAL(10,2)), "
            "CASE WHEN id % 5 = 0 THEN NULL ELSE concat('n', id) END "
            f"FROM range({start}, {stop})")


MERGE = """
MERGE INTO target AS t
USING source AS s
ON t.id = s.id
WHEN MATCHED AND s.note = 'drop' THEN DELETE
WHEN MATCHED AND s.qty > t.qty THEN UPDATE SET t.qty = s.qty, t.note = 'raised'
WHEN MATCHED THEN UPDATE SET t.price = s.price
WHEN NOT MATCHED AND s.note <> 'drop' THEN INSERT *
WHEN NOT MATCHED BY SOURCE AND t.region = 'south' AND t.id >= 100 THEN DELETE
"""


@dataclass
class Step:
    sql: str
    operation: str | None = None  # DELETE / UPDATE / MERGE: check the returned rows and metrics
    checks_table: bool = True


def scenario(partitioned: bool, deletion_vectors: bool) -> list[Step]:
    return [
        Step(create_target(partitioned, deletion_vectors)),
        Step(insert_rows("target", 0, 60)),
        Step(insert_rows("target", 60, 120)),
        Step(insert_rows("target", 120, 180)),
        Step("DELETE FROM target WHERE qty = 3 OR id BETWEEN 40 AND 44", "DELETE"),
        Step("UPDATE target SET price = price * 2, note = 'updated' WHERE id % 10 = 1", "UPDATE"),
        # Moves rows to a new partition when the table is partitioned by region.
        Step("UPDATE target SET region = 'west' WHERE id % 9 = 4 AND qty IS NOT NULL", "UPDATE"),
        Step("CREATE TABLE source (id BIGINT, region STRING, qty INT, price DECIMAL(10,2), "
             "note STRING) USING DELTA", checks_table=False),
        # Matches and misses: ids 150..209 step 3 (the 150..179 ones exist in target).
        Step("INSERT INTO source SELECT id, "
             "CASE id % 3 WHEN 0 THEN 'north' WHEN 1 THEN 'south' ELSE 'east' END, "
             "CAST(id % 13 AS INT), CAST(id * 0.5 AS DECIMAL(10,2)), "
             "CASE WHEN id % 4 = 0 THEN 'drop' WHEN id % 4 = 1 THEN NULL ELSE concat('s', id) END "
             "FROM range(150, 210, 3)", checks_table=False),
        Step(MERGE, "MERGE"),
        Step("DELETE FROM target WHERE region = 'east' AND price > 100", "DELETE"),
    ]


# ---------------------------------------------------------------------------------------------
# Running it


@pytest.fixture
def spark_db(spark):
    """A fresh Spark database, current for the test (Basin gets a fresh warehouse instead)."""
    name = f"dml_{uuid.uuid4().hex[:10]}"
    spark.sql(f"CREATE SCHEMA {name}")
    spark.sql(f"USE {name}")
    yield name
    spark.sql("USE default")
    spark.sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def spark_location(spark, table: str) -> Path:
    location = spark.sql(f"DESCRIBE DETAIL {table}").collect()[0]["location"]
    return Path(re.sub(r"^file:(//)?", "", location))


def basin_location(basin, table: str) -> Path:
    return basin.scratch / "warehouse" / "main" / "default" / table


def basin_sql(basin, sql: str, check: bool = True):
    """Runs one statement in Basin; returns (process, rows as Arrow or None)."""
    out = basin.scratch / f"{uuid.uuid4().hex}.parquet"
    proc = basin.run("sql", "-e", sql, "--format", "parquet", "-o", out, check=check)
    table = pq.read_table(out) if proc.returncode == 0 and out.exists() else None
    out.unlink(missing_ok=True)
    return proc, table


def metrics_of(history: pa.Table) -> tuple[str, dict[str, str]]:
    """(operation, operationMetrics) of the newest commit in a DESCRIBE HISTORY result."""
    row = max(history.to_pylist(), key=lambda r: r["version"])
    metrics = row["operationMetrics"]
    if isinstance(metrics, list):  # Arrow maps come back as lists of pairs
        metrics = dict(metrics)
    return row["operation"], dict(metrics or {})


@dataclass
class SparkRecord:
    result: pa.Table | None
    version: int
    metrics: dict[str, str] = field(default_factory=dict)


def run_spark_scenario(spark, steps: list[Step]) -> tuple[list[SparkRecord], Path]:
    records = []
    for step in steps:
        frame = spark.sql(step.sql)  # commands run here, eagerly
        result = frame.toArrow() if step.operation else None
        history = spark.sql("DESCRIBE HISTORY target").toArrow()
        operation, metrics = metrics_of(history)
        if step.operation:
            assert operation == step.operation, (operation, step.sql)
        records.append(SparkRecord(result, max(history.column("version").to_pylist()), metrics))
    return records, spark_location(spark, "target")


def has_deletion_vectors(path: Path) -> bool:
    for commit in sorted((path / "_delta_log").glob("*.json")):
        for line in commit.read_text().splitlines():
            action = json.loads(line)
            if action.get("add", {}).get("deletionVector"):
                return True
    return False


def reader_features(path: Path) -> list[str]:
    from deltalake import DeltaTable

    return sorted(DeltaTable(str(path)).protocol().reader_features or [])


@pytest.mark.parametrize("deletion_vectors", [False, True], ids=["no-dv", "dv"])
@pytest.mark.parametrize("partitioned", [False, True], ids=["flat", "partitioned"])
def test_dml_scenario(basin, spark, spark_db, partitioned, deletion_vectors):
    """Basin's DELETE / UPDATE / MERGE give the same table as Spark's, read by both peers, with
    the same returned rows and the same row counts in the commit's operationMetrics."""
    steps = scenario(partitioned, deletion_vectors)

    # Spark first, on its own table: the expectations (and a check that Spark does what the
    # scenario intends).
    records, spark_path = run_spark_scenario(spark, steps)
    if deletion_vectors:
        assert has_deletion_vectors(spark_path), "Spark wrote no deletion vector"
        assert "deletionVectors" in reader_features(spark_path)
    merge = records[[s.operation for s in steps].index("MERGE")]
    assert all(key in merge.metrics for key in MERGE_KEYS), sorted(merge.metrics)
    assert merge.result.to_pylist()[0]["num_affected_rows"] > 0

    # Basin, statement by statement, compared after each.
    path = basin_location(basin, "target")
    missing_keys = []
    for step, record in zip(steps, records):
        what = f"after `{' '.join(step.sql.split())[:90]}`"
        _, result = basin_sql(basin, step.sql)
        if step.operation:
            assert result is not None, f"{what}: Basin returned no rows"
            assert_same_table(result, record.result, f"{what}: returned rows")
        if step.checks_table:
            assert commit_versions(path)[-1] == record.version, f"{what}: version"
            expected = read_spark(spark, spark_path, record.version)
            assert_same_table(read_delta_rs(path), expected, f"{what}: delta-rs reading Basin's")
            assert_same_table(read_spark(spark, path), expected,
                              f"{what}: delta-spark reading Basin's")
        if step.operation:
            _, history = basin_sql(basin, "DESCRIBE HISTORY target")
            operation, metrics = metrics_of(history)
            assert operation == step.operation, what
            missing = sorted(k for k in set(record.metrics) - set(metrics)
                             if not k.endswith("TimeMs"))
            if missing:  # reported at the end, so that the table checks still run
                missing_keys.append(f"{step.operation} ({what}): {missing}")
            for key in ROW_COUNT_KEYS[step.operation]:
                if key in record.metrics:
                    assert metrics[key] == record.metrics[key], \
                        f"{what}: {key} = {metrics[key]}, Spark wrote {record.metrics[key]}"
            if step.operation == "MERGE":
                updated, inserted, copied, output = (int(metrics[k]) for k in [
                    "numTargetRowsUpdated", "numTargetRowsInserted", "numTargetRowsCopied",
                    "numOutputRows"])
                assert output == updated + inserted + copied, f"{what}: {metrics}"
    if deletion_vectors:
        assert "deletionVectors" in reader_features(path), \
            "delta.enableDeletionVectors = true must enable the deletionVectors table feature"
    else:
        assert not has_deletion_vectors(path), "deletion vectors in a table without the feature"
    assert not missing_keys, "operationMetrics keys that delta-spark writes and Basin does " \
        "not:\n" + "\n".join(missing_keys)


DUPLICATE_MATCH = """
MERGE INTO target AS t
USING (SELECT * FROM VALUES (1, 'first'), (1, 'second'), (7, 'new') AS v(id, note)) AS s
ON t.id = s.id
WHEN MATCHED THEN UPDATE SET t.note = s.note
WHEN NOT MATCHED THEN INSERT *
"""


@pytest.mark.parametrize("deletion_vectors", [False, True], ids=["no-dv", "dv"])
def test_merge_with_duplicate_matches_fails(basin, spark, spark_db, deletion_vectors):
    """Two source rows matching one target row: Spark and Basin both refuse the MERGE with
    DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE, and the table stays as it was."""
    setup = [
        "CREATE TABLE target (id INT, note STRING) USING DELTA" +
        (" TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')" if deletion_vectors else ""),
        "INSERT INTO target VALUES (1, 'one'), (2, 'two'), (3, 'three')",
    ]
    error_class = "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE"

    for sql in setup:
        spark.sql(sql)
    spark_path = spark_location(spark, "target")
    with pytest.raises(Exception) as raised:
        spark.sql(DUPLICATE_MATCH)
    assert f"[{error_class}]" in str(raised.value), str(raised.value)[:500]
    assert commit_versions(spark_path) == [0, 1]

    for sql in setup:
        basin_sql(basin, sql)
    path = basin_location(basin, "target")
    before = read_delta_rs(path)
    proc, _ = basin_sql(basin, DUPLICATE_MATCH, check=False)
    assert proc.returncode != 0, "Basin's MERGE with a duplicate match succeeded"
    assert f"[{error_class}]" in proc.stderr, proc.stderr
    assert commit_versions(path) == [0, 1], "the failed MERGE must not commit"
    assert_same_table(read_delta_rs(path), before, "Basin's table after the failed MERGE")
    assert_same_table(read_delta_rs(path), read_spark(spark, spark_path), "same as Spark's")


@pytest.mark.parametrize("mode", ["name", "id"])
def test_column_mapping_with_nested_fields_read_by_peers(basin, spark, tmp_path, mode):
    """With column mapping, every field Basin writes (nested ones too: inside structs, arrays and
    maps) is stored under its physical name and field id, so delta-spark and delta-rs read the
    nested values, also after a rename of a nested field."""
    create = (
        "CREATE TABLE nested (id BIGINT, s STRUCT<a: INT, b: STRING>, "
        "arr ARRAY<STRUCT<x: INT, y: STRING>>, m MAP<STRING, STRUCT<z: DOUBLE>>) USING DELTA "
        f"TBLPROPERTIES ('delta.columnMapping.mode' = '{mode}')")
    insert = ("INSERT INTO nested VALUES "
              "(1, named_struct('a', 10, 'b', 'one'), array(named_struct('x', 1, 'y', 'p')), "
              " map('k', named_struct('z', 1.5))), "
              "(2, NULL, array(named_struct('x', 2, 'y', NULL), NULL), NULL)")
    for sql in (create, insert):
        basin_sql(basin, sql)
    path = basin_location(basin, "nested")
    # Physical names in the data files, at every level.
    files = sorted(path.rglob("*.parquet"))
    names = set()

    def walk(t):
        if pa.types.is_struct(t):
            for f in t:
                names.add(f.name)
                walk(f.type)
        elif pa.types.is_list(t) or pa.types.is_large_list(t):
            walk(t.value_type)
        elif pa.types.is_map(t):
            walk(t.key_type)
            walk(t.item_type)

    for f in pq.read_schema(files[0]):
        names.add(f.name)
        walk(f.type)
    assert not names & {"s", "a", "b", "arr", "x", "y", "m", "z"}, names
    want = [(1, {"a": 10, "b": "one"}, [{"x": 1, "y": "p"}], [("k", {"z": 1.5})]),
            (2, None, [{"x": 2, "y": None}, None], None)]

    def rows(table):
        out = []
        for r in sorted(table.to_pylist(), key=lambda r: r["id"]):
            m = r["m"]
            if isinstance(m, dict):
                m = list(m.items())
            out.append((r["id"], r["s"], r["arr"], m))
        return out

    assert rows(read_spark(spark, path)) == want
    assert rows(read_delta_rs(path)) == want
    # A renamed nested field keeps its values for every reader.
    basin_sql(basin, "ALTER TABLE nested RENAME COLUMN s.a TO a2")
    spark_rows = sorted(read_spark(spark, path).to_pylist(), key=lambda r: r["id"])
    assert spark_rows[0]["s"] == {"a2": 10, "b": "one"}
    assert sorted(read_delta_rs(path).to_pylist(), key=lambda r: r["id"])[0]["s"] == \
        {"a2": 10, "b": "one"}
    history = spark.sql(f"DESCRIBE HISTORY delta.`{path}`").collect()
    rename = [h for h in history if h["operation"] == "RENAME COLUMN"]
    assert rename and rename[0]["operationParameters"]["oldColumnPath"] == "s.a"
    assert rename[0]["operationParameters"]["newColumnPath"] == "s.a2"
