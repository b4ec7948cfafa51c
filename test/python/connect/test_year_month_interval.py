"""Year-month interval types keep their start and end fields through Spark Connect: schemas of
INTERVAL YEAR / INTERVAL MONTH literals and casts, and the values they print. Compared with the
reference Spark."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import YearMonthIntervalType

QUERIES = [
    "SELECT INTERVAL '10-8' YEAR TO MONTH AS a, INTERVAL '10' YEAR AS b, INTERVAL '8' MONTH AS c",
    "SELECT CAST(INTERVAL '10-8' YEAR TO MONTH AS INTERVAL YEAR) AS y, "
    "CAST(INTERVAL '10-8' YEAR TO MONTH AS INTERVAL MONTH) AS m",
    "SELECT CAST(CAST(INTERVAL '10-8' YEAR TO MONTH AS INTERVAL YEAR) AS STRING) AS y, "
    "CAST(INTERVAL '8' MONTH AS STRING) AS m",
]


@pytest.mark.parametrize("query", QUERIES)
def test_schema_matches_spark(spark, ref_spark, query):
    assert spark.sql(query).schema == ref_spark.sql(query).schema


def test_literal_fields(spark):
    # pyspark's own test_yearmonth_interval_type.
    schema = spark.sql(
        "SELECT INTERVAL '10-8' YEAR TO MONTH AS a, INTERVAL '10' YEAR AS b, INTERVAL '8' MONTH AS c"
    ).schema
    assert [f.dataType for f in schema.fields] == [
        YearMonthIntervalType(0, 1), YearMonthIntervalType(0, 0), YearMonthIntervalType(1, 1)]


def test_column_cast_to_one_field(spark, ref_spark):
    def run(session):
        df = session.sql("SELECT INTERVAL '10-8' YEAR TO MONTH AS x").select(
            F.col("x").cast(YearMonthIntervalType(0, 0)).alias("y"),
            F.col("x").cast(YearMonthIntervalType(1, 1)).alias("m"))
        return df.schema, df.select(F.col("y").cast("string"), F.col("m").cast("string")).collect()

    ours = run(spark)
    assert ours == run(ref_spark)
    assert ours[0]["y"].dataType == YearMonthIntervalType(0, 0)
