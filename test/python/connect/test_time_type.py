"""Spark 4.2's TIME type over Spark Connect: literals, schemas, createDataFrame input, the TIME
functions, and the Delta type check. Expected values were produced by Spark 4.2.0 (local[1],
spark.sql.timeType.enabled, session time zone UTC) running the same queries."""

from __future__ import annotations

import datetime

import pytest
from pyspark.errors import AnalysisException
from pyspark.sql import functions as F
from pyspark.sql.types import StructField, StructType, TimeType


def test_time_literal_round_trip(spark):
    t = datetime.time(12, 34, 56, 1234)
    df = spark.range(1).select(F.lit(t).alias("t"))
    assert df.schema["t"].dataType.simpleString() == "time(6)"
    assert df.first()[0] == t


def test_sql_time_literal(spark):
    row = spark.sql(
        "SELECT TIME '12:34:56', TIME '1:2:3', TIME '12:34:56.1234567', typeof(TIME '01:02')"
    ).first()
    assert list(row) == [
        datetime.time(12, 34, 56),
        datetime.time(1, 2, 3),
        datetime.time(12, 34, 56, 123456),
        "time(6)",
    ]
    assert spark.sql("SELECT TIME '1:2:3'").columns == ["TIME '01:02:03'"]
    # time(x) is the cast alias of CAST(x AS TIME), named after x.
    df = spark.sql("SELECT TIME('00:00:00'), typeof(TIME('01:02:03'))")
    assert df.columns == ["00:00:00", "typeof(01:02:03)"]
    assert list(df.first()) == [datetime.time(0, 0), "time(6)"]


def test_invalid_time_literal(spark):
    with pytest.raises(Exception, match="INVALID_TYPED_LITERAL"):
        spark.sql("SELECT TIME '24:00:00'").collect()


def test_create_dataframe_with_time(spark):
    df = spark.createDataFrame([(1, datetime.time(1, 2, 3)), (2, None)], ["i", "t"])
    assert df.schema["t"].dataType == TimeType(6)
    assert df.orderBy("i").collect()[0].t == datetime.time(1, 2, 3)
    schema = StructType([StructField("t", TimeType())])
    df2 = spark.createDataFrame([(datetime.time(23, 59, 59, 999999),)], schema)
    assert df2.first().t == datetime.time(23, 59, 59, 999999)
    assert spark.createDataFrame([("10:00",)], "t string").selectExpr(
        "CAST(t AS TIME)").first()[0] == datetime.time(10, 0)


def test_time_comparisons_and_order(spark):
    df = spark.sql(
        "SELECT * FROM VALUES (TIME('00:00:00'), 1), (TIME('01:02:03'), 2), "
        "(TIME('11:12:13'), 3) AS tab(t, i)"
    )
    assert [r.i for r in df.where(F.col("t") < datetime.time(3, 0)).orderBy("i").collect()] == [1, 2]
    assert [r.i for r in df.where(F.col("t") == datetime.time(0, 0)).collect()] == [1]
    assert [r.t for r in df.orderBy(F.col("t").desc()).collect()] == [
        datetime.time(11, 12, 13), datetime.time(1, 2, 3), datetime.time(0, 0)]
    grouped = spark.sql(
        "SELECT t, count(*) AS n FROM VALUES (TIME '03:00'), (TIME '01:00'), "
        "(TIME '03:00:00.0') AS v(t) GROUP BY t ORDER BY t").collect()
    assert [(r.t, r.n) for r in grouped] == [(datetime.time(1), 1), (datetime.time(3), 2)]


def test_time_functions(spark):
    df = spark.createDataFrame([(1, 2, 3, "10:30:00", "HH:mm:ss")], ["h", "m", "s", "txt", "fmt"])
    row = df.select(
        F.make_time("h", "m", "s"),
        F.to_time("txt"),
        F.to_time("txt", "fmt"),
        F.try_to_time(F.lit("malformed")),
        F.hour(F.lit(datetime.time(12, 34, 56))),
        F.minute(F.lit(datetime.time(12, 34, 56))),
        F.second(F.lit(datetime.time(12, 34, 56, 789000))),
        F.time_diff(F.lit("MINUTE"), F.lit(datetime.time(20, 30, 29)), F.lit(datetime.time(21, 30, 28))),
        F.time_trunc(F.lit("MILLISECOND"), F.lit(datetime.time(12, 34, 56, 789123))),
    ).first()
    assert list(row) == [
        datetime.time(1, 2, 3),
        datetime.time(10, 30),
        datetime.time(10, 30),
        None,
        12,
        34,
        56,
        59,
        datetime.time(12, 34, 56, 789000),
    ]


def test_make_timestamp_from_date_and_time(spark):
    df = spark.range(1).select(
        F.lit(datetime.date(2024, 5, 22)).alias("d"),
        F.lit(datetime.time(10, 30, 45, 123000)).alias("t"),
    )
    row = df.select(
        F.make_timestamp(date=df.d, time=df.t),
        F.make_timestamp(date=df.d, time=df.t, timezone=F.lit("CET")),
        F.make_timestamp_ntz(date=df.d, time=df.t),
        F.try_make_timestamp_ntz(date=F.lit(None).cast("date"), time=df.t),
    ).first()
    assert list(row) == [
        datetime.datetime(2024, 5, 22, 10, 30, 45, 123000),
        datetime.datetime(2024, 5, 22, 8, 30, 45, 123000),
        datetime.datetime(2024, 5, 22, 10, 30, 45, 123000),
        None,
    ]


def test_current_time_names(spark):
    df = spark.range(1).select(F.current_time(), F.current_time(3))
    assert df.columns == ["current_time(6)", "current_time(3)"]
    assert all(isinstance(v, datetime.time) for v in df.first())


def test_time_errors(spark):
    with pytest.raises(Exception, match="DATETIME_FIELD_OUT_OF_BOUNDS"):
        spark.sql("SELECT make_time(24, 0, 0)").collect()
    with pytest.raises(Exception, match="CANNOT_PARSE_TIME"):
        spark.sql("SELECT to_time('malformed')").collect()
    with pytest.raises(Exception, match="INVALID_PARAMETER_VALUE.TIME_UNIT"):
        spark.sql("SELECT time_diff('DAY', TIME '20:30:29', TIME '21:30:29')").collect()
    with pytest.raises(AnalysisException, match="CAST_WITHOUT_SUGGESTION"):
        spark.sql("SELECT CAST(TIME '12:34:56' AS TIMESTAMP)").collect()


def test_delta_rejects_time(spark):
    with pytest.raises(Exception, match="DELTA_UNSUPPORTED_DATA_TYPES"):
        spark.sql("CREATE TABLE time_in_delta (t TIME) USING delta").collect()


def test_filter_on_column_dropped_by_select(spark):
    df = spark.sql(
        "SELECT * FROM VALUES (TIME('00:00:00'), 1), (TIME('01:02:03'), 2), "
        "(TIME('11:12:13'), 3) AS tab(t, i)"
    )
    res = df.select("i").where(F.col("t") > datetime.time(1, 0, 0))
    assert res.columns == ["i"]
    assert sorted(r.i for r in res.collect()) == [2, 3]


def test_time_interval_arithmetic(spark):
    row = spark.sql(
        "SELECT TIME '01:00' + INTERVAL '1' HOUR, TIME '03:00' - TIME '01:00:00.5'").first()
    assert row[0] == datetime.time(2, 0)
    assert row[1] == datetime.timedelta(hours=1, minutes=59, seconds=59, microseconds=500000)


def test_dataframe_write_to_delta_rejects_time(spark):
    df = spark.range(1).select(F.lit(datetime.time(1, 2, 3)).alias("t"))
    with pytest.raises(Exception, match="DELTA_UNSUPPORTED_DATA_TYPES"):
        df.write.format("delta").saveAsTable("time_df_in_delta")


def test_parquet_files_hold_time_in_micros(spark, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = str(tmp_path / "times")
    spark.range(1).select(F.lit(datetime.time(1, 2, 3, 456000)).alias("t")).write.parquet(path)
    files = [str(p) for p in (tmp_path / "times").glob("*.parquet")]
    # Spark 4.2 writes TIME as Parquet TIME(MICROS) and refuses TIME(NANOS).
    assert pq.read_schema(files[0]).field("t").type == pa.time64("us")
    back = spark.read.parquet(path)
    assert back.schema["t"].dataType == TimeType(6)
    assert back.first().t == datetime.time(1, 2, 3, 456000)
