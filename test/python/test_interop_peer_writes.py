"""delta-rs and delta-spark write Delta tables; Basin reads them and must return exactly the rows
and schema that the writing peer itself reads back (order ignored)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import assert_same_table, commit_versions, read_delta_rs, read_spark
from test_interop_basin_writes import many_types, plain_rows


def assert_basin_matches_rs(basin, path, versions=None):
    """Basin's read of every listed version (default: latest) equals delta-rs's read."""
    for version in versions or [None]:
        assert_same_table(basin.read(path, version=version), read_delta_rs(path, version),
                          f"version {version}")


def assert_basin_matches_spark(basin, spark, path, versions=None):
    for version in versions or [None]:
        assert_same_table(basin.read(path, version=version), read_spark(spark, path, version),
                          f"version {version}")


# --- delta-rs writes ------------------------------------------------------------------------


def test_rs_append(basin, tmp_path):
    path = str(tmp_path / "rs_append")
    write_deltalake(path, plain_rows(0, 40))
    write_deltalake(path, plain_rows(40, 10), mode="append")
    assert_basin_matches_rs(basin, path, [None, 0, 1])
    assert basin.read(path).num_rows == 50


def test_rs_many_types(basin, tmp_path):
    path = str(tmp_path / "rs_types")
    write_deltalake(path, many_types())
    assert_basin_matches_rs(basin, path)
    assert_same_table(basin.read(path), many_types(), "basin vs source data")


def test_rs_partitioned(basin, tmp_path):
    path = str(tmp_path / "rs_parts")
    parts = [None, "a b", "a/b", "100%", "x=y", "é"]
    data = pa.table({"id": pa.array(range(12), pa.int64()), "part": pa.array(parts * 2),
                     "year": pa.array([2020 + i % 3 for i in range(12)], pa.int32())})
    write_deltalake(path, data, partition_by=["part", "year"])
    assert_basin_matches_rs(basin, path)
    assert basin.read(path, columns=["id", "part"]).column_names == ["id", "part"]


def test_rs_overwrite(basin, tmp_path):
    path = str(tmp_path / "rs_overwrite")
    write_deltalake(path, plain_rows(0, 10))
    write_deltalake(path, plain_rows(100, 3), mode="overwrite")
    assert_basin_matches_rs(basin, path, [None, 0])
    assert basin.read(path).num_rows == 3


def test_rs_schema_merge(basin, tmp_path):
    path = str(tmp_path / "rs_merge")
    write_deltalake(path, pa.table({"id": pa.array([1, 2], pa.int64())}))
    write_deltalake(path, pa.table({"id": pa.array([3], pa.int64()), "extra": ["e"]}),
                    mode="append", schema_mode="merge")
    assert_basin_matches_rs(basin, path, [None, 0])
    assert basin.read(path).column_names == ["id", "extra"]


def test_rs_delete_and_update(basin, tmp_path):
    path = str(tmp_path / "rs_dml")
    write_deltalake(path, plain_rows(0, 30), partition_by=None)
    table = DeltaTable(path)
    table.delete("id < 10")
    table = DeltaTable(path)
    table.update(updates={"name": "'updated'"}, predicate="id >= 25")
    assert_basin_matches_rs(basin, path, [None, 0, 1, 2])
    latest = basin.read(path).to_pylist()
    assert len(latest) == 20
    assert sorted(r["name"] for r in latest if r["id"] >= 25) == ["updated"] * 5


def test_rs_checkpoint(basin, tmp_path):
    path = str(tmp_path / "rs_ckpt")
    for i in range(4):
        write_deltalake(path, plain_rows(i * 5, 5), mode="append")
    DeltaTable(path).create_checkpoint()
    write_deltalake(path, plain_rows(100, 5), mode="append")
    assert_basin_matches_rs(basin, path, [None, 2, 3])


# --- delta-spark writes ---------------------------------------------------------------------


@pytest.mark.spark
def test_spark_partitioned(basin, spark, tmp_path):
    path = str(tmp_path / "sp_parts")
    df = spark.createDataFrame(
        [(i, p, i * 1.5) for i, p in enumerate([None, "a b", "a/b", "100%", "x=y", "é"] * 3)],
        "id long, part string, v double")
    df.write.format("delta").partitionBy("part").save(path)
    assert_basin_matches_spark(basin, spark, path)
    assert basin.read(path).num_rows == 18


@pytest.mark.spark
def test_spark_types(basin, spark, tmp_path):
    path = str(tmp_path / "sp_types")
    spark.sql("""
        SELECT CAST(id AS TINYINT) AS i8, CAST(id * 300 AS SMALLINT) AS i16, CAST(id AS INT) AS i32,
               id * 1000000000000 AS i64, CAST(id / 4 AS FLOAT) AS f32, id / 3 AS f64,
               CAST(id * 12.34 AS DECIMAL(12, 2)) AS dec, CONCAT('s', id) AS str,
               CAST(CONCAT('b', id) AS BINARY) AS bin, id % 2 = 0 AS flag,
               DATE_ADD(DATE'1969-12-31', CAST(id * 100 AS INT)) AS day,
               TIMESTAMP'2024-02-29 12:00:00' + make_interval(0, 0, 0, CAST(id AS INT)) AS ts,
               named_struct('x', CAST(id AS INT), 'label', CONCAT('p', id)) AS point,
               array(id, id + 1) AS tags, map('k', id) AS attrs,
               IF(id % 3 = 0, NULL, CONCAT('n', id)) AS maybe
        FROM range(25)
    """).write.format("delta").save(path)
    assert_basin_matches_spark(basin, spark, path)


@pytest.mark.spark
def test_spark_dml_with_deletion_vectors(basin, spark, tmp_path):
    path = str(tmp_path / "sp_dv")
    spark.sql(f"""CREATE TABLE delta.`{path}` (id BIGINT, name STRING, v INT)
                  USING delta TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')""")
    spark.range(0, 200).selectExpr("id", "CONCAT('n', id) AS name", "CAST(id % 10 AS INT) AS v") \
        .coalesce(1).write.format("delta").mode("append").save(path)
    spark.sql(f"DELETE FROM delta.`{path}` WHERE id % 7 = 0")
    spark.sql(f"UPDATE delta.`{path}` SET name = 'upd' WHERE id BETWEEN 50 AND 60")
    spark.createDataFrame([(5, "merged", 1), (1000, "new", 2)], "id long, name string, v int") \
        .createOrReplaceTempView("src")
    spark.sql(f"""MERGE INTO delta.`{path}` t USING src s ON t.id = s.id
                  WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *""")
    log = "".join(p.read_text() for p in (Path(path) / "_delta_log").glob("*.json"))
    assert '"deletionVector":{' in log, "Spark wrote no deletion vector"
    assert_basin_matches_spark(basin, spark, path, [None, 1, 2, 3, 4])


@pytest.mark.spark
def test_spark_column_mapping_rename(basin, spark, tmp_path):
    path = str(tmp_path / "sp_cm")
    spark.sql(f"""CREATE TABLE delta.`{path}` (id BIGINT, old_name STRING, p STRING)
                  USING delta PARTITIONED BY (p)
                  TBLPROPERTIES ('delta.columnMapping.mode' = 'name',
                                 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')""")
    spark.sql(f"INSERT INTO delta.`{path}` VALUES (1, 'a', 'x'), (2, NULL, 'y'), (3, 'c', NULL)")
    spark.sql(f"ALTER TABLE delta.`{path}` RENAME COLUMN old_name TO new_name")
    spark.sql(f"ALTER TABLE delta.`{path}` ADD COLUMNS (extra INT)")
    spark.sql(f"INSERT INTO delta.`{path}` VALUES (4, 'd', 'x', 40)")
    assert_basin_matches_spark(basin, spark, path)
    assert basin.read(path).column_names == ["id", "new_name", "p", "extra"]


@pytest.mark.spark
def test_spark_checkpoints_and_time_travel(basin, spark, tmp_path):
    path = str(tmp_path / "sp_ckpt")
    spark.sql(f"""CREATE TABLE delta.`{path}` (id BIGINT, s STRING) USING delta
                  TBLPROPERTIES ('delta.checkpointInterval' = '3')""")
    for i in range(8):
        spark.sql(f"INSERT INTO delta.`{path}` VALUES ({i}, 's{i}'), ({i + 100}, NULL)")
    assert list((Path(path) / "_delta_log").glob("*.checkpoint*.parquet")), "no checkpoint"
    assert commit_versions(path) == list(range(9))
    assert_basin_matches_spark(basin, spark, path, [None, 0, 2, 3, 4, 6, 7])


@pytest.mark.spark
def test_spark_optimize(basin, spark, tmp_path):
    path = str(tmp_path / "sp_opt")
    for i in range(4):
        spark.range(i * 10, i * 10 + 10).selectExpr("id", "id % 3 AS g") \
            .write.format("delta").mode("append").save(path)
    spark.sql(f"OPTIMIZE delta.`{path}`")
    history = spark.sql(f"DESCRIBE HISTORY delta.`{path}`").collect()
    assert history[0]["operation"] == "OPTIMIZE"
    assert_basin_matches_spark(basin, spark, path, [None, 3])
    assert basin.detail(path)["numFiles"] == 1
