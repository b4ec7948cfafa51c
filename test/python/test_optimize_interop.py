"""OPTIMIZE across engines: delta-spark compacts, Z-orders and clusters tables that Basin wrote
(Basin must read the result and keep writing to it), and Basin's OPTIMIZE output must read the
same in delta-spark and delta-rs.

Basin's own OPTIMIZE is run as SQL: `basin sql -e "OPTIMIZE delta.`path` [WHERE p] [ZORDER BY (a, b)]"`."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from conftest import assert_same_table, commit_versions, read_delta_rs, read_spark


def part_rows(start: int, count: int) -> pa.Table:
    ids = list(range(start, start + count))
    return pa.table({"id": pa.array(ids, pa.int64()),
                     "part": pa.array([i % 2 for i in ids], pa.int64()),
                     "s": pa.array([f"s{i}" for i in ids])})


def grid_rows(start: int, count: int) -> pa.Table:
    ids = list(range(start, start + count))
    return pa.table({"x": pa.array([(i * 37) % 64 for i in ids], pa.int64()),
                     "y": pa.array([(i * 11) % 64 for i in ids], pa.int64())})


def last_commit_info(path) -> dict:
    version = commit_versions(path)[-1]
    log = Path(path) / "_delta_log" / f"{version:020d}.json"
    for line in log.read_text().splitlines():
        if line.strip() and "commitInfo" in json.loads(line):
            return json.loads(line)["commitInfo"]
    raise AssertionError(f"no commitInfo in {log}")


def basin_optimize(basin, path, where: str | None = None, zorder_by=()):
    """Runs Basin's OPTIMIZE through `basin sql` on delta.`path`."""
    statement = f"OPTIMIZE delta.`{path}`"
    if where is not None:
        statement += f" WHERE {where}"
    if zorder_by:
        statement += " ZORDER BY (" + ", ".join(zorder_by) + ")"
    proc = basin.run("sql", "-e", statement, check=False)
    assert proc.returncode == 0, f"basin OPTIMIZE failed: {proc.stderr}"
    return proc


# --- delta-spark optimizes what Basin wrote --------------------------------------------------


def test_spark_compacts_a_basin_table(basin, spark, tmp_path):
    path = str(tmp_path / "compact")
    for i in range(4):
        basin.write(path, part_rows(i * 10, 10), partition_by=["part"])
    expected = basin.read(path)
    spark.sql(f"OPTIMIZE delta.`{path}`").collect()
    info = last_commit_info(path)
    assert info["operation"] == "OPTIMIZE"
    assert info["operationMetrics"]["numRemovedFiles"] == "8"
    assert_same_table(basin.read(path), expected, "basin after spark OPTIMIZE")
    assert_same_table(read_spark(spark, path), expected, "spark after spark OPTIMIZE")
    # Basin keeps appending to the compacted table.
    basin.write(path, part_rows(100, 4), partition_by=["part"])
    assert basin.read(path).num_rows == 44


def test_spark_zorders_a_basin_table(basin, spark, tmp_path):
    path = str(tmp_path / "zorder")
    for i in range(4):
        basin.write(path, grid_rows(i * 256, 256))
    expected = basin.read(path)
    spark.sql(f"OPTIMIZE delta.`{path}` ZORDER BY (x, y)").collect()
    assert json.loads(last_commit_info(path)["operationParameters"]["zOrderBy"]) == ["x", "y"]
    assert_same_table(basin.read(path), expected, "basin after spark ZORDER")


def test_basin_reads_and_appends_to_a_spark_clustered_table(basin, spark, tmp_path):
    path = str(tmp_path / "clustered")
    spark.sql(f"CREATE TABLE delta.`{path}` (id BIGINT, part BIGINT, s STRING) USING delta "
              "CLUSTER BY (id, s)")
    for i in range(3):
        spark.createDataFrame(part_rows(i * 10, 10).to_pandas()).write.format("delta") \
            .mode("append").save(path)
    spark.sql(f"OPTIMIZE delta.`{path}`").collect()
    assert_same_table(basin.read(path), read_spark(spark, path), "basin reads clustered table")
    basin.write(path, part_rows(100, 5))
    assert read_spark(spark, path).num_rows == 35


# --- peers read what Basin's OPTIMIZE wrote --------------------------------------------------


def test_basin_optimize_reads_back_in_spark_and_delta_rs(basin, spark, tmp_path):
    path = str(tmp_path / "basin_compact")
    for i in range(4):
        basin.write(path, part_rows(i * 10, 10), partition_by=["part"])
    expected = basin.read(path)
    basin_optimize(basin, path)
    info = last_commit_info(path)
    assert info["operation"] == "OPTIMIZE"
    assert info["operationMetrics"]["numRemovedFiles"] == "8"
    assert info["operationMetrics"]["numAddedFiles"] == "2"
    assert_same_table(read_spark(spark, path), expected, "spark after basin OPTIMIZE")
    assert_same_table(read_delta_rs(path), expected, "delta-rs after basin OPTIMIZE")
    history = spark.sql(f"DESCRIBE HISTORY delta.`{path}`").collect()
    assert history[0]["operation"] == "OPTIMIZE"


def test_basin_optimize_where_and_zorder(basin, spark, tmp_path):
    path = str(tmp_path / "basin_zorder")
    for i in range(4):
        data = grid_rows(i * 256, 256).append_column("part", pa.array([i % 2] * 256, pa.int64()))
        basin.write(path, data, partition_by=["part"])
    expected = basin.read(path)
    basin_optimize(basin, path, where="part = 0", zorder_by=("x", "y"))
    info = last_commit_info(path)
    assert json.loads(info["operationParameters"]["zOrderBy"]) == ["x", "y"]
    assert info["operationMetrics"]["numRemovedFiles"] == "2"
    assert_same_table(read_spark(spark, path), expected, "spark after basin ZORDER")
    # delta-spark can optimize further on top of Basin's result.
    spark.sql(f"OPTIMIZE delta.`{path}`").collect()
    assert_same_table(basin.read(path), expected, "basin after spark OPTIMIZE")
