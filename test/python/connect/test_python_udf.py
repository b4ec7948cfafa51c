"""Python UDFs through Spark Connect (udf, @udf, useArrow, pandas_udf, spark.udf.register): each
case built the same way on Basin and on a reference Spark (local mode, same client) where the
answer is Spark's to give, plus failure cases (exceptions in the function, a dying worker).
No `from __future__ import annotations`: pandas_udf reads the type hints as types."""

import os
import time

import pytest
from pyspark.errors import PythonException
from pyspark.sql import Row
from pyspark.sql import functions as F
from pyspark.sql import types as T

from connect_support import rows


def both(spark, ref_spark, build):
    """Runs `build(session)` on both servers and returns (Basin's answer, Spark's answer)."""
    return build(spark), build(ref_spark)


def people(s):
    return s.createDataFrame(
        [(1, "ann", 1.5, [1, 2]), (2, None, None, None), (3, "cy", -2.0, []), (None, "dee", 0.0, [7])],
        "id int, name string, score double, xs array<int>")


def test_row_udfs_of_each_return_type_like_spark(spark, ref_spark):
    def build(s):
        df = people(s)
        twice = F.udf(lambda x: None if x is None else x * 2, T.IntegerType())
        shout = F.udf(lambda n: None if n is None else n.upper() + "!")  # string by default
        half = F.udf(lambda v: None if v is None else v / 2, "double")
        lengths = F.udf(lambda xs: None if xs is None else [len(xs), sum(xs)], "array<int>")
        pair = F.udf(lambda i, n: (i, n), "struct<i:int,n:string>")
        seen_none = F.udf(lambda x: x is None, "boolean")
        wrong_type = F.udf(lambda x: 1, "double")  # an int for a double: null, as Spark does
        as_text = F.udf(lambda x, v: str(x) + "/" + str(v))
        out = df.select(
            "id", twice("id"), shout("name"), half(F.col("score")), lengths("xs"),
            pair("id", "name").alias("p"), seen_none("name"), wrong_type("id"),
            as_text("id", "score"))
        return out.columns, rows(out)

    basin, spark_answer = both(spark, ref_spark, build)
    assert basin == spark_answer


def test_decorator_arrow_and_pandas_udfs_like_spark(spark, ref_spark):
    import pandas as pd

    @F.udf(returnType=T.LongType())
    def plus_one(x):
        return None if x is None else x + 1

    @F.udf(returnType="string", useArrow=True)
    def tag(x):
        return None if x is None else "#" + str(x)

    @F.pandas_udf("double")
    def scaled(v: pd.Series) -> pd.Series:
        return v * 10

    @F.pandas_udf("long")
    def add(a: pd.Series, b: pd.Series) -> pd.Series:
        return a + b

    def build(s):
        df = s.range(0, 20).withColumn("v", F.col("id") / 4)
        out = df.select(plus_one("id").alias("p"), tag("id"), scaled("v"), add("id", F.col("id")))
        return out.columns, rows(out)

    basin, spark_answer = both(spark, ref_spark, build)
    assert basin == spark_answer


def test_udf_in_filter_group_by_and_with_column_like_spark(spark, ref_spark):
    parity = F.udf(lambda x: "even" if x % 2 == 0 else "odd")
    big = F.udf(lambda x: x > 40, "boolean")

    def build(s):
        df = s.range(0, 100)
        grouped = df.groupBy(parity("id").alias("k")).agg(F.count("*"), F.sum("id"))
        filtered = df.filter(big("id")).withColumn("k", parity(F.col("id") + 1))
        return rows(grouped), rows(filtered)

    basin, spark_answer = both(spark, ref_spark, build)
    assert basin == spark_answer


def test_register_then_sql_like_spark(spark, ref_spark):
    def build(s):
        s.udf.register("py_len", lambda v: None if v is None else len(v), T.IntegerType())
        s.udf.register("py_greet", F.udf(lambda v: "hi " + str(v)))
        s.udf.register("py_square", F.pandas_udf(lambda v: v * v, "long"))
        df = s.sql("SELECT py_len(name) AS l, py_greet(id), py_square(CAST(id AS BIGINT)) AS sq "
                   "FROM VALUES (1, 'ann'), (2, NULL) AS t(id, name) ORDER BY 1")
        via_expr = s.range(3).select(F.expr("py_square(id) + 1").alias("x"))
        return df.columns, rows(df, ordered=True), rows(via_expr)

    basin, spark_answer = both(spark, ref_spark, build)
    assert basin == spark_answer


def test_exception_in_udf_is_python_exception(spark):
    def boom(x):
        if x == 3:
            raise ValueError("no threes please")
        return x

    with pytest.raises(PythonException) as caught:
        spark.range(10).select(F.udf(boom, "long")("id")).collect()
    text = str(caught.value)
    assert "ValueError: no threes please" in text
    assert "Traceback" in text and "in boom" in text
    # A pandas UDF that returns too few rows.
    short = F.pandas_udf(lambda v: v.head(1), "long")
    with pytest.raises(PythonException, match="SCHEMA_MISMATCH_FOR_PANDAS_UDF"):
        spark.range(10).select(short("id")).collect()
    # The session still runs UDFs afterwards.
    again = spark.range(3).select(F.udf(lambda x: x * 3, "long")("id")).collect()
    assert [r[0] for r in again] == [0, 3, 6]


def test_many_rows_in_several_batches_and_threads(spark):
    n = 200_000
    df = spark.range(n).select(F.udf(lambda x: x * 2 + 1, "long")("id").alias("y"))
    got = df.agg(F.count("*"), F.sum("y"), F.min("y"), F.max("y")).collect()[0]
    assert tuple(got) == (n, n * n, 1, 2 * n - 1)
    pandas = spark.range(n).select(F.pandas_udf(lambda v: v % 7, "long")("id").alias("m"))
    assert pandas.agg(F.sum("m")).collect()[0][0] == sum(i % 7 for i in range(n))


def test_killed_worker_fails_the_query_and_the_next_one_runs(spark):
    def die(x):
        os.kill(os.getpid(), 9)
        return x

    start = time.time()
    with pytest.raises(PythonException, match="exited unexpectedly"):
        spark.range(5).select(F.udf(die, "long")("id")).collect()
    assert time.time() - start < 60
    assert spark.range(4).select(F.udf(lambda x: x + 1, "long")("id")).collect() == [
        Row(**{"<lambda>(id)": v}) for v in [1, 2, 3, 4]]


def test_worker_interpreter_without_pyarrow_says_so(tmp_path):
    """A PYSPARK_PYTHON that cannot import pyarrow fails the query with the reason, not with a
    bare "exited unexpectedly" (the parity runner once gave the server such a python3)."""
    import subprocess

    from connect_support import BasinServer, basin_binary, connect_session

    bare = next((p for p in ("/usr/bin/python3", "/bin/python3")
                 if os.path.exists(p) and subprocess.run(
                     [p, "-c", "import pyarrow"], capture_output=True).returncode != 0), None)
    if bare is None:
        pytest.skip("no Python without pyarrow on this machine")
    server = BasinServer(basin_binary(), tmp_path / "wh", extra_env={"PYSPARK_PYTHON": bare})
    try:
        session = connect_session(server.url)
        with pytest.raises(PythonException) as caught:
            session.range(2).select(F.udf(lambda x: x, "long")("id")).collect()
        text = str(caught.value)
        assert "pyarrow" in text and bare in text and "PYSPARK_PYTHON" in text, text
        assert "exited unexpectedly" not in text
        # The query after it fails the same way (no broken worker left in the pool).
        with pytest.raises(PythonException, match="pyarrow"):
            session.range(1).select(F.udf(lambda x: x, "long")("id")).collect()
        session.stop()
    finally:
        server.stop()


def test_nondeterministic_udf_runs_once_per_row(spark):
    import random

    noisy = F.udf(lambda: random.random(), "double").asNondeterministic()
    df = spark.range(1000).withColumn("r", noisy())
    values = [r.r for r in df.collect()]
    assert len(set(values)) > 900
    assert all(0 <= v < 1 for v in values)
    plan = df.filter(F.col("r") < 2)._explain_string(extended=True) if hasattr(
        df, "_explain_string") else ""
    assert "PushedFilters: [<lambda>" not in plan


def test_unsupported_kinds_name_the_missing_feature(spark):
    df = spark.range(3)
    with pytest.raises(Exception, match="mapInPandas"):
        df.mapInPandas(lambda it: it, "id long").collect()
    with pytest.raises(Exception, match="applyInPandas"):
        df.groupBy("id").applyInPandas(lambda p: p, "id long").collect()
