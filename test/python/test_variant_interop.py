"""Variant columns read by Basin match what Spark reads: the shredded tables of the shared
conformance corpus, and shredded tables that delta-spark writes here. Spark's `to_json(v)` is
compared with the JSON that `basin table read` renders for the same rows.
"""

from __future__ import annotations

import csv
import glob
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import REPO

CORPUS = REPO.parent / "shared" / "delta-conformance" / "delta-spark-test-tables"
SHREDDED_CORPUS_TABLES = [
    "variant-stats-no-checkpoint",
    "variant-stats-nested-no-checkpoint",
    "variant-stats-state-reconstruction",
    "variant-stats-with-struct-no-checkpoint",
]

# Variants in arrays, maps and structs of arrays (its files hold no typed_value).
UNSHREDDED_NESTED_TABLE = "spark-shredded-variant-preview-delta"

WRITE_SHREDDING = "spark.sql.variant.writeShredding.enabled"
FORCE_SCHEMA = "spark.sql.variant.forceShreddingSchemaForTest"


def parse_json_keeping_text(text: str):
    """Parses JSON keeping number spellings and key order, so "1.0" != "1" and {a,b} != {b,a}."""
    return json.loads(text, parse_float=lambda s: ("num", s), parse_int=lambda s: ("num", s),
                      object_pairs_hook=lambda pairs: ("obj", pairs))


def variant_paths(schema, prefix=()):
    """Yields the paths of the variant fields of a Spark schema (inside structs too)."""
    from pyspark.sql.types import StructType, VariantType

    for field in schema.fields:
        path = prefix + (field.name,)
        if isinstance(field.dataType, VariantType):
            yield path
        elif isinstance(field.dataType, StructType):
            yield from variant_paths(field.dataType, path)


def spark_variant_texts(spark, root, paths, time_zone="UTC"):
    from pyspark.sql import functions as F

    previous = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", time_zone)
    try:
        df = spark.read.format("delta").load(str(root))
        columns = [F.to_json(F.col("`" + "`.`".join(p) + "`")) for p in paths]
        return [tuple(r) for r in df.select(*columns).collect()]
    finally:
        spark.conf.set("spark.sql.session.timeZone", previous)


def require_corpus():
    if not CORPUS.is_dir():
        pytest.skip(f"the shared conformance corpus is not at {CORPUS}")


def assert_rows_match_spark(basin, spark, root):
    """Compares every row as Spark's to_json(struct(*)) and Basin's JSON lines print it."""
    from pyspark.sql import functions as F

    df = spark.read.format("delta").load(str(root))
    row_json = F.to_json(F.struct(*[F.col(f"`{c}`") for c in df.columns]),
                         {"ignoreNullFields": "false"})
    expected = sorted([parse_json_keeping_text(r[0]) for r in df.select(row_json).collect()],
                      key=repr)
    lines = basin.run("table", "read", root, "--format", "jsonl").stdout.splitlines()
    actual = sorted([parse_json_keeping_text(line) for line in lines], key=repr)
    assert actual == expected


@pytest.mark.parametrize("table", SHREDDED_CORPUS_TABLES + [UNSHREDDED_NESTED_TABLE])
def test_corpus_variant_table_matches_spark(basin, spark, table):
    require_corpus()
    root = CORPUS / table
    df = spark.read.format("delta").load(str(root))
    paths = list(variant_paths(df.schema))
    assert paths, f"{table} has no variant column"
    if table in SHREDDED_CORPUS_TABLES:
        # The table really is shredded: some data file holds typed_value columns.
        files = glob.glob(str(root / "*.parquet"))
        assert any("typed_value" in str(pq.read_schema(f)) for f in files)
    assert_rows_match_spark(basin, spark, root)

    # Top-level variants, as exact text: CSV holds each one as a string cell.
    top = [p[0] for p in paths if len(p) == 1]
    if top:
        out = basin.run("table", "read", root, "--columns", ",".join(top), "--format",
                        "csv").stdout
        rows = list(csv.reader(io.StringIO(out)))[1:]
        texts = sorted(tuple(row) for row in rows)
        spark_texts = sorted(tuple(spark_variant_texts(spark, root, [(c,) for c in top])))
        assert texts == spark_texts


# Rows written in three commits, each with another shredding schema, so that values land in
# typed_value of matching types, in `value` when they do not match, and in partial objects.
OBJECT_ROWS = [
    (1, '{"a": 1, "b": "x", "c": [1, 2], "o": {"x": 1.5, "y": "keep"}}'),
    (2, '{"a": "not an int", "d": 1.50, "zz": {"deep": [true, false, null]}}'),
    (3, '[1, 2, {"a": 3}]'),
    (4, 'null'),
    (5, '{"c": [1, "two", null, 2147483648], "b": null}'),
    (6, '{}'),
    (7, '{"a": 2147483647, "b": "\\u0001 \\"quoted\\" \\\\ /", "e": 1e300, "f": -0.0}'),
    (8, '12345678901234567890123456789'),
    (9, '"just a string"'),
]
PRIMITIVE_ROWS = [
    (20, "42"),
    (21, "3.25"),
    (22, '{"a": 1}'),
    (23, "-9223372036854775808"),
    (24, "0.000000000000000000000000000000000001"),
]
ARRAY_ROWS = [
    (30, '["a", "b", null]'),
    (31, '["a", 1, {"x": []}]'),
    (32, "[]"),
    (33, '"not an array"'),
]
# Typed values that parse_json cannot produce, cast to variant by Spark, each written with a
# shredding schema of its own.
TYPED_ROWS = [
    (40, "cast(timestamp'2024-01-02 03:04:05.123456' as variant)", "timestamp"),
    (41, "cast(timestamp_ntz'2024-01-02 03:04:05' as variant)", "timestamp_ntz"),
    (42, "cast(date'1969-07-20' as variant)", "date"),
    (43, "cast(X'00FF10' as variant)", "binary"),
    (44, "cast(cast(0.1 as float) as variant)", "float"),
    (45, "cast(1.0E-5D as variant)", "double"),
    (46, "cast(123456.789BD as variant)", "decimal(9,3)"),
    (47, "cast(true as variant)", "boolean"),
    (48, "to_variant_object(named_struct('t', timestamp'1900-01-01 00:00:00', "
         "'f', cast(3.4028235E38 as float), 'n', cast(null as int), 'l', array(1L, 2L)))",
     "t timestamp, f float, l array<bigint>"),
]


def sql_string(text: str) -> str:
    """A Spark SQL string literal holding `text` (backslash is an escape in Spark SQL)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def insert_shredded(spark, root, schema, select):
    """Runs INSERT INTO root `select` with variants shredded by `schema`."""
    spark.conf.set(WRITE_SHREDDING, "true")
    spark.conf.set(FORCE_SCHEMA, schema)
    try:
        spark.sql(f"INSERT INTO delta.`{root}` {select}")
    finally:
        spark.conf.unset(WRITE_SHREDDING)
        spark.conf.unset(FORCE_SCHEMA)


def insert_parsed(spark, root, schema, rows):
    values = ", ".join(f"({i}, {sql_string(text)})" for i, text in rows)
    insert_shredded(spark, root, schema,
                    f"SELECT id, parse_json(j) FROM VALUES {values} AS t(id, j)")


def test_spark_written_shredded_table_matches_spark(basin, spark, tmp_path):
    root = tmp_path / "shredded"
    # One commit per shredding schema; no checkpoint (delta-spark fails writing one for these).
    spark.sql(f"CREATE TABLE delta.`{root}` (id INT, v VARIANT) USING delta "
              "TBLPROPERTIES ('delta.enableVariantShredding' = 'true', "
              "'delta.checkpointInterval' = '1000')")
    insert_parsed(spark, root, "a int, b string, c array<int>, o struct<x double, y string>",
                  OBJECT_ROWS)
    insert_parsed(spark, root, "bigint", PRIMITIVE_ROWS)
    insert_parsed(spark, root, "array<string>", ARRAY_ROWS)
    for i, expression, schema in TYPED_ROWS:
        insert_shredded(spark, root, schema, f"SELECT {i}, {expression}")
    schemas = [str(pq.read_schema(f)) for f in glob.glob(str(root / "*.parquet"))]
    assert len(schemas) >= 3 + len(TYPED_ROWS)
    assert all("typed_value" in s for s in schemas), schemas

    for zone in ["UTC", "America/Los_Angeles", "+05:30"]:
        from pyspark.sql import functions as F

        previous = spark.conf.get("spark.sql.session.timeZone")
        spark.conf.set("spark.sql.session.timeZone", zone)
        try:
            expected = {r[0]: r[1] for r in spark.read.format("delta").load(str(root))
                        .select("id", F.to_json("v")).collect()}
        finally:
            spark.conf.set("spark.sql.session.timeZone", previous)
        out = basin.run("table", "read", root, "--format", "csv", "--time-zone", zone).stdout
        actual = {int(r[0]): r[1] for r in list(csv.reader(io.StringIO(out)))[1:]}
        assert actual == expected, zone

    # JSON lines embed the variant as JSON; parquet keeps the binary struct.
    lines = basin.run("table", "read", root, "--format", "jsonl").stdout.splitlines()
    by_id = {json.loads(line)["id"]: json.loads(line)["v"] for line in lines}
    assert by_id[1] == {"a": 1, "b": "x", "c": [1, 2], "o": {"x": 1.5, "y": "keep"}}
    assert by_id[4] is None
    parquet = tmp_path / "out.parquet"
    basin.run("table", "read", root, "--format", "parquet", "-o", parquet)
    variant_type = pq.read_schema(parquet).field("v").type
    assert sorted(variant_type.field(i).name for i in range(variant_type.num_fields)) == [
        "metadata", "value"]


def test_nested_variants_written_by_spark_match(basin, spark, tmp_path):
    """Variants in structs, arrays and maps next to shredded top-level ones."""
    root = tmp_path / "nested"
    spark.sql(f"CREATE TABLE delta.`{root}` (id INT, v VARIANT, s STRUCT<w: VARIANT, n: INT>, "
              "a ARRAY<VARIANT>, m MAP<STRING, VARIANT>) USING delta "
              "TBLPROPERTIES ('delta.enableVariantShredding' = 'true')")
    # delta-spark fails to write nested variants with a forced shredding schema: the nested
    # ones go in a commit of their own, unshredded.
    insert_shredded(spark, root, "k int", """SELECT id, parse_json(j), NULL, NULL, NULL
        FROM VALUES (1, '{"k": 1, "r": [1]}'), (2, '{"k": "s"}'), (3, 'null') AS t(id, j)""")
    spark.sql(f"""INSERT INTO delta.`{root}` SELECT * FROM VALUES
        (4, parse_json('{{"k": 5}}'), named_struct('w', parse_json('[{{"k": 2}}]'), 'n', 1),
         array(parse_json('{{"k": 3}}'), NULL, parse_json('"x"')),
         map('one', parse_json('{{"k": 4, "z": 1.25}}'), 'none', NULL)),
        (5, NULL, named_struct('w', parse_json('null'), 'n', 2), array(), map()),
        (6, NULL, NULL, NULL, NULL)
        AS t(id, v, s, a, m)""")
    files = glob.glob(str(root / "*.parquet"))
    assert any("typed_value" in str(pq.read_schema(f)) for f in files)
    assert_rows_match_spark(basin, spark, root)


def test_basin_sql_written_variant_table_reads_in_spark(basin, spark, tmp_path):
    """A table that Basin's SQL creates and fills with parse_json is a valid variant table for
    delta-spark: same JSON back, and the variantType feature in the protocol."""
    path = tmp_path / "written"
    basin.run("sql", "-e",
              f"CREATE TABLE vt (id INT, v VARIANT, a ARRAY<VARIANT>) USING DELTA LOCATION '{path}';"
              "INSERT INTO vt VALUES"
              " (1, parse_json('{\"b\":[true,\"x\",2.5],\"a\":1}'), array(parse_json('1'), NULL)),"
              " (2, NULL, NULL), (3, parse_json('null'), array())")
    rows = spark.sql(f"SELECT id, to_json(v), to_json(a) FROM delta.`{path}` ORDER BY id").collect()
    assert [tuple(r) for r in rows] == [
        (1, '{"a":1,"b":[true,"x",2.5]}', "[1,null]"),
        (2, None, None),
        (3, "null", "[]"),
    ]
    detail = spark.sql(f"DESCRIBE DETAIL delta.`{path}`").collect()[0]
    assert "variantType" in detail["tableFeatures"]
