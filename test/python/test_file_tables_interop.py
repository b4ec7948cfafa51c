"""Tables of plain data files (CREATE TABLE ... USING parquet / csv / json / text) are exchanged
with Spark: Spark reads the folders Basin writes, with the table's schema, and gets Basin's rows;
Basin reads, as an external table, the folders Spark writes.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.spark

ROWS = [(1, "a,b", 1.5, dt.date(2024, 1, 2)), (2, None, None, None), (3, "x\"y", -2.0,
                                                                        dt.date(1999, 12, 31))]
SCHEMA = "id INT, s STRING, v DOUBLE, d DATE"
VALUES = "(1, 'a,b', 1.5D, DATE'2024-01-02'), (2, NULL, NULL, NULL), " \
         "(3, 'x\"y', -2.0D, DATE'1999-12-31')"


def basin_rows(basin, sql: str) -> list[tuple]:
    out = basin.scratch / f"{uuid.uuid4().hex}.parquet"
    basin.run("sql", "-e", sql, "--format", "parquet", "-o", out)
    table = pq.read_table(out)
    out.unlink()
    return sorted((tuple(r.values()) for r in table.to_pylist()), key=repr)


def spark_rows(df) -> list[tuple]:
    return sorted((tuple(r) for r in df.collect()), key=repr)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json"])
def test_spark_reads_basin_file_tables(basin, spark, fmt):
    basin.run("sql", "-e", f"CREATE TABLE ft ({SCHEMA}) USING {fmt}")
    basin.run("sql", "-e", f"INSERT INTO ft VALUES {VALUES}")
    basin.run("sql", "-e", "INSERT INTO ft SELECT 4, 'more', 4.0D, DATE'2000-02-29'")
    folder = basin.scratch / "warehouse" / "main" / "default" / "ft"
    ours = basin_rows(basin, "SELECT * FROM ft")
    theirs = spark_rows(spark.read.schema(SCHEMA).format(fmt).load(str(folder)))
    assert ours == theirs
    assert len(ours) == 4
    # INSERT OVERWRITE leaves only the new rows for both.
    basin.run("sql", "-e", "INSERT OVERWRITE ft SELECT 9, 'nine', 9.0D, DATE'2009-09-09'")
    assert basin_rows(basin, "SELECT * FROM ft") == [(9, "nine", 9.0, dt.date(2009, 9, 9))]
    assert spark_rows(spark.read.schema(SCHEMA).format(fmt).load(str(folder))) == \
        [(9, "nine", 9.0, dt.date(2009, 9, 9))]


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json"])
def test_basin_reads_spark_files(basin, spark, tmp_path, fmt):
    folder = tmp_path / f"spark_{fmt}"
    spark.createDataFrame(ROWS, SCHEMA).write.format(fmt).save(str(folder))
    basin.run("sql", "-e",
              f"CREATE TABLE ext ({SCHEMA}) USING {fmt} LOCATION '{folder}'")
    ours = basin_rows(basin, "SELECT * FROM ext")
    theirs = spark_rows(spark.read.schema(SCHEMA).format(fmt).load(str(folder)))
    assert ours == theirs
    assert len(ours) == 3


def test_text_table_round_trip(basin, spark):
    basin.run("sql", "-e", "CREATE TABLE lines (line STRING) USING text")
    basin.run("sql", "-e", "INSERT INTO lines VALUES ('hello'), ('a, b'), ('')")
    folder = basin.scratch / "warehouse" / "main" / "default" / "lines"
    assert spark_rows(spark.read.text(str(folder))) == basin_rows(basin, "SELECT * FROM lines")
