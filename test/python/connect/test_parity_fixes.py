"""Behaviours that PySpark's own Connect parity suites check (test/connect_parity), each built the
same way on Basin and on a reference Spark (local mode, same pinned client) and compared."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from connect_support import rows


def both(spark, ref_spark, build):
    """Runs `build(session)` on both servers and returns (Basin's answer, Spark's answer)."""
    return build(spark), build(ref_spark)


def test_dataframe_star_reaches_using_join_duplicates(spark, ref_spark):
    def build(s):
        df1 = s.createDataFrame([(1, "x"), (2, "y")], ["a", "p"])
        df2 = s.createDataFrame([(1, "v")], ["a", "b"])
        out = []
        for how in ("inner", "left", "right", "full"):
            j = df1.join(df2, "a", how)
            w = j.withColumn("c", F.lit(0))
            for df in (j, w):
                out.append((how, df.columns, df.select(df2["*"]).columns,
                            df.select(df1["*"]).columns,
                            rows(df.select(df2["*"], df1["a"].alias("l"))),
                            rows(df.select(df2["a"]).where(df2["a"].isNull()))))
            # What was carried for df2["*"] stays out of everything else.
            out.append((how, rows(w.union(w)), w.alias("q").columns, rows(w.select("*")),
                        rows(w.groupBy("a").count())))
        return out

    basin, spark_answer = both(spark, ref_spark, build)
    assert basin == spark_answer


def test_show_truncates_cells_not_column_names(spark, ref_spark):
    def build(s):
        df = s.createDataFrame([(1, "1"), (22222, "22222")], ("key", "value"))
        wide = s.createDataFrame([(1, "abcdefgh")], ("a_long_name", "v"))
        shown = [df._show_string(20, truncate=3), wide._show_string(20, truncate=5),
                 wide._show_string(20, truncate=2), df._show_string(1, truncate=3)]
        eager = {"spark.sql.repl.eagerEval.enabled": "true",
                 "spark.sql.repl.eagerEval.truncate": "3",
                 "spark.sql.repl.eagerEval.maxNumRows": "1"}
        for key, value in eager.items():
            s.conf.set(key, value)
        try:
            return shown + [repr(df), df._repr_html_()]
        finally:
            for key in eager:
                s.conf.unset(key)

    basin, spark_answer = both(spark, ref_spark, build)
    assert basin == spark_answer


def test_cached_text_table_holds_rows_until_refresh(spark, ref_spark, tmp_path):
    def build(s, folder):
        folder.mkdir()
        s.sql("DROP TABLE IF EXISTS cached_text")
        s.sql(f"CREATE TABLE cached_text (col STRING) USING TEXT LOCATION '{folder}'")
        try:
            s.sql("INSERT INTO cached_text SELECT 'abc'")
            s.catalog.cacheTable("cached_text")
            counts = [s.table("cached_text").count()]
            for f in folder.iterdir():
                f.unlink()
            counts.append(s.table("cached_text").count())  # still the cached rows
            s.catalog.refreshTable("spark_catalog.default.cached_text")
            counts.append(s.table("cached_text").count())
            s.sql("INSERT INTO cached_text SELECT 'def'")  # a write is seen at once
            counts.append(s.table("cached_text").count())
            counts.append(s.catalog.isCached("cached_text"))
            return counts
        finally:
            s.sql("DROP TABLE IF EXISTS cached_text")

    basin = build(spark, tmp_path / "basin")
    assert basin == build(ref_spark, tmp_path / "spark")
    assert basin == [1, 1, 0, 1, True]


def test_partition_transforms_only_inside_partitioned_by(spark, ref_spark):
    import datetime

    from pyspark.errors import PySparkException
    from pyspark.sql.functions.partitioning import bucket, days, hours, months, years

    for session in (spark, ref_spark):
        df = session.createDataFrame([(1, datetime.datetime(2000, 1, 1), "foo")],
                                     ("id", "ts", "value"))
        for transform in (years("ts"), months("ts"), days("ts"), hours("ts"), bucket(2, "ts")):
            with pytest.raises(PySparkException,
                               match="PARTITION_TRANSFORM_EXPRESSION_NOT_IN_PARTITIONED_BY"):
                df.select(transform).collect()


def test_row_ids_count_rows_in_order(spark, ref_spark):
    import pandas as pd

    def build(s):
        df = s.createDataFrame([("a", 1), ("b", 2), ("c", 3)], ["Col1", "Col2"])
        # One partition on both sides: Spark's ids are then 0, 1, 2, ... as Basin's are.
        ids = df.coalesce(1).select(F.monotonically_increasing_id().alias("id"), "*")
        return (rows(ids), ids.schema.simpleString(), [f.nullable for f in ids.schema.fields],
                df.pandas_api().to_pandas(),
                df.pandas_api(index_col="Col1").to_pandas())

    basin, spark_answer = both(spark, ref_spark, build)
    assert basin[:3] == spark_answer[:3]
    assert basin[0] == [(0, "a", 1), (1, "b", 2), (2, "c", 3)]
    assert basin[2][0] is False  # row ids are never null
    pd.testing.assert_frame_equal(basin[3], spark_answer[3])
    pd.testing.assert_frame_equal(basin[4], spark_answer[4])
    # Many batches keep counting in order.
    big = spark.range(100000).select(F.monotonically_increasing_id().alias("m"), "id")
    assert big.where("m != id").count() == 0
    assert spark.range(5).select(F.monotonically_increasing_id()).collect()[-1][0] == 4
