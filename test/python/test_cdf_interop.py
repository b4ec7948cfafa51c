"""The change data feed, CLONE and CONVERT TO DELTA against delta-spark and delta-rs.

* Basin's DELETE on a table with delta.enableChangeDataFeed is read back by delta-spark's
  `readChangeFeed` (change files for rewritten files, add/remove actions otherwise).
* UPDATE and MERGE through `basin sql` record update pre/post images delta-spark reads.
* Basin's `table changes` agrees with delta-spark's change feed on a table delta-spark changed with
  UPDATE, DELETE and MERGE.
* delta-spark and delta-rs read Basin's shallow and deep clones and a converted Parquet folder
  with the rows of the source; the tables are made with `basin sql` (CREATE TABLE ... SHALLOW /
  DEEP CLONE ... LOCATION, CONVERT TO DELTA parquet.`path` PARTITIONED BY).
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import assert_same_table, read_delta_rs, read_spark

CDF = {"delta.enableChangeDataFeed": "true"}


def spark_changes(spark, path, start: int) -> pa.Table:
    df = (spark.read.format("delta").option("readChangeFeed", "true")
          .option("startingVersion", start).load(str(path)))
    return df.drop("_commit_timestamp").toArrow()


def basin_changes(basin, path, start: int) -> pa.Table:
    out = basin.scratch / f"changes-{os.getpid()}-{start}.parquet"
    basin.run("table", "changes", path, "--from-version", start, "--format", "parquet", "-o", out)
    try:
        table = pq.read_table(out)
    finally:
        out.unlink(missing_ok=True)
    return table.drop_columns(["_commit_timestamp"])


def sample(n: int = 10) -> pa.Table:
    return pa.table({
        "id": pa.array(range(n), pa.int64()),
        "p": pa.array(["even" if i % 2 == 0 else "odd" for i in range(n)]),
        "v": pa.array([f"v{i}" for i in range(n)]),
    })


def change_files(path) -> list[str]:
    root = Path(path) / "_change_data"
    return sorted(str(p.relative_to(path)) for p in root.rglob("*.parquet")) if root.exists() else []


@pytest.mark.parametrize("dv", [False, True], ids=["rewrite", "dv"])
@pytest.mark.parametrize("partitioned", [False, True], ids=["flat", "partitioned"])
def test_spark_reads_basin_delete_changes(basin, spark, tmp_path, dv, partitioned):
    path = tmp_path / "t"
    props = dict(CDF)
    if dv:
        props["delta.enableDeletionVectors"] = "true"
    basin.write(path, sample(), mode="error", partition_by=["p"] if partitioned else [],
                properties=props)
    basin.delete(path, "id < 3")   # v1
    basin.delete(path, "id = 7")   # v2
    if dv:
        assert change_files(path) == []  # derived from the deletion vectors
    else:
        files = change_files(path)
        assert files and all(Path(f).name.startswith("cdc-") for f in files), files
        if partitioned:
            assert all(f.startswith("_change_data/p=") for f in files), files

    theirs = spark_changes(spark, path, 1)
    got = sorted((r["id"], r["p"], r["v"], r["_change_type"], r["_commit_version"])
                 for r in theirs.to_pylist())
    assert got == [(0, "even", "v0", "delete", 1), (1, "odd", "v1", "delete", 1),
                   (2, "even", "v2", "delete", 1), (7, "odd", "v7", "delete", 2)]
    assert_same_table(basin_changes(basin, path, 1), theirs, "Basin vs delta-spark changes",
                      check_column_order=False)
    assert sorted(read_spark(spark, path).column("id").to_pylist()) == [3, 4, 5, 6, 8, 9]


@pytest.mark.parametrize("dv", [False, True], ids=["rewrite", "dv"])
def test_basin_reads_spark_changes(basin, spark, tmp_path, dv):
    path = tmp_path / "t"
    spark.sql(f"CREATE TABLE delta.`{path}` (id BIGINT, p STRING, v STRING) USING delta "
              f"PARTITIONED BY (p) TBLPROPERTIES (delta.enableChangeDataFeed = true, "
              f"delta.enableDeletionVectors = {str(dv).lower()})")
    spark.createDataFrame(sample().to_pandas()).select("id", "p", "v").write.format("delta") \
        .mode("append").save(str(path))                                          # v1
    spark.sql(f"UPDATE delta.`{path}` SET v = 'updated' WHERE id IN (1, 2)")      # v2
    spark.sql(f"DELETE FROM delta.`{path}` WHERE id = 5")                         # v3
    spark.sql(f"DELETE FROM delta.`{path}` WHERE p = 'even' AND id > 6")          # v4
    spark.createDataFrame([(3, "odd", "merged"), (42, "even", "new")], "id long, p string, v string") \
        .createOrReplaceTempView("src")
    spark.sql(f"MERGE INTO delta.`{path}` t USING src s ON t.id = s.id "
              f"WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT *")  # v5
    theirs = spark_changes(spark, path, 1)
    ours = basin_changes(basin, path, 1)
    assert_same_table(ours, theirs, "Basin vs delta-spark changes", check_column_order=False)
    kinds = set(theirs.column("_change_type").to_pylist())
    assert kinds == {"insert", "delete", "update_preimage", "update_postimage"}


@pytest.mark.parametrize("dv", [False, True], ids=["rewrite", "dv"])
def test_spark_reads_basin_sql_update_and_merge_changes(basin, spark, dv):
    """UPDATE and MERGE through `basin sql` record update images that delta-spark reads."""
    basin.run("sql", "-e", f"""
        CREATE TABLE ev (id INT, p STRING, v STRING) USING DELTA PARTITIONED BY (p)
          TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true',
                         'delta.enableDeletionVectors' = '{str(dv).lower()}');
        INSERT INTO ev VALUES (1, 'a', 'x'), (2, 'a', 'y'), (3, 'b', 'z'), (4, 'b', 'w');
        UPDATE ev SET v = 'u' WHERE id = 1;
        CREATE TABLE src (id INT, p STRING, v STRING) USING DELTA;
        INSERT INTO src VALUES (3, 'b', 'm'), (9, 'a', 'n');
        MERGE INTO ev t USING src s ON t.id = s.id
          WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT *;
        DELETE FROM ev WHERE id = 2;
    """)
    path = basin.scratch / "warehouse" / "main" / "default" / "ev"
    theirs = spark_changes(spark, path, 2)
    got = sorted((r["_commit_version"], r["_change_type"], r["id"], r["p"], r["v"])
                 for r in theirs.to_pylist())
    assert got == [
        (2, "update_postimage", 1, "a", "u"), (2, "update_preimage", 1, "a", "x"),
        (3, "insert", 9, "a", "n"), (3, "update_postimage", 3, "b", "m"),
        (3, "update_preimage", 3, "b", "z"),
        (4, "delete", 2, "a", "y")]
    assert_same_table(basin_changes(basin, path, 2), theirs, "Basin vs delta-spark changes",
                      check_column_order=False)


@pytest.fixture
def clone_fixtures(basin, tmp_path):
    """A Basin source table, its clones, and a Parquet folder converted by Basin."""
    base = tmp_path / "fixtures"
    source = base / "source"
    basin.write(source, sample(), mode="error", partition_by=["p"],
                properties={"delta.enableDeletionVectors": "true"})     # v0
    basin.delete(source, "id = 4")                                       # v1 (a deletion vector)
    basin.write(source, sample(3).set_column(0, "id", pa.array([20, 21, 22], pa.int64())),
                mode="append")                                           # v2
    parquet = base / "parquet"
    for part, ids in (("a", [1, 2]), ("b c", [3])):
        folder = parquet / f"p={part}"
        folder.mkdir(parents=True)
        pq.write_table(pa.table({"id": pa.array(ids, pa.int64()),
                                 "s": pa.array([f"s{i}" for i in ids])}), folder / "part-0.parquet")
    (parquet / "_SUCCESS").write_text("")
    basin.run("sql", "-e", f"""
        CREATE TABLE shallow SHALLOW CLONE delta.`{source}` LOCATION '{base / "shallow"}';
        CREATE TABLE deep DEEP CLONE delta.`{source}` LOCATION '{base / "deep"}';
        CREATE TABLE shallow_v0 SHALLOW CLONE delta.`{source}` VERSION AS OF 0
            LOCATION '{base / "shallow_v0"}';
        CONVERT TO DELTA parquet.`{parquet}` PARTITIONED BY (p STRING);
    """)
    return base


@pytest.mark.parametrize("clone", ["shallow", "deep"])
def test_peers_read_basin_clones(basin, spark, clone_fixtures, clone):
    source = clone_fixtures / "source"
    target = clone_fixtures / clone
    expected = basin.read(source)
    assert sorted(expected.column("id").to_pylist()) == [0, 1, 2, 3, 5, 6, 7, 8, 9, 20, 21, 22]
    assert_same_table(basin.read(target), expected, f"Basin reads the {clone} clone",
                      check_column_order=False)
    assert_same_table(read_spark(spark, target), expected, f"delta-spark reads the {clone} clone",
                      check_column_order=False)
    assert_same_table(read_delta_rs(target), expected, f"delta-rs reads the {clone} clone",
                      check_column_order=False)
    history = spark.sql(f"DESCRIBE HISTORY delta.`{target}`").toArrow().to_pylist()
    assert history[0]["operation"] == "CLONE"
    assert dict(history[0]["operationParameters"])["sourceVersion"] == "2"
    if clone == "deep":
        data = [p for p in target.rglob("*.parquet") if "_delta_log" not in p.parts]
        assert data, "a deep clone has data files of its own"


def test_peers_read_basin_clone_of_an_old_version(basin, spark, clone_fixtures):
    target = clone_fixtures / "shallow_v0"
    expected = basin.read(clone_fixtures / "source", version=0)
    assert_same_table(read_spark(spark, target), expected, "delta-spark", check_column_order=False)
    assert_same_table(read_delta_rs(target), expected, "delta-rs", check_column_order=False)


def test_peers_read_basin_converted_table(basin, spark, clone_fixtures):
    target = clone_fixtures / "parquet"
    expected = pa.table({"id": pa.array([1, 2, 3], pa.int64()),
                         "s": pa.array(["s1", "s2", "s3"]),
                         "p": pa.array(["a", "a", "b c"])})
    assert_same_table(basin.read(target), expected, "Basin", check_column_order=False)
    assert_same_table(read_spark(spark, target), expected, "delta-spark", check_column_order=False)
    assert_same_table(read_delta_rs(target), expected, "delta-rs", check_column_order=False)
    history = spark.sql(f"DESCRIBE HISTORY delta.`{target}`").toArrow().to_pylist()
    assert history[0]["operation"] == "CONVERT"
    assert dict(history[0]["operationMetrics"])["numConvertedFiles"] == "2"
