"""AnalyzePlan through the real client: schema, printSchema's tree, explain, isLocal,
isStreaming, inputFiles, the Spark version, DDL parsing, sameSemantics / semanticHash and
persist / unpersist / storageLevel. Texts that Spark defines exactly (the schema tree) are compared
with the reference Spark Connect server."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from pyspark.storagelevel import StorageLevel


def nested(session):
    # Nested types come from a table: the nullability Spark infers for array/map/struct
    # constructors (non-null results) is not matched by Basin yet, see the issue notes.
    return session.sql(
        "SELECT id, CAST(id AS INT) AS i, CAST(1.25 AS DECIMAL(10,2)) AS d, "
        "DATE'2024-01-02' AS day, TIMESTAMP'2024-01-02 03:04:05' AS ts, CAST(NULL AS STRING) AS n "
        "FROM range(3)")


def typed_table(session, path):
    session.createDataFrame(
        [(1, (2, "x"), [1, None], {"k": 1.5})],
        "id bigint not null, s struct<a: bigint, b: string not null>, arr array<int>, "
        "m map<string, double>").write.format("delta").save(path)
    return session.read.format("delta").load(path)


def tree_string(df, level=None) -> str:
    """The server's AnalyzePlan TreeString (printSchema renders the schema client-side)."""
    client = df._session.client
    result = client._analyze(method="tree_string", plan=df._plan.to_proto(client), level=level)
    return result.tree_string


def test_schema_and_tree_string_like_spark(spark, ref_spark, tmp_path):
    ours, theirs = nested(spark), nested(ref_spark)
    assert ours.schema == theirs.schema
    assert tree_string(ours) == tree_string(theirs)
    assert tree_string(ours, 1) == tree_string(theirs, 1)
    ours_t = typed_table(spark, str(tmp_path / "ours"))
    theirs_t = typed_table(ref_spark, str(tmp_path / "theirs"))
    assert ours_t.schema == theirs_t.schema
    assert tree_string(ours_t) == tree_string(theirs_t)
    assert tree_string(ours_t, 2) == tree_string(theirs_t, 2)
    out = io.StringIO()
    with redirect_stdout(out):
        ours.printSchema()
    assert out.getvalue().startswith("root\n |-- id: long (nullable = false)\n")


def test_explain_is_local_streaming_version(spark):
    df = spark.range(10).filter("id > 3")
    text = df._explain_string(extended=True)
    assert "== Physical Plan ==" in text and "== Analyzed Logical Plan ==" in text
    assert "Filter" in df._explain_string(extended=False)
    assert spark.createDataFrame([(1,)], "a int").isLocal()
    assert not spark.range(3).isLocal()
    assert not df.isStreaming
    assert spark.version == "4.2.0"


def test_input_files(spark, tmp_path):
    path = str(tmp_path / "t")
    spark.range(10).write.format("delta").save(path)
    spark.range(10, 20).write.format("delta").mode("append").save(path)
    files = spark.read.format("delta").load(path).inputFiles()
    assert len(files) == 2 and all(f.startswith("file://") and f.endswith(".parquet")
                                   for f in files)


def test_ddl_parse_through_create_dataframe(spark):
    df = spark.createDataFrame([(1, "a", [1.5])], "id long, name string, xs array<double>")
    assert [f.dataType.simpleString() for f in df.schema.fields] == [
        "bigint", "string", "array<double>"]
    assert df.collect()[0].xs == [1.5]


def test_same_semantics_and_hash(spark):
    a = spark.range(10).filter("id > 3")
    b = spark.range(10).filter("id > 3")
    c = spark.range(10).filter("id > 4")
    assert a.sameSemantics(b)
    assert not a.sameSemantics(c)
    assert a.semanticHash() == b.semanticHash()


def test_persist_unpersist_storage_level(spark, tmp_path):
    path = str(tmp_path / "cached")
    spark.range(5).write.format("delta").save(path)
    df = spark.read.format("delta").load(path)
    assert df.storageLevel == StorageLevel(False, False, False, False, 1)
    df.persist(StorageLevel.MEMORY_ONLY)
    assert df.storageLevel == StorageLevel.MEMORY_ONLY
    assert df.count() == 5
    # The cached rows are what was read first: a later append is not seen until unpersist.
    spark.range(5, 8).write.format("delta").mode("append").save(path)
    assert df.count() == 5
    df.unpersist()
    assert df.storageLevel == StorageLevel(False, False, False, False, 1)
    assert df.count() == 8
    cached = spark.range(3).cache()
    assert cached.storageLevel.useMemory and cached.count() == 3


def test_broadcast_hint_survives_join_reordering(spark):
    from pyspark.sql import functions as F

    big = spark.range(1000).withColumn("k", F.col("id") % 3)
    small = spark.createDataFrame([(0, "zero"), (1, "one"), (2, "two")], "k long, name string")
    plan = big.join(F.broadcast(small), on="k")._explain_string(extended=False)
    assert "BroadcastHashJoin" in plan and "BuildRight" in plan
    plan = F.broadcast(small).join(big, on="k")._explain_string(extended=False)
    # Join reordering may put the small side on either input; it is the one built.
    side = "BuildLeft" if "BuildLeft" in plan else "BuildRight"
    built = plan.split(":- ")[1] if side == "BuildLeft" else plan.split("+- ")[-1]
    assert "BroadcastHashJoin" in plan and built.startswith("LocalTableScan"), plan
    assert big.join(F.broadcast(small), on="k").count() == 1000


def test_ddl_strings_in_every_spark_form(spark):
    from pyspark.sql.types import DataType

    for text in ("a int, b string", "a: int, b: string", "struct<a: int, b: string>"):
        assert spark.createDataFrame([(1, "x")], text).schema.simpleString() == \
            "struct<a:int,b:string>", text
    assert DataType.fromDDL("a: int, b: string").simpleString() == "struct<a:int,b:string>"


def test_local_rows_of_types_delta_cannot_store(spark, ref_spark):
    # Intervals are fine in queries and local data; only Delta tables refuse them.
    import datetime

    def build(session):
        return session.createDataFrame(
            [(datetime.timedelta(days=1, seconds=5), [datetime.timedelta(hours=2)])],
            "d interval day to second, l array<interval day to second>")

    ours, theirs = build(spark), build(ref_spark)
    assert ours.schema == theirs.schema
    assert ours.collect() == theirs.collect()


def test_extended_explain_shows_the_clients_plan_and_spark_operator_names(spark):
    from pyspark.sql import functions as F

    left = spark.createDataFrame([(1, "1"), (2, "2")], ("key", "value"))
    right = spark.createDataFrame([(1, "1"), (2, "2")], ("key", "value"))
    text = left.join(right.hint("broadcast"), "key")._explain_string(extended=True)
    # The physical plan names the operator once; the logical plans keep Basin's own names.
    assert text.count("BroadcastHashJoin") == 1, text
    physical = text.split("== Physical Plan ==")[1]
    assert "BroadcastHashJoin [key#0], [key#0], Inner, BuildRight" in physical, physical
    assert "LocalTableScan [key#0, value#1]" in physical
    assert "Broadcast" in left.crossJoin(F.broadcast(right))._explain_string(extended=True)
    # The parsed plan is the client's plan as sent, hints and their arguments included.
    hinted = spark.range(100).toDF("id").hint("my awesome hint", 1.2345, "what", ["itworks1"])
    parsed = hinted._explain_string(extended=True).split("== Analyzed Logical Plan ==")[0]
    assert "'Hint my awesome hint" in parsed and "1.2345" in parsed, parsed
    assert "what" in parsed and "itworks1" in parsed and "'Range" in parsed, parsed
    # Limit over Sort runs as one top-N operator.
    top = spark.sql("SELECT id FROM range(10) ORDER BY id DESC LIMIT 3")._explain_string(
        extended=False)
    assert top.startswith("== Physical Plan ==\nTakeOrderedAndProject(limit=3"), top
