"""Generated columns of Delta tables Basin makes, checked with delta-spark.

Spark 4.2's parser refuses CREATE TABLE ... AS SELECT with a column list (so with generated
columns) for every format, delta-spark included; Basin refuses it with the same error. The table
is made with CREATE TABLE and filled with INSERT ... SELECT instead: delta-spark reads the rows
and the generation expressions Basin wrote, and appends with the generated values computed.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.spark

CTAS = ("CREATE TABLE {name} (a INT, b INT GENERATED ALWAYS AS (a * 2)) USING DELTA "
        "AS SELECT 1 AS a")


def spark_error(spark, sql: str):
    with pytest.raises(Exception) as info:
        spark.sql(sql).collect()
    return info.value


def test_ctas_with_column_list_refused_like_spark(basin, spark):
    theirs = spark_error(spark, CTAS.format(name="ctas_gen"))
    assert theirs.getCondition() == "_LEGACY_ERROR_TEMP_0035"
    proc = basin.run("sql", "-e", CTAS.format(name="ctas_gen"), check=False)
    assert proc.returncode != 0
    assert "[_LEGACY_ERROR_TEMP_0035]" in proc.stderr
    message = "Schema may not be specified in a Create Table As Select (CTAS) statement."
    assert message in str(theirs)
    assert message in proc.stderr
    replace = "CREATE OR REPLACE TABLE ctas_gen (a INT) USING DELTA AS SELECT 1 AS a"
    theirs = spark_error(spark, replace)
    proc = basin.run("sql", "-e", replace, check=False)
    message = "Schema may not be specified in a Replace Table As Select (RTAS) statement."
    assert message in str(theirs)
    assert message in proc.stderr


DDL = ("(a INT, b INT GENERATED ALWAYS AS (a * 2), d DATE GENERATED ALWAYS AS (CAST(ts AS DATE)), "
       "ts TIMESTAMP) USING DELTA PARTITIONED BY (d)")


def first_commit(table) -> dict:
    """The protocol, the field metadata by name and the partition columns of commit 0."""
    out = {}
    with open(table / "_delta_log" / "00000000000000000000.json") as log:
        for line in log:
            action = json.loads(line)
            if "protocol" in action:
                out["protocol"] = action["protocol"]
            if "metaData" in action:
                schema = json.loads(action["metaData"]["schemaString"])
                out["schema"] = {f["name"]: f["metadata"] for f in schema["fields"]}
                out["partitionColumns"] = action["metaData"]["partitionColumns"]
    return out


def test_spark_reads_and_appends_basin_generated_columns(basin, spark, tmp_path):
    basin.run("sql", "-e", f"CREATE TABLE gen {DDL}")
    basin.run("sql", "-e",
              "INSERT INTO gen (a, ts) SELECT CAST(id AS INT), "
              "CAST(date_add(DATE'2024-01-01', CAST(id AS INT)) AS TIMESTAMP) FROM range(3)")
    path = basin.scratch / "warehouse" / "main" / "default" / "gen"
    # The schema and protocol in the log are the ones delta-spark writes for the same CREATE.
    spark.sql(f"CREATE TABLE delta.`{tmp_path / 'theirs'}` {DDL}")
    ours, theirs = first_commit(path), first_commit(tmp_path / "theirs")
    # (Writer features are a set: their order is not part of the protocol.)
    for commit in (ours, theirs):
        commit["protocol"]["writerFeatures"] = sorted(commit["protocol"]["writerFeatures"])
    assert ours["protocol"] == theirs["protocol"] == {
        "minReaderVersion": 1, "minWriterVersion": 7,
        "writerFeatures": ["appendOnly", "generatedColumns", "invariants"]}
    assert ours["schema"] == theirs["schema"]
    assert ours["schema"]["b"] == {"delta.generationExpression": "a * 2"}
    assert ours["schema"]["d"] == {"delta.generationExpression": "CAST(ts AS DATE)"}
    assert ours["partitionColumns"] == ["d"]
    df = spark.read.format("delta").load(str(path))
    assert sorted((r.a, r.b, str(r.d)) for r in df.collect()) == [
        (0, 0, "2024-01-01"), (1, 2, "2024-01-02"), (2, 4, "2024-01-03")]
    # delta-spark appends and computes the generated columns itself.
    spark.sql(f"INSERT INTO delta.`{path}` (a, ts) VALUES (10, TIMESTAMP'2024-02-01 00:00:00')")
    # It checks values given for them against the expression.
    err = spark_error(spark, f"INSERT INTO delta.`{path}` VALUES (5, 7, DATE'2024-01-01', "
                             "TIMESTAMP'2024-01-01 00:00:00')")
    assert "DELTA_VIOLATE_CONSTRAINT_WITH_VALUES" in str(err)
    out = basin.run("sql", "-e", "SELECT a, b, CAST(d AS STRING) AS d FROM gen ORDER BY a",
                    "--format", "jsonl").stdout
    assert [json.loads(line) for line in out.splitlines()] == [
        {"a": 0, "b": 0, "d": "2024-01-01"}, {"a": 1, "b": 2, "d": "2024-01-02"},
        {"a": 2, "b": 4, "d": "2024-01-03"}, {"a": 10, "b": 20, "d": "2024-02-01"}]
    # Basin appends after Spark, computing them too.
    basin.run("sql", "-e", "INSERT INTO gen (a, ts) VALUES (20, TIMESTAMP'2024-03-01 00:00:00')")
    rows = spark.read.format("delta").load(str(path)).where("a = 20").collect()
    assert [(r.a, r.b, str(r.d)) for r in rows] == [(20, 40, "2024-03-01")]
