"""The PySpark pipeline of the Databricks guide (../shared/seed/databricks-guide.txt), run through the
real PySpark client and delta-spark's DeltaTable API against `basin serve`.

The guide's code runs verbatim except for the session line, the paths (/mnt/... become scratch
folders) and one literal: `timestampAsOf` "2026-04-17" lies before the tables exist (real Spark
refuses it too), so the test reads as of a commit time taken from the history. What the guide
leaves implicit is set up first: the `catalog` catalog with its bronze/silver/gold schemas, the raw
JSON files, the customers table with some history, and the staging updates.

Every step's result is checked against values computed independently in Python from the raw
records, and the DataFrame aggregation against its SQL twin.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

# The guide's imports, as written.
from pyspark.sql.functions import col, current_timestamp
from delta.tables import DeltaTable
from pyspark.sql.functions import regexp_replace, count, sum, max, broadcast  # noqa: A004


def record(i: int, **changes) -> dict:
    r = {
        "order_id": f"o{i:03d}",
        "customer_id": f"c{i % 4}",
        "email": f"person{i}@example.com",
        "total": f"{(i * 137) % 900 + 0.5:.2f}",
        "created_at": f"2026-{1 + i % 3:02d}-{1 + i % 27:02d}T10:{i % 60:02d}:00",
        "status": "completed" if i % 5 else "cancelled",
        "year": 2026,
        "month": 1 + i % 3,
    }
    r.update(changes)
    return r


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> tuple[Path, list[dict]]:
    root = tmp_path_factory.mktemp("raw")
    files = {
        "orders_001.json": [record(i) for i in range(1, 20)],
        # o005 and o006 come again (a re-delivery), and one record has no key.
        "orders_002.json": [record(i) for i in range(20, 40)] + [record(5), record(6)] +
                           [record(99, order_id=None)],
    }
    records = []
    for name, rows in files.items():
        (root / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
        records += rows
    return root, records


def test_guide_pipeline(spark, raw, tmp_path):
    raw_dir, records = raw
    mnt = tmp_path / "mnt"
    for schema in ("bronze", "silver", "gold"):
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS catalog.{schema}") if spark.sql(
            "SHOW CATALOGS").filter("catalog = 'catalog'").count() else (
            spark.sql("CREATE CATALOG IF NOT EXISTS catalog"),
            spark.sql(f"CREATE SCHEMA IF NOT EXISTS catalog.{schema}"))

    # --- Creating and writing Delta tables (the guide's first block) ---
    df = spark.read.json(str(raw_dir / "*.json"))

    df.write.format("delta") \
        .mode("overwrite") \
        .partitionBy("year", "month") \
        .save(str(mnt / "bronze/orders"))

    spark.sql(f"""
        CREATE TABLE IF NOT EXISTS catalog.bronze.orders_registered
        USING DELTA
        LOCATION '{mnt / "bronze/orders"}'
    """)
    assert spark.table("catalog.bronze.orders_registered").count() == len(records)
    parts = {(r.year, r.month) for r in spark.read.format("delta").load(
        str(mnt / "bronze/orders")).select("year", "month").distinct().collect()}
    assert parts == {(2026, 1), (2026, 2), (2026, 3)}
    assert (mnt / "bronze/orders/year=2026/month=1").is_dir()

    # --- Medallion: bronze -> silver -> gold, the guide's functions verbatim ---
    def ingest_to_bronze(source_path: str, table: str):
        df = spark.read.json(source_path)
        df = df.withColumn("_ingested_at", current_timestamp()) \
               .withColumn("_source_file", col("_metadata.file_path"))
        df.write.format("delta").mode("append").saveAsTable(f"catalog.bronze.{table}")

    def bronze_to_silver():
        df = spark.table("catalog.bronze.orders")

        silver_df = df \
            .dropDuplicates(["order_id"]) \
            .filter(col("order_id").isNotNull()) \
            .withColumn("total", col("total").cast("decimal(12,2)")) \
            .withColumn("created_at", col("created_at").cast("timestamp"))

        # Apply masking for PII
        silver_df = silver_df.withColumn("email",
            regexp_replace(col("email"), r"(?<=.{2}).(?=.*@)", "*"))

        silver_df.write.format("delta").mode("overwrite") \
            .option("overwriteSchema", "true") \
            .saveAsTable("catalog.silver.orders")

    def silver_to_gold():
        spark.sql("""
            CREATE OR REPLACE TABLE catalog.gold.monthly_revenue AS
            SELECT
                year(created_at)  AS year,
                month(created_at) AS month,
                COUNT(*)           AS order_count,
                SUM(total)         AS revenue,
                AVG(total)         AS avg_order_value
            FROM catalog.silver.orders
            WHERE status = 'completed'
            GROUP BY 1, 2
            ORDER BY 1, 2
        """)

    ingest_to_bronze(str(raw_dir), "orders")
    bronze = spark.table("catalog.bronze.orders")
    assert bronze.count() == len(records)
    sources = {r._source_file for r in bronze.select("_source_file").collect()}
    assert {s.rsplit("/", 1)[1] for s in sources} == {"orders_001.json", "orders_002.json"}
    assert all(s.startswith("file:") for s in sources)
    assert bronze.filter(col("_ingested_at").isNull()).count() == 0

    bronze_to_silver()
    silver = spark.table("catalog.silver.orders")
    by_id = {r["order_id"]: r for r in records if r["order_id"] is not None}
    assert silver.count() == len(by_id)
    fields = {f.name: f.dataType.simpleString() for f in silver.schema.fields}
    assert fields["total"] == "decimal(12,2)" and fields["created_at"] == "timestamp"
    masked = {r.order_id: r.email for r in silver.select("order_id", "email").collect()}
    for oid, r in by_id.items():
        local, domain = r["email"].split("@")
        assert masked[oid] == local[:2] + "*" * (len(local) - 2) + "@" + domain
    assert re.fullmatch(r"pe\*+@example\.com", masked["o001"])

    silver_to_gold()
    gold = {(r.year, r.month): r for r in spark.table("catalog.gold.monthly_revenue").collect()}
    expected: dict[tuple[int, int], list[Decimal]] = {}
    for r in by_id.values():
        if r["status"] == "completed":
            t = dt.datetime.fromisoformat(r["created_at"])
            expected.setdefault((t.year, t.month), []).append(Decimal(r["total"]))
    assert set(gold) == set(expected)
    for key, totals in expected.items():
        assert gold[key].order_count == len(totals)
        assert gold[key].revenue == builtins.sum(totals)

    # --- MERGE (upsert), the guide's code verbatim ---
    customers = spark.createDataFrame(
        [(f"c{i}", f"Name {i}", f"c{i}@old.example", dt.datetime(2026, 1, 1),
          dt.datetime(2026, 1, 1)) for i in range(4)],
        "customer_id string, name string, email string, created_at timestamp, "
        "updated_at timestamp")
    customers.write.format("delta").saveAsTable("catalog.silver.customers")  # version 0
    for i in (4, 5, 6):  # versions 1..3: more customers arrive
        spark.createDataFrame(
            [(f"c{i}", f"Name {i}", f"c{i}@old.example", dt.datetime(2026, 1, i),
              dt.datetime(2026, 1, i))], customers.schema) \
            .write.format("delta").mode("append").saveAsTable("catalog.silver.customers")
    spark.createDataFrame([("c1", "New One", "one@new.example"),
                           ("c9", "Nine", "nine@new.example")],
                          "customer_id string, name string, email string") \
        .write.format("delta").save(str(mnt / "staging/customer_updates"))

    delta_table = DeltaTable.forName(spark, "catalog.silver.customers")

    updates_df = spark.read.format("delta").load(str(mnt / "staging/customer_updates"))

    delta_table.alias("target").merge(
        updates_df.alias("source"),
        "target.customer_id = source.customer_id"
    ).whenMatchedUpdate(set={
        "name":       "source.name",
        "email":      "source.email",
        "updated_at": current_timestamp()
    }).whenNotMatchedInsert(values={
        "customer_id": "source.customer_id",
        "name":        "source.name",
        "email":       "source.email",
        "created_at":  current_timestamp(),
        "updated_at":  current_timestamp()
    }).execute()

    after = {r.customer_id: r for r in spark.table("catalog.silver.customers").collect()}
    assert len(after) == 8
    assert after["c1"].name == "New One" and after["c1"].email == "one@new.example"
    assert after["c1"].created_at == dt.datetime(2026, 1, 1)
    assert after["c1"].updated_at > dt.datetime(2026, 11, 1)
    assert after["c9"].created_at == after["c9"].updated_at  # one timestamp per statement
    assert after["c2"].name == "Name 2"

    # --- Time travel ---
    df_v3 = spark.read.format("delta") \
        .option("versionAsOf", 3) \
        .table("catalog.silver.customers")
    assert sorted(r.customer_id for r in df_v3.collect()) == [f"c{i}" for i in range(7)]

    history = spark.sql("DESCRIBE HISTORY catalog.silver.customers")
    history.show(10)
    ops = {r.version: r.operation for r in history.collect()}
    assert ops[4] == "MERGE" and ops[0] in ("CREATE TABLE AS SELECT", "WRITE",
                                            "CREATE OR REPLACE TABLE AS SELECT")
    at_v2 = [r.timestamp for r in history.collect() if r.version == 2][0]
    df_yesterday = spark.read.format("delta") \
        .option("timestampAsOf", str(at_v2)) \
        .table("catalog.silver.customers")
    assert df_yesterday.count() == 6

    # Restore (emergency rollback) and vacuum.
    for i in (7,):  # version 5
        spark.createDataFrame([(f"c{i}", "Seven", "s@x", dt.datetime(2026, 2, 1),
                                dt.datetime(2026, 2, 1))], customers.schema) \
            .write.format("delta").mode("append").saveAsTable("catalog.silver.customers")
    spark.sql("DELETE FROM catalog.silver.customers WHERE customer_id = 'c0'")  # version 6
    delta_table.restoreToVersion(5)
    restored = sorted(r.customer_id for r in spark.table("catalog.silver.customers").collect())
    assert restored == sorted([f"c{i}" for i in range(8)] + ["c9"])
    delta_table.vacuum(retentionHours=168)
    assert spark.table("catalog.silver.customers").count() == 9

    # --- DataFrames vs SQL: the same rows ---
    result_df = spark.table("catalog.silver.orders") \
        .filter(col("status") == "completed") \
        .groupBy("customer_id") \
        .agg(
            count("*").alias("order_count"),
            sum("total").alias("lifetime_value"),
            max("created_at").alias("last_order_at")
        ) \
        .filter(col("lifetime_value") > 1000) \
        .orderBy(col("lifetime_value").desc())

    result_sql = spark.sql("""
        SELECT customer_id,
               COUNT(*)    AS order_count,
               SUM(total)  AS lifetime_value,
               MAX(created_at) AS last_order_at
        FROM catalog.silver.orders
        WHERE status = 'completed'
        GROUP BY customer_id
        HAVING SUM(total) > 1000
        ORDER BY lifetime_value DESC
    """)
    df_rows = [tuple(r) for r in result_df.collect()]
    assert df_rows == [tuple(r) for r in result_sql.collect()]
    assert result_df.columns == result_sql.columns
    lifetime: dict[str, Decimal] = {}
    for r in by_id.values():
        if r["status"] == "completed":
            lifetime[r["customer_id"]] = lifetime.get(r["customer_id"], 0) + Decimal(r["total"])
    assert [r[0] for r in df_rows] == [c for c, v in sorted(lifetime.items(), key=lambda kv: -kv[1])
                                       if v > 1000]

    # --- Caching, broadcast join, coalesce / repartition before a write ---
    customers = spark.table("catalog.silver.customers").cache()
    assert customers.count() == 9
    assert customers.storageLevel.useMemory

    orders = spark.table("catalog.silver.orders").withColumn(
        "product_id", (col("total").cast("int") % 3).cast("int"))
    product_lookup = spark.createDataFrame([(0, "zero"), (1, "one"), (2, "two")],
                                           "product_id int, product string")
    result = orders.join(
        broadcast(product_lookup),   # product_lookup is small  broadcast it
        on="product_id"
    )
    assert result.count() == len(by_id)
    assert "broadcast" in result._explain_string(extended=False).lower()

    df = spark.table("catalog.silver.orders")
    df.coalesce(10).write.format("delta").save(str(mnt / "out/coalesced"))
    df.repartition(200, col("customer_id")).write.format("delta").save(
        str(mnt / "out/repartitioned"))
    for name in ("coalesced", "repartitioned"):
        back = spark.read.format("delta").load(str(mnt / "out" / name))
        assert back.count() == len(by_id)
