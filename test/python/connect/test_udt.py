"""User-defined types (UDTs) through Spark Connect. The client sends UDT values serialized to
their sqlType along with the UDT in the schema, and turns results back into objects with the UDT
the result schema names; the server keeps the UDT with the column through projections, filters,
unions, joins, temp views, Parquet files and Delta tables. Each test runs the same
calls on Basin and on the reference Spark server and compares the answers."""

from __future__ import annotations

import uuid

import pytest
from pyspark.errors import AnalysisException
from pyspark.sql import Row
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DoubleType,
    LongType,
    MapType,
    StructField,
    StructType,
    UserDefinedType,
)
from pyspark.testing.objects import ExamplePoint, ExamplePointUDT


class PointUDT(UserDefinedType):
    """A Python-only UDT: a point stored as array<double> [x, y]."""

    @classmethod
    def sqlType(cls):
        return ArrayType(DoubleType(), False)

    @classmethod
    def module(cls):
        # The client imports the class from here when it reads a result schema.
        return __name__

    def serialize(self, obj):
        return [obj.x, obj.y]

    def deserialize(self, datum):
        return Point(datum[0], datum[1])


class Point:
    __UDT__ = PointUDT()

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __repr__(self):
        return f"Point({self.x}, {self.y})"

    def __eq__(self, other):
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)


SCHEMA = StructType([StructField("label", DoubleType(), False),
                     StructField("point", PointUDT(), True)])
ROWS = [(1.0, Point(1.0, 2.0)), (2.0, None), (3.0, Point(-1.5, 0.0))]


def points(session):
    return session.createDataFrame(ROWS, SCHEMA)


def both(spark, ref_spark, build):
    """The rows and schema of `build(session)` on Basin and on Spark."""
    ours, theirs = build(spark), build(ref_spark)
    return (ours.collect(), ours.schema), (theirs.collect(), theirs.schema)


def test_collect_gives_objects_back(spark, ref_spark):
    ours, theirs = both(spark, ref_spark, points)
    assert ours == theirs
    rows, schema = ours
    assert [r.point for r in rows] == [Point(1.0, 2.0), None, Point(-1.5, 0.0)]
    assert isinstance(schema["point"].dataType, PointUDT)


def test_udt_nested_in_array_and_map(spark, ref_spark):
    def nested(session):
        schema = (StructType().add("key", LongType()).add("arr", ArrayType(PointUDT()))
                  .add("m", MapType(LongType(), PointUDT())))
        return session.createDataFrame(
            [(1, [Point(1.0, 2.0), None], {7: Point(3.0, 4.0)}), (2, [], {})], schema)

    ours, theirs = both(spark, ref_spark, nested)
    assert ours == theirs
    assert ours[0][0].arr == [Point(1.0, 2.0), None]
    assert ours[0][0].m == {7: Point(3.0, 4.0)}


def test_schema_inferred_from_objects(spark, ref_spark):
    def inferred(session):
        return session.createDataFrame([Row(label=1.0, point=Point(1.0, 2.0))])

    ours, theirs = both(spark, ref_spark, inferred)
    assert ours == theirs
    assert isinstance(ours[1]["point"].dataType, PointUDT)


def test_relational_operators_keep_the_udt(spark, ref_spark):
    builds = [
        lambda s: points(s).union(points(s)).orderBy("label"),
        lambda s: points(s).filter("label > 1.5").select("point", "label"),
        lambda s: points(s).withColumn("copy", F.col("point")).orderBy("label"),
        lambda s: points(s).join(s.createDataFrame([(1.0, "a")], "label double, s string"),
                                 "label"),
    ]
    for build in builds:
        ours, theirs = both(spark, ref_spark, build)
        assert ours == theirs


def test_sql_over_a_temp_view(spark, ref_spark):
    view = "points_" + uuid.uuid4().hex[:8]

    def over_view(session):
        points(session).createOrReplaceTempView(view)
        return session.sql(f"SELECT point, label FROM {view} WHERE label < 3 ORDER BY label")

    ours, theirs = both(spark, ref_spark, over_view)
    assert ours == theirs
    assert ours[0][0].point == Point(1.0, 2.0)


def test_cast_to_string(spark, ref_spark):
    # A Python UDT prints as its sqlType; Spark's own ExamplePointUDT as its Scala toString.
    def cast(session):
        schema = StructType([StructField("point", ExamplePointUDT(), False),
                             StructField("pypoint", PointUDT(), False)])
        df = session.createDataFrame([(ExamplePoint(1.0, 2.0), Point(3.0, 4.0))], schema)
        return df.select(F.col("point").cast("string"), F.col("pypoint").cast("string"))

    ours, theirs = cast(spark).head(), cast(ref_spark).head()
    assert tuple(ours) == tuple(theirs) == ("(1.0, 2.0)", "[3.0, 4.0]")


def test_scala_udt_reads_back_as_its_python_class(spark, ref_spark):
    def example(session):
        schema = StructType([StructField("label", DoubleType(), False),
                             StructField("point", ExamplePointUDT(), False)])
        df = session.createDataFrame([(1.0, ExamplePoint(1.0, 2.0))], schema)
        return df.union(df)

    ours, theirs = both(spark, ref_spark, example)
    assert ours == theirs
    assert ours[0][0].point == ExamplePoint(1.0, 2.0)


def test_show_prints_the_sql_value(spark, ref_spark):
    assert points(spark)._show_string() == points(ref_spark)._show_string()


def test_parquet_keeps_the_udt(spark, ref_spark, tmp_path):
    def round_trip(session, path):
        points(session).write.mode("overwrite").parquet(path)
        return session.read.parquet(path).orderBy("label")

    ours = round_trip(spark, str(tmp_path / "ours"))
    theirs = round_trip(ref_spark, str(tmp_path / "theirs"))
    assert ours.collect() == theirs.collect()
    assert ours.schema["point"] == theirs.schema["point"]
    assert isinstance(ours.schema["point"].dataType, PointUDT)


def test_delta_table_keeps_the_udt(spark):
    name = "udt_" + uuid.uuid4().hex[:8]
    points(spark).write.saveAsTable(name)
    table = spark.table(name).orderBy("label")
    assert isinstance(table.schema["point"].dataType, PointUDT)
    assert [r.point for r in table.collect()] == [Point(1.0, 2.0), None, Point(-1.5, 0.0)]
    spark.sql(f"DROP TABLE {name}")


def test_cast_to_other_types_is_refused(spark, ref_spark):
    def refused(session, build):
        df = session.createDataFrame([(ExamplePoint(1.0, 2.0), Point(1.0, 2.0))],
                                     StructType([StructField("point", ExamplePointUDT()),
                                                 StructField("pypoint", PointUDT())]))
        with pytest.raises(AnalysisException) as caught:
            build(df).collect()
        return caught.value.getCondition()

    for build in [lambda df: df.select(F.col("point").cast(PointUDT())),
                  lambda df: df.select(F.col("pypoint").cast(ExamplePointUDT())),
                  lambda df: df.select(F.col("pypoint").cast("array<double>"))]:
        assert refused(spark, build) == refused(ref_spark, build) == (
            "DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION")


def test_aggregates_of_a_udt_column(spark, ref_spark):
    def aggregated(session):
        df = session.createDataFrame(ROWS + [(1.0, Point(5.0, 6.0))], SCHEMA)
        return df.groupBy("label").agg(F.collect_list("point").alias("all"),
                                       F.first("point").alias("one")).orderBy("label")

    ours, theirs = aggregated(spark), aggregated(ref_spark)
    assert ours.collect() == theirs.collect()
    assert ours.collect()[0].all == [Point(1.0, 2.0), Point(5.0, 6.0)]
    # Basin's collect_list says its elements may be null where Spark says they are not: only
    # the element type is compared.
    assert isinstance(ours.schema["all"].dataType.elementType, PointUDT)
    assert ours.schema["one"] == theirs.schema["one"]


def test_print_schema_names_the_udt(spark, ref_spark):
    def tree(session):
        schema = StructType([StructField("label", DoubleType(), False),
                             StructField("point", PointUDT(), True),
                             StructField("ex", ExamplePointUDT(), True),
                             StructField("arr", ArrayType(PointUDT()), True)])
        df = session.createDataFrame(
            [(1.0, Point(1.0, 2.0), ExamplePoint(1.0, 2.0), [Point(1.0, 2.0)])], schema)
        return session._client._analyze(method="tree_string",
                                        plan=df._plan.to_proto(session._client)).tree_string

    ours = tree(spark)
    assert ours == tree(ref_spark)
    assert " |-- point: pythonuserdefined (nullable = true)" in ours
    assert " |-- ex: examplepoint (nullable = true)" in ours
