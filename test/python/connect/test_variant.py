"""VARIANT through Spark Connect: parse_json results reach the pyspark client as VariantVal (Arrow
struct<value, metadata> with the variant marker), show() prints their JSON, variant columns of a
Delta table round-trip, and the error classes match. Each test runs the same calls on Basin and
on the reference Spark server and compares the answers."""

from __future__ import annotations

import uuid

import pytest
from pyspark.sql.types import VariantType, VariantVal

QUERY = """select parse_json(j) v from values
  ('{"a":1,"b":[1,2.5,"x"],"c":null}'), ('[true,"s",1e2]'), ('null'), (null) as t(j)"""


def variant_rows(session, sql):
    rows = session.sql(sql).collect()
    return [None if r[0] is None else (type(r[0]).__name__, r[0].toJson()) for r in rows]


def test_collect_gives_variant_val(spark, ref_spark):
    got = variant_rows(spark, QUERY)
    assert got == variant_rows(ref_spark, QUERY)
    assert got[0] == ("VariantVal", '{"a":1,"b":[1,2.5,"x"],"c":null}')
    assert isinstance(spark.sql(QUERY).schema["v"].dataType, VariantType)


def test_show_prints_json(spark, ref_spark):
    df_sql = QUERY + " "
    assert spark.sql(df_sql)._show_string(truncate=False) == ref_spark.sql(df_sql)._show_string(
        truncate=False)
    assert '{"a":1,"b":[1,2.5,"x"],"c":null}' in spark.sql(df_sql)._show_string(truncate=False)


def test_variant_functions_match_spark(spark, ref_spark):
    sql = """select typeof(v), to_json(v), cast(v as string), is_variant_null(v),
                    variant_get(v, '$.b[1]', 'double'), try_variant_get(v, '$.a', 'boolean'),
                    schema_of_variant(v)
             from (select parse_json('{"a":1,"b":[1,2.5,"x"]}') v)"""
    assert spark.sql(sql).collect() == ref_spark.sql(sql).collect()


def test_variant_get_returns_variant(spark, ref_spark):
    sql = "select variant_get(parse_json('{\"a\":{\"b\":[10,20]}}'), '$.a') v"
    assert variant_rows(spark, sql) == variant_rows(ref_spark, sql)


def test_delta_table_round_trip(spark):
    name = "variant_" + uuid.uuid4().hex[:8]
    spark.sql(f"create table {name} (id int, v variant) using delta")
    spark.sql(f"insert into {name} select 1, parse_json('{{\"k\":[1,2]}}')")
    spark.sql(f"insert into {name} values (2, null)")
    rows = spark.sql(f"select id, v from {name} order by id").collect()
    assert [(r[0], None if r[1] is None else r[1].toJson()) for r in rows] == [
        (1, '{"k":[1,2]}'), (2, None)]
    spark.sql(f"drop table {name}")


@pytest.mark.parametrize("sql", [
    "select variant_get(parse_json('\"x\"'), '$', 'int')",
    "select parse_json('{\"a\":')",
    "select parse_json('1') = parse_json('1')",
])
def test_errors_match_spark(spark, ref_spark, sql):
    def error_class(session):
        with pytest.raises(Exception) as info:
            session.sql(sql).collect()
        return info.value.getCondition()

    assert error_class(spark) == error_class(ref_spark)


CAST_TO_VARIANT = [
    "select cast(Date('2021-01-01') as variant) d0, cast(Date('1800-12-31') as variant) d1",
    "select cast(Float(5.5) as variant) f0, cast(Float(-5.5) as variant) f1",
    "select cast(binary(x'324FA69E') as variant) b",
    "select cast(cast('1940-01-01 12:33:01.123' as timestamp_ntz) as variant) t0, "
    "cast(cast('1940-01-01 12:35:13.123+7:30' as timestamp) as variant) t1",
    "select cast(array(1, null, 3) as variant) a, cast(123.456BD as variant) d",
    "select to_variant_object(named_struct('z', 1, 'a', array(1, 2), 'm', map('k', 'v'))) o",
]


@pytest.mark.parametrize("sql", CAST_TO_VARIANT)
def test_values_cast_to_variant_match_spark(spark, ref_spark, sql):
    def run(session):
        row = session.sql(sql).collect()[0]
        return [(type(v).__name__, v.toJson(), repr(v.toPython())) for v in row]

    assert run(spark) == run(ref_spark)


def test_schema_of_variant_agg_matches_spark(spark, ref_spark):
    sql = ("select k, schema_of_variant_agg(parse_json(j)) s from values (1, '{\"a\": 1}'), "
           "(1, '{\"b\": 2.5}'), (2, '[1, \"x\"]'), (2, null) as t(k, j) group by k order by k")
    assert spark.sql(sql).collect() == ref_spark.sql(sql).collect()


def test_invalid_variant_cast_parameters_match_spark(spark, ref_spark):
    def run(session):
        try:
            session.sql("select variant_get(parse_json('{\"a\": 1}'), '$.a', 'binary')").collect()
        except Exception as e:  # noqa: BLE001 - the error itself is what is compared
            return type(e).__name__, e.getCondition(), e.getMessageParameters()
        return None

    got = run(spark)
    assert got == run(ref_spark)
    assert got[2] == {"value": "1", "dataType": '"BINARY"'}
