"""Tables of plain data files (CREATE TABLE ... USING parquet / csv / json / text) are exchanged
with Spark: Spark reads the folders Basin writes, with the table's schema, and gets Basin's rows;
Basin reads, as an external table, the folders Spark writes.
"""

from __future__ import annotations

import datetime as dt
import json
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


# Partitioned tables: Hive-style folders (p=x/d=2024-01-01/part-...), as Spark writes them.
PART_VALUES = "(1, 'a', 'x', DATE'2024-01-01'), (2, 'b', NULL, DATE'2024-01-02'), " \
              "(3, 'c', 'a/b:c%d=e f#?', NULL), (4, 'd', '', DATE'2024-01-01')"
PART_ROWS = [(1, "a", "x", dt.date(2024, 1, 1)), (2, "b", None, dt.date(2024, 1, 2)),
             (3, "c", "a/b:c%d=e f#?", None), (4, "d", None, dt.date(2024, 1, 1))]


def partition_folders(folder) -> set[str]:
    """The folders holding visible data files, relative to `folder`."""
    return {str(f.parent.relative_to(folder)) for f in folder.rglob("part-*")
            if not any(part.startswith((".", "_")) for part in f.relative_to(folder).parts)}


def test_spark_reads_basin_partitioned_table(basin, spark):
    basin.run("sql", "-e", "CREATE TABLE pt (id INT, p STRING, s STRING, d DATE) USING parquet "
                           "PARTITIONED BY (p, d)")
    basin.run("sql", "-e", f"INSERT INTO pt (id, s, p, d) VALUES {PART_VALUES}")
    folder = basin.scratch / "warehouse" / "main" / "default" / "pt"
    assert partition_folders(folder) == {
        "p=x/d=2024-01-01", "p=__HIVE_DEFAULT_PARTITION__/d=2024-01-02",
        "p=a%2Fb%3Ac%25d%3De f%23%3F/d=__HIVE_DEFAULT_PARTITION__",
        "p=__HIVE_DEFAULT_PARTITION__/d=2024-01-01"}
    df = spark.read.parquet(str(folder))
    # The partition columns come last, typed by Spark's inference; the files hold id and s only.
    assert df.dtypes == [("id", "int"), ("s", "string"), ("p", "string"), ("d", "date")]
    expected = sorted(PART_ROWS, key=repr)
    assert spark_rows(df) == expected
    assert basin_rows(basin, "SELECT * FROM pt") == expected
    for f in folder.rglob("*.parquet"):
        assert pq.read_schema(f).names == ["id", "s"]
    # Dynamic overwrite replaces only the partition written; Spark sees the same rows.
    basin.run("sql", "-e", "SET spark.sql.sources.partitionOverwriteMode=dynamic; "
                           "INSERT OVERWRITE pt VALUES (9, 'z', 'x', DATE'2024-01-01')")
    expected = sorted([r for r in expected if (r[2], r[3]) != ("x", dt.date(2024, 1, 1))] +
                      [(9, "z", "x", dt.date(2024, 1, 1))], key=repr)
    assert spark_rows(spark.read.parquet(str(folder))) == expected
    assert basin_rows(basin, "SELECT * FROM pt") == expected


@pytest.mark.parametrize("fmt", ["parquet", "json", "csv"])
def test_basin_reads_spark_partitioned_folder(basin, spark, tmp_path, fmt):
    folder = tmp_path / f"spark_parts_{fmt}"
    spark.createDataFrame(PART_ROWS, "id INT, s STRING, p STRING, d DATE") \
        .write.partitionBy("p", "d").format(fmt).save(str(folder))
    assert "p=a%2Fb%3Ac%25d%3De f%23%3F" in {f.split("/")[0] for f in partition_folders(folder)}
    # Spark leaves _SUCCESS and .crc files beside the data; they must not be read.
    assert (folder / "_SUCCESS").exists()
    # Direct reads discover the partition columns and their types from the folder names.
    theirs = spark_rows(spark.read.format(fmt).load(str(folder)))
    ours = basin_rows(basin, f"SELECT * FROM {fmt}.`{folder}`")
    assert ours == theirs
    assert len(ours) == 4
    assert basin_rows(basin, f"SELECT typeof(p), typeof(d) FROM {fmt}.`{folder}` LIMIT 1") == \
        [("string", "date")]
    # A table over the folder lists no partitions (Spark keeps the list in its catalog) until
    # MSCK REPAIR TABLE finds the folders; then it reads the same rows, and a filter on a
    # partition column works.
    basin.run("sql", "-e", f"CREATE TABLE ext (id INT, s STRING, p STRING, d DATE) USING {fmt} "
                           f"PARTITIONED BY (p, d) LOCATION '{folder}'")
    assert basin_rows(basin, "SELECT * FROM ext") == []
    basin.run("sql", "-e", "MSCK REPAIR TABLE ext")
    assert basin_rows(basin, "SELECT * FROM ext") == sorted(PART_ROWS, key=repr)
    assert basin_rows(basin, "SELECT id FROM ext WHERE p IS NULL") == [(2,), (4,)]
    assert basin_rows(basin, "SELECT id, p FROM ext WHERE p = 'a/b:c%d=e f#?'") == \
        [(3, "a/b:c%d=e f#?")]


def test_partition_ddl_folders(basin, spark):
    """ALTER TABLE ADD / DROP PARTITION make and remove the folders Spark reads."""
    basin.run("sql", "-e", "CREATE TABLE pd (id INT, p STRING, n INT) USING parquet "
                           "PARTITIONED BY (p, n)")
    basin.run("sql", "-e", "INSERT INTO pd VALUES (1, 'a', 1), (2, 'b/c', 2), (3, NULL, 3)")
    folder = basin.scratch / "warehouse" / "main" / "default" / "pd"
    basin.run("sql", "-e", "ALTER TABLE pd ADD PARTITION (p='new', n=4)")
    # An added partition is an empty folder, as Spark makes it.
    assert (folder / "p=new" / "n=4").is_dir()
    assert not any((folder / "p=new" / "n=4").iterdir())
    basin.run("sql", "-e", "ALTER TABLE pd DROP PARTITION (p='b/c', n=2)")
    # Dropping a partition of a managed table deletes its folder (the parent stays).
    assert not (folder / "p=b%2Fc" / "n=2").exists()
    assert (folder / "p=b%2Fc").is_dir()
    out = basin.run("sql", "-e", "SHOW PARTITIONS pd", "--format", "jsonl").stdout
    assert [json.loads(line)["partition"] for line in out.splitlines()] == ["p=__HIVE_DEFAULT_PARTITION__/n=3", "p=a/n=1", "p=new/n=4"]
    expected = [(1, "a", 1), (3, None, 3)]
    assert basin_rows(basin, "SELECT * FROM pd") == sorted(expected, key=repr)
    assert spark_rows(spark.read.parquet(str(folder))) == sorted(expected, key=repr)
    # Rows for an added partition land in its folder, readable by Spark.
    basin.run("sql", "-e", "INSERT INTO pd PARTITION (p='new', n=4) VALUES (4)")
    expected.append((4, "new", 4))
    assert spark_rows(spark.read.parquet(str(folder))) == sorted(expected, key=repr)
