"""More of the DataFrame API through Spark Connect: checkpoints, spark.catalog.isCached, sampleBy,
transpose, implicit cartesian products, DataFrame.to(schema), structs with duplicate field names
and column metadata. Each test runs the same calls on Basin and on the reference Spark server and
compares the answers (rows, schemas, error classes)."""

from __future__ import annotations

import contextlib
import uuid

import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import (IntegerType, LongType, StringType, StructField, StructType)

from connect_support import rows


def outcome(build):
    """What `build()` gives: ("ok", value), or ("error", Python exception class, error class)."""
    try:
        return ("ok", build())
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        error_class = e.getErrorClass() if hasattr(e, "getErrorClass") else None
        return ("error", type(e).__name__, error_class)


@contextlib.contextmanager
def active(session):
    """The client makes a checkpoint's DataFrame in the active session: with two servers in one
    process, the one the test talks to must be that session."""
    from pyspark.sql.connect.session import SparkSession as RemoteSparkSession

    previous = getattr(RemoteSparkSession._active_session, "session", None)
    RemoteSparkSession._active_session.session = session
    try:
        yield session
    finally:
        RemoteSparkSession._active_session.session = previous


def same_on_both(spark, ref_spark, build):
    ours, theirs = outcome(lambda: build(spark)), outcome(lambda: build(ref_spark))
    assert ours == theirs
    return ours


# 1. checkpoint() / localCheckpoint()

def checkpoint_source(s):
    return s.range(6).select("id", (F.col("id") % 3).alias("k"), F.col("id").cast("string").alias("s"))


def test_local_checkpoint_matches_spark(spark, ref_spark):
    for eager in (True, False):
        results = []
        for session in (spark, ref_spark):
            with active(session):
                checkpointed = checkpoint_source(session).localCheckpoint(eager=eager)
                results.append((checkpointed.schema, rows(checkpointed),
                                rows(checkpointed.filter("k = 1").select("s", F.col("id") * 2)),
                                rows(checkpointed.groupBy("k").count())))
        assert results[0] == results[1]


def test_checkpoint_keeps_rows(spark, tmp_path):
    # Spark wants a checkpoint directory for checkpoint() (_LEGACY_ERROR_TEMP_3016 without one);
    # Basin keeps the rows in memory, as for localCheckpoint().
    path = str(tmp_path / "t")
    spark.range(3).write.format("delta").save(path)
    with active(spark):
        checkpointed = spark.read.format("delta").load(path).checkpoint()
        spark.range(10, 12).write.format("delta").mode("append").save(path)
        assert rows(checkpointed) == [(0,), (1,), (2,)]
        assert spark.read.format("delta").load(path).count() == 5
        assert rows(checkpointed.join(checkpointed.withColumnRenamed("id", "j"),
                                      F.col("id") == F.col("j"))) == [(0, 0), (1, 1), (2, 2)]
        assert checkpointed._plan._relation_id
        del checkpointed  # the client releases the relation (RemoveCachedRemoteRelationCommand)
        assert spark.range(1).count() == 1


def test_checkpoint_of_a_broken_dataframe_fails_like_spark(spark, ref_spark):
    result = same_on_both(spark, ref_spark, lambda s: s.range(2).select("nope").localCheckpoint())
    assert result[0] == "error"


# 2. spark.catalog.isCached

def test_is_cached_matches_spark(spark, ref_spark):
    def steps(s):
        name = "cached_" + uuid.uuid4().hex[:8]
        s.sql(f"CREATE TABLE {name} (a INT) USING delta")
        s.sql(f"INSERT INTO {name} VALUES (1), (2)")
        out = [s.catalog.isCached(name)]
        s.sql(f"CACHE TABLE {name}")
        out.append(s.catalog.isCached(name))
        out.append(rows(s.table(name)))
        s.sql(f"UNCACHE TABLE {name}")
        out.append(s.catalog.isCached(name))
        s.table(name).cache()
        out.append(s.catalog.isCached(name))
        s.table(name).unpersist()
        out.append(s.catalog.isCached(name))
        s.catalog.cacheTable(name)
        out.append(s.catalog.isCached(name))
        s.catalog.clearCache()
        out.append(s.catalog.isCached(name))
        s.range(2).createOrReplaceTempView(name + "_v")
        out.append(s.catalog.isCached(name + "_v"))
        s.sql(f"DROP TABLE {name}")
        return out

    assert same_on_both(spark, ref_spark, steps) == (
        "ok", [False, True, [(1,), (2,)], False, True, False, True, False, False])


def test_is_cached_through_the_catalog_matches_spark(spark, ref_spark):
    # spark.catalog.cacheTable marks any table or view, whatever its format, under any spelling
    # of its name.
    def steps(s):
        db = "cache_db_" + uuid.uuid4().hex[:8]
        s.sql(f"CREATE DATABASE {db}")
        s.sql(f"CREATE TABLE {db}.t (a INT) USING parquet")
        s.range(2).createOrReplaceTempView(db + "_v")
        names = [f"{db}.t", f"spark_catalog.{db}.t"]
        out = [[s.catalog.isCached(n) for n in names]]
        s.catalog.cacheTable(f"spark_catalog.{db}.t")
        out.append([s.catalog.isCached(n) for n in names])
        s.catalog.uncacheTable(f"{db}.t")
        out.append([s.catalog.isCached(n) for n in names])
        s.catalog.cacheTable(db + "_v")
        out.append(s.catalog.isCached(db + "_v"))
        s.catalog.cacheTable(f"{db}.t")
        s.catalog.clearCache()
        out.append([s.catalog.isCached(n) for n in names + [db + "_v"]])
        s.sql(f"DROP TABLE {db}.t")
        s.sql(f"DROP DATABASE {db}")
        return out

    assert same_on_both(spark, ref_spark, steps) == (
        "ok", [[False, False], [True, True], [False, False], True, [False, False, False]])


def test_is_cached_unknown_table(spark, ref_spark):
    assert same_on_both(spark, ref_spark, lambda s: s.catalog.isCached("no_such_table")) == (
        "error", "AnalysisException", "TABLE_OR_VIEW_NOT_FOUND")


# 3. sampleBy

def strata(s):
    return s.range(30).select((F.col("id") % 3).alias("k"), "id",
                              F.when(F.col("id") % 4 == 0, None).otherwise(
                                  F.concat(F.lit("s"), (F.col("id") % 2).cast("string")))
                              .alias("t"))


@pytest.mark.parametrize("name,build", [
    ("keep_and_drop", lambda s: strata(s).sampleBy("k", {0: 1.0, 1: 0.0}, seed=1)),
    ("unlisted_is_zero", lambda s: strata(s).sampleBy(F.col("k"), {0: 1.0, 2: 1.0}, seed=5)),
    ("string_strata_nulls", lambda s: strata(s).sampleBy("t", {"s1": 1.0, "s0": 0.0}, seed=2)),
    ("no_fractions", lambda s: strata(s).sampleBy("k", {}, seed=3)),
    ("expression", lambda s: strata(s).sampleBy(F.col("id") % 2, {1: 1.0}, seed=4)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_sample_by_matches_spark(spark, ref_spark, name, build):
    same_on_both(spark, ref_spark, lambda s: (build(s).schema, rows(build(s))))


def test_sample_by_mixed_fraction_is_a_subset(spark):
    sample = rows(strata(spark).sampleBy("k", {0: 1.0, 1: 0.5}, seed=7))
    assert {r for r in sample if r[0] == 0} == {r for r in rows(strata(spark)) if r[0] == 0}
    assert all(r[0] in (0, 1) for r in sample)


def test_sample_by_bad_fraction(spark, ref_spark):
    # Spark's error has no error class (a failed require()); Basin's is INVALID_PARAMETER_VALUE.
    for fraction in (1.5, -0.5):
        for session in (spark, ref_spark):
            with pytest.raises(Exception, match=r"Fractions must be in \[0, 1\]") as error:
                rows(strata(session).sampleBy("k", {0: fraction}, seed=1))
            assert type(error.value).__name__ == "IllegalArgumentException"


# 4. transpose

TRANSPOSE_CASES = [
    ("default_index", lambda s: s.createDataFrame([("x", 1, 2.0), ("y", 3, 4.5)],
                                                  "k string, a int, b double").transpose()),
    ("sorted_nulls_dropped", lambda s: s.createDataFrame(
        [("y", 1, 2), ("x", 3, 4), (None, 5, 6)], "k string, a int, b long").transpose()),
    ("int_index", lambda s: s.createDataFrame([(2, 1, 2), (1, 3, 4)],
                                              "k int, a int, b long").transpose()),
    ("double_index", lambda s: s.createDataFrame([(2.5, 1, 2), (1.5, 3, 4)],
                                                 "k double, a int, b int").transpose()),
    ("explicit_index", lambda s: s.createDataFrame([(1, "x", "p"), (2, "y", "q")],
                                                   "a int, k string, b string")
     .transpose(F.col("k"))),
    ("duplicate_values", lambda s: s.createDataFrame([("x", 1, 2), ("x", 3, 4)],
                                                     "k string, a int, b int").transpose()),
    ("only_index", lambda s: s.createDataFrame([(1,), (2,)], "k int").transpose()),
    ("no_rows", lambda s: s.createDataFrame([(1, 1, 2)], "k int, a int, b long")
     .filter("k > 10").transpose()),
    ("decimal_int", lambda s: s.sql("SELECT 'x' k, CAST(1 AS DECIMAL(12,2)) a, 2 b").transpose()),
    # Errors.
    ("no_common_type", lambda s: s.createDataFrame([("x", 1, "p")], "k string, a int, b string")
     .transpose()),
    ("no_common_decimal", lambda s: s.sql("SELECT 'x' k, CAST(1 AS DECIMAL(5,2)) a, 2 b")
     .transpose()),
    ("array_index", lambda s: s.createDataFrame([(["x"], 1, 2)], "k array<string>, a int, b int")
     .transpose()),
    ("expression_index", lambda s: s.range(3).select(F.col("id").alias("k"), F.col("id").alias("a"))
     .transpose(F.col("k") + 1)),
    ("unknown_index", lambda s: s.range(3).transpose(F.col("nope"))),
    ("too_many_rows", lambda s: s.range(1, 502).withColumn("v", F.lit(1)).transpose()),
]


@pytest.mark.parametrize("name,build", TRANSPOSE_CASES, ids=[c[0] for c in TRANSPOSE_CASES])
def test_transpose_matches_spark(spark, ref_spark, name, build):
    same_on_both(spark, ref_spark, lambda s: (lambda df: (df.schema, df.collect()))(build(s)))


def error_with_parameters(build):
    """The error class and message parameters of the error `build()` raises, or None."""
    try:
        build()
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return (e.getCondition(), e.getMessageParameters())
    return None


TRANSPOSE_ERROR_CASES = [c for c in TRANSPOSE_CASES if c[0] in (
    "no_common_type", "no_common_decimal", "array_index", "expression_index", "too_many_rows")]


@pytest.mark.parametrize("name,build", TRANSPOSE_ERROR_CASES,
                         ids=[c[0] for c in TRANSPOSE_ERROR_CASES])
def test_transpose_error_parameters_match_spark(spark, ref_spark, name, build):
    ours = error_with_parameters(lambda: build(spark).collect())
    assert ours is not None and ours[1], ours
    assert ours == error_with_parameters(lambda: build(ref_spark).collect())


def test_transpose_row_limit_parameters(spark):
    spark.conf.set("spark.sql.transposeMaxValues", "0")
    try:
        got = error_with_parameters(
            lambda: spark.createDataFrame([("x", "y")], "a string, b string").transpose().collect())
    finally:
        spark.conf.unset("spark.sql.transposeMaxValues")
    assert got == ("TRANSPOSE_EXCEED_ROW_LIMIT",
                   {"maxValues": "0", "config": "spark.sql.transposeMaxValues"})


# 5. spark.sql.crossJoin.enabled=false

def test_implicit_cartesian_product_fails_like_spark(spark, ref_spark):
    def steps(s):
        s.conf.set("spark.sql.crossJoin.enabled", "false")
        try:
            a, b = s.range(2), s.range(3).withColumnRenamed("id", "j")
            return [outcome(lambda: a.join(b).collect()),
                    outcome(lambda: a.join(b, how="left").collect()),
                    outcome(lambda: a.join(b, F.lit(True)).collect()),
                    outcome(lambda: a.join(b).schema),
                    outcome(lambda: len(a.crossJoin(b).collect())),
                    outcome(lambda: rows(a.join(b, F.col("id") == F.col("j"))))]
        finally:
            s.conf.unset("spark.sql.crossJoin.enabled")

    ours, theirs = steps(spark), steps(ref_spark)
    assert ours == theirs
    assert ours[0] == ("error", "AnalysisException", "_LEGACY_ERROR_TEMP_1211")
    assert ours[4] == ("ok", 6)
    assert same_on_both(spark, ref_spark, lambda s: len(s.range(2).join(s.range(3)).collect())) == (
        "ok", 6)


def test_implicit_cartesian_product_message(spark):
    spark.conf.set("spark.sql.crossJoin.enabled", "false")
    try:
        with pytest.raises(Exception, match="Detected implicit cartesian product for INNER join"):
            spark.range(2).join(spark.range(3)).collect()
    finally:
        spark.conf.unset("spark.sql.crossJoin.enabled")


# 6. DataFrame.to(schema)

PEOPLE_SCHEMA = "x int, y string"


def nullable_rows(s):
    return s.createDataFrame([(1, "a"), (None, "b")], PEOPLE_SCHEMA)


TO_CASES = [
    ("reorder_cast", lambda s: nullable_rows(s).to(
        StructType([StructField("y", StringType()), StructField("x", LongType())]))),
    ("case_insensitive", lambda s: nullable_rows(s).to(StructType([StructField("X", IntegerType())]))),
    ("missing_nullable", lambda s: nullable_rows(s).to(StructType([StructField("z", IntegerType())]))),
    ("int_to_string", lambda s: nullable_rows(s).to(StructType([StructField("x", StringType())]))),
    ("narrowing", lambda s: s.range(2).to(StructType([StructField("id", IntegerType())]))),
    ("non_nullable_kept", lambda s: s.range(2).to(StructType([StructField("id", LongType(), False)]))),
    # Errors.
    ("nullable_to_non_nullable", lambda s: nullable_rows(s).to(
        StructType([StructField("x", IntegerType(), False)]))),
    ("nullable_after_filter", lambda s: nullable_rows(s).filter("x IS NOT NULL").to(
        StructType([StructField("x", IntegerType(), False)]))),
    ("nested_nullable", lambda s: s.sql("SELECT named_struct('a', CAST(NULL AS INT)) s").to(
        StructType([StructField("s", StructType([StructField("a", IntegerType(), False)]))]))),
    ("string_to_int", lambda s: nullable_rows(s).to(StructType([StructField("y", IntegerType())]))),
    ("missing_non_nullable", lambda s: nullable_rows(s).to(
        StructType([StructField("z", IntegerType(), False)]))),
    ("overflow", lambda s: s.createDataFrame([(2 ** 40,)], "x long").to(
        StructType([StructField("x", IntegerType())]))),
    # struct(...) is never null itself, so it fits a non-nullable struct field.
    ("struct_not_null", lambda s: nullable_rows(s).select(F.struct("x", "y").alias("st")).to(
        StructType([StructField("st", StructType([StructField("x", StringType()),
                                                  StructField("y", StringType())]), False)]))),
    # Nested struct fields are matched by name and put in the schema's order.
    ("struct_fields_by_name", lambda s: nullable_rows(s).select(F.struct("y", "x").alias("st")).to(
        StructType([StructField("st", StructType([StructField("X", StringType()),
                                                  StructField("y", StringType())]), False)]))),
    ("nullable_struct_fields_by_name", lambda s: s.sql(
        "SELECT IF(id = 0, NULL, named_struct('b', id, 'a', named_struct('q', 1, 'p', 'z'))) st "
        "FROM range(2)").to(StructType([StructField("st", StructType([
            StructField("a", StructType([StructField("p", StringType()),
                                         StructField("q", LongType())])),
            StructField("b", StringType())]))]))),
]


def test_constructors_are_not_nullable_like_spark(spark, ref_spark):
    sql = "SELECT struct(1, 'a') s, named_struct('a', id) t, array(id) u, map('k', id) m FROM range(1)"

    def nullability(session):
        return [f.nullable for f in session.sql(sql).schema.fields]

    assert nullability(spark) == nullability(ref_spark) == [False] * 4


@pytest.mark.parametrize("name,build", TO_CASES, ids=[c[0] for c in TO_CASES])
def test_to_schema_matches_spark(spark, ref_spark, name, build):
    same_on_both(spark, ref_spark, lambda s: (lambda df: (df.columns, df.collect()))(build(s)))


# 7. Structs with duplicate field names

DUPLICATE_FIELD_QUERIES = [
    "SELECT struct(1 AS a, 2 AS a) s, 3 AS x",
    "SELECT struct(1 AS a, 2 AS a, 3 AS b, 4 AS a) s",
    "SELECT array(struct(1 AS a, 'x' AS a, 2 AS b)) arr, map(1, struct(1 AS a, 2 AS a)) m",
    "SELECT named_struct('a', 1, 'A', 2) s",
    "SELECT 1 AS a, 2 AS a",
]


def arrow_names(schema):
    """The field names of an Arrow schema, nested ones as (name, [inner names])."""
    import pyarrow as pa

    def names(t):
        if pa.types.is_struct(t):
            return [(t.field(i).name, names(t.field(i).type)) for i in range(t.num_fields)]
        if pa.types.is_map(t):
            return [names(t.key_type), names(t.item_type)]
        if pa.types.is_list(t):
            return [names(t.value_type)]
        return []

    return [(f.name, names(f.type)) for f in schema]


def test_local_rows_with_duplicate_struct_field_names(spark, ref_spark):
    schema = (StructType()
              .add("s", StructType().add("x", StringType()).add("x", IntegerType()))
              .add("t", StructType().add("a", IntegerType()).add("y", IntegerType())
                   .add("y", StringType())))
    data = [(("a", 1), (2, 3, "b")), (("w", 6), (7, 8, "x"))]
    same_on_both(spark, ref_spark, lambda s: (
        lambda df: (df.schema.simpleString(), df.collect()))(s.createDataFrame(data, schema)))


@pytest.mark.parametrize("query", DUPLICATE_FIELD_QUERIES)
def test_duplicate_struct_field_names_match_spark(spark, ref_spark, query):
    # Compared without nullability: Basin infers struct() fields as nullable where Spark knows
    # they are not.
    def result(s):
        df = s.sql(query)
        table, _ = df._to_table()
        return (df.schema.simpleString(), df.collect(), arrow_names(table.schema))

    same_on_both(spark, ref_spark, result)


# 8. Column metadata

METADATA_CASES = [
    ("select_alias", lambda s: s.range(1).select(
        F.col("id").alias("x", metadata={"k": "v", "n": 1}))),
    ("kept_by_reference", lambda s: s.range(1).select(F.col("id").alias("x", metadata={"k": "v"}))
     .select("x", F.col("x").alias("q"), (F.col("x") + 1).alias("z"))),
    ("kept_by_rename_filter_sort", lambda s: s.range(3).select(
        F.col("id").alias("x", metadata={"k": "v"}), "id").withColumnRenamed("x", "w")
     .filter("w >= 0").orderBy("w").limit(2)),
    ("with_metadata", lambda s: s.range(1).withMetadata("id", {"a": 1.5})),
    ("with_column_alias_dropped", lambda s: s.range(1).withColumn(
        "y", F.col("id").alias("x", metadata={"k": [1, 2]}))),
    ("group_key", lambda s: s.range(2).select(F.col("id").alias("x", metadata={"k": "v"}))
     .groupBy("x").count()),
    ("join", lambda s: s.range(2).select(F.col("id").alias("x", metadata={"l": 1})).join(
        s.range(2).select(F.col("id").alias("y", metadata={"r": 2})), F.col("x") == F.col("y"))),
    ("drop", lambda s: s.range(1).select(F.col("id").alias("x", metadata={"k": "v"}), "id")
     .drop("id")),
]


@pytest.mark.parametrize("name,build", METADATA_CASES, ids=[c[0] for c in METADATA_CASES])
def test_column_metadata_matches_spark(spark, ref_spark, name, build):
    def result(s):
        df = build(s)
        return ([(f.name, f.metadata) for f in df.schema.fields], sorted(df.collect()),
                [f.metadata for f in df.toArrow().schema] if name == "select_alias" else None)

    same_on_both(spark, ref_spark, result)


def test_current_user_is_the_client_user_id(basin_url):
    """current_user() (and user(), session_user()) is the user id the client connects with."""
    from connect_support import connect_session

    session = connect_session(basin_url.rstrip("/") + "/;user_id=alice")
    try:
        row = session.sql("SELECT current_user() AS a, user() AS b, session_user() AS c").first()
        assert (row.a, row.b, row.c) == ("alice", "alice", "alice")
        assert session.range(1).select(F.current_user().alias("u")).first().u == "alice"
    finally:
        session.stop()


def test_conf_set_none_raises_illegal_argument(spark):
    """spark.conf.set(key, None) fails as in Spark, with an IllegalArgumentException."""
    from pyspark.errors import IllegalArgumentException

    with pytest.raises(IllegalArgumentException, match="INVALID_CONF_VALUE"):
        spark.conf.set("basin.test.none", None)
    spark.conf.set("basin.test.none", 1)
    assert spark.conf.get("basin.test.none") == "1"


def test_make_interval_is_a_calendar_interval(spark):
    """make_interval gives Spark's CALENDAR INTERVAL type, through SQL and the DataFrame API."""
    from pyspark.sql.types import CalendarIntervalType

    schema = spark.sql("SELECT make_interval(100, 11, 1, 1, 12, 30, 01.001001)").schema
    assert schema.fields[0].dataType == CalendarIntervalType()
    assert spark.range(1).select(F.make_interval(F.lit(1))).schema.fields[0].dataType == \
        CalendarIntervalType()
    row = spark.sql("SELECT CAST(make_interval(1, 2, 0, 3) AS STRING) AS s").first()
    assert row.s == "1 years 2 months 3 days"
    df = spark.createDataFrame([(2147483647,)], ["num"])
    assert df.select(F.isnull(F.try_make_interval("num")).alias("n")).first().n is True


def test_conf_get_with_default_gives_the_callers_default_when_unset(spark):
    # As Spark's SQLConf.getConfString(key, default): a key's own default is not used here.
    key = "spark.sql.sources.partitionOverwriteMode"
    spark.conf.unset(key)
    assert spark.conf.get(key, None) is None
    assert spark.conf.get(key, "dynamic") == "dynamic"
    assert spark.conf.get(key) == "STATIC"
    spark.conf.set(key, "DYNAMIC")
    try:
        assert spark.conf.get(key, None) == "DYNAMIC"
    finally:
        spark.conf.unset(key)


@pytest.mark.parametrize("build", ["replace", "add"])
def test_with_column_after_a_join_with_shared_names_matches_spark(spark, ref_spark, build):
    # Both sides of the join have colC: withColumn must keep both, by position.
    def run(session):
        left = session.createDataFrame([("a", "b", "c")], "colA string, colB string, colC string")
        right = session.createDataFrame([("c", "d", "e")], "colC string, colD string, colE string")
        joined = left.join(right, left["colC"] == right["colC"])
        if build == "replace":
            out = joined.withColumn("colB", F.concat(left["colB"], F.lit("x")))
        else:
            out = joined.withColumn("colF", F.lit(1))
        return out.columns, [tuple(r) for r in out.collect()]

    assert run(spark) == run(ref_spark)


@pytest.mark.parametrize("how", ["replaced_column", "kept_column", "by_name"])
def test_drop_column_of_a_join_input_matches_spark(spark, ref_spark, how):
    # withColumn("colB", ...) replaces the joined colB: left["colB"] then names no column of the
    # result and drop() keeps everything, as in Spark; a column that did pass through is dropped.
    def run(session):
        left = session.createDataFrame([("a", "b", "c")], "colA string, colB string, colC string")
        right = session.createDataFrame([("c", "d", "e")], "colC string, colD string, colE string")
        joined = left.join(right, left["colC"] == right["colC"]).withColumn(
            "colB", F.when(left["colB"] == "b", F.concat(left["colB"], F.lit("x")))
            .otherwise(left["colB"]))
        column = {"replaced_column": left["colB"], "kept_column": left["colA"],
                  "by_name": F.col("colB")}[how]
        out = joined.drop(column)
        return out.columns, [tuple(r) for r in out.collect()]

    assert run(spark) == run(ref_spark)


def test_order_by_then_select_then_limit_runs_as_top_n_like_spark(spark, ref_spark):
    # Limit over a projection over a sort is one top-N operator whose projection runs on the
    # kept rows only (Spark's TakeOrderedAndProject): the division by zero at id = 5 is never
    # computed, on either server.
    def run(session):
        ordered = session.range(10).orderBy(F.col("id").desc())
        ratio = ordered.select((F.lit(10) / (F.col("id") - 5)).alias("r")).limit(3)
        doubled = ordered.select((F.col("id") * 2).alias("d")).limit(2).offset(1)
        return outcome(lambda: rows(ratio)), outcome(lambda: rows(doubled))

    assert run(spark) == run(ref_spark)
    plan = (spark.range(10).orderBy(F.col("id").desc()).select("id").limit(3)
            ._explain_string(extended=False))
    assert "TakeOrderedAndProject(limit=3" in plan and "Sort" not in plan, plan


def test_time_window_aggregation_matches_spark(spark, ref_spark):
    # groupBy(window(...)) as PySpark's own test_window_time writes it, and a sliding window.
    import datetime

    def run(session):
        df = session.createDataFrame(
            [(datetime.datetime(2016, 3, 11, 9, 0, 7), 1), (datetime.datetime(2016, 3, 11, 9, 0, 12), 2),
             (None, 3)], ["date", "val"])
        tumbling = df.groupBy(F.window("date", "5 seconds")).agg(F.sum("val").alias("sum"))
        a = tumbling.select(tumbling.window.end.cast("string").alias("end"),
                            F.window_time(tumbling.window).cast("string").alias("window_time"),
                            "sum")
        sliding = df.groupBy(F.window("date", "10 seconds", "5 seconds")).agg(
            F.sum("val").alias("sum"))
        b = sliding.select(sliding.window.start.cast("string").alias("start"), "sum")
        return rows(a), rows(b), a.columns, tumbling.columns

    assert run(spark) == run(ref_spark)
