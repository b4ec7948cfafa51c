"""Type strings the client has the server parse (DataType.fromDDL, _parse_datatype_string: the
AnalyzePlan DDLParse request): CHAR(n) and VARCHAR(n) come back as char and varchar types, and
struct fields may be written "name:type" without a space. Compared with the reference Spark."""

from __future__ import annotations

import pytest
from pyspark.sql.types import CharType, StructField, StructType, VarcharType

DDL = [
    "char(1)",
    "char( 10   )",
    "varchar(11)",
    "array<char(3)>",
    "map<varchar(2), char(4)>",
    "struct<a: char(3), b: varchar(5)>",
    "a char(3), b varchar(4) not null",
    "a:int, b:string",
    "A:int, B:string",
    "a struct<x:int, y:char(2)>",
    "struct<a:int,b:array<long>>",
    "interval year",
    "interval month",
    "a interval year to month, b interval month",
    "time(5)",
    "time( 6 )",
    "a time(3), b array<time(0)>",
]


@pytest.mark.parametrize("ddl", DDL)
def test_ddl_parse_matches_spark(spark, ref_spark, ddl):
    def parse(session):
        return session._client._analyze(method="ddl_parse", ddl_string=ddl).parsed

    assert parse(spark) == parse(ref_spark)


def test_char_and_varchar_types(spark):
    def parse(ddl):
        return spark._client._analyze(method="ddl_parse", ddl_string=ddl).parsed

    assert parse("char(1)") == CharType(1)
    assert parse("VARCHAR(10)") == VarcharType(10)
    assert parse("a char(3)") == StructType([StructField("a", CharType(3))])


def test_negative_decimal_scale_is_refused_as_spark_does(spark, ref_spark):
    # Spark allows it only under spark.sql.legacy.allowNegativeScaleOfDecimal (not in Basin).
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F
    from pyspark.sql.types import DecimalType

    def refused(session):
        with pytest.raises(AnalysisException) as caught:
            session.range(2).select(F.col("id").cast(DecimalType(1, -1))).collect()
        return caught.value.getCondition(), caught.value.getSqlState()

    assert refused(spark) == refused(ref_spark) == ("NEGATIVE_SCALE_DISALLOWED", "0A000")
