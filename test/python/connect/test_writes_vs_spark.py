"""The write, spark.sql and spark.catalog stories of test_writes_catalog_delta.py, run through the
same PySpark client against Basin and against the reference Spark Connect server (Spark in local
mode with Delta): both must tell the same story."""

from __future__ import annotations

import pytest

from test_writes_catalog_delta import (
    catalog_story,
    delta_path_story,
    save_as_table_story,
    unique,
    write_to_story,
)


def both(spark, ref_spark, story, *args_for):
    ours = story(spark, *args_for[0])
    theirs = story(ref_spark, *args_for[1])
    return ours, theirs


def test_save_as_table_like_spark(spark, ref_spark):
    name = unique("vs_sat")
    ours, theirs = both(spark, ref_spark, save_as_table_story, (name,), (name,))
    assert ours == theirs


def test_write_to_like_spark(spark, ref_spark):
    name = unique("vs_wt")
    ours, theirs = both(spark, ref_spark, write_to_story, (name,), (name,))
    assert ours == theirs


def test_delta_path_writes_like_spark(spark, ref_spark, tmp_path):
    ours, theirs = both(spark, ref_spark, delta_path_story, (str(tmp_path / "ours"),),
                        (str(tmp_path / "theirs"),))
    assert ours == theirs


def sql_query_story(session, name):
    """spark.sql commands and queries. Parameters (args=) are left out: the reference server
    (Spark 4.2 local Connect) answers them with UNBOUND_SQL_PARAMETER here, while Basin binds
    them; test_writes_catalog_delta.py checks Basin's side."""
    session.sql(f"CREATE TABLE {name} (id BIGINT, v STRING) USING delta")
    session.sql(f"INSERT INTO {name} SELECT id + 10, 'df' FROM {{df}}", df=session.range(2))
    return {
        "rows": sorted(tuple(r) for r in session.table(name).collect()),
        "shown": [r.tableName for r in session.sql(f"SHOW TABLES LIKE '{name}'").collect()],
        "described": [r.col_name for r in session.sql(f"DESCRIBE TABLE {name}").collect()
                      if r.col_name and not r.col_name.startswith("#")],
    }


def test_sql_commands_like_spark(spark, ref_spark):
    name = unique("vs_sql")
    ours, theirs = both(spark, ref_spark, sql_query_story, (name,), (name,))
    assert ours == theirs


def test_catalog_like_spark(spark, ref_spark):
    db = unique("vs_db")
    ours, theirs = both(spark, ref_spark, catalog_story, (db,), (db,))
    assert ours == theirs


def file_counts_story(session, root):
    """How many files a write makes when the DataFrame sets its partitions: range's
    numPartitions, repartition(n), coalesce(n), through column-wise steps."""
    from pathlib import Path

    from pyspark.sql import functions as F

    def parquet_files(path):
        return len(list(Path(path).glob("part-*.parquet")))

    def delta_files(path):
        return session.sql(f"DESCRIBE DETAIL delta.`{path}`").collect()[0]["numFiles"]

    counts = {}
    session.range(1, 100, 1, 10).write.parquet(f"{root}/range10")
    counts["range10"] = parquet_files(f"{root}/range10")
    session.range(0, 9, 1, 4).write.parquet(f"{root}/range4")
    counts["range4"] = parquet_files(f"{root}/range4")
    session.range(0, 9, 1, 4).write.format("delta").save(f"{root}/range4_delta")
    counts["range4_delta"] = delta_files(f"{root}/range4_delta")
    session.range(0, 1000).repartition(3).write.format("delta").save(f"{root}/repartition3")
    counts["repartition3"] = delta_files(f"{root}/repartition3")
    (session.range(0, 1000).repartition(5).withColumn("x", F.col("id") * 2).select("id", "x")
     .write.parquet(f"{root}/repartition5"))
    counts["repartition5"] = parquet_files(f"{root}/repartition5")
    session.range(0, 1000, 1, 8).coalesce(2).write.format("delta").save(f"{root}/coalesce2")
    counts["coalesce2"] = delta_files(f"{root}/coalesce2")
    session.createDataFrame([(1, "a"), (2, "b")], "id INT, v STRING").coalesce(1).write \
        .format("delta").save(f"{root}/coalesce1")
    counts["coalesce1"] = delta_files(f"{root}/coalesce1")
    counts["rows"] = session.read.format("delta").load(f"{root}/repartition3").count()
    return counts


def test_partitions_set_the_number_of_files_like_spark(spark, ref_spark, tmp_path):
    ours, theirs = both(spark, ref_spark, file_counts_story, (str(tmp_path / "ours"),),
                        (str(tmp_path / "theirs"),))
    assert ours == theirs
    assert ours["range10"] == 10 and ours["repartition3"] == 3
