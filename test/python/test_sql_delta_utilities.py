"""Delta's utilities in SQL through `basin sql`: DESCRIBE HISTORY / DETAIL, time travel
(VERSION AS OF, TIMESTAMP AS OF, t@v), RESTORE, VACUUM [DRY RUN], and delta-spark reading the
restored table. Each test uses its own warehouse."""

import json

import pyarrow as pa

from conftest import assert_same_table, read_spark


def sql_rows(basin, statement: str) -> list[dict]:
    """Runs SQL and returns the rows of its last query (JSON lines)."""
    proc = basin.run("sql", "--format", "jsonl", "-e", statement)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def warehouse_table(basin, name: str) -> str:
    return str(basin.scratch / "warehouse" / "main" / "default" / name)


def test_history_detail_time_travel_restore_vacuum(basin, spark):
    basin.run("sql", "-e", """
        CREATE TABLE events (id INT, kind STRING) USING DELTA;
        INSERT INTO events VALUES (1, 'a'), (2, 'b');
        INSERT INTO events VALUES (3, 'c');
        UPDATE events SET kind = 'z' WHERE id = 1;
        DELETE FROM events WHERE id = 2;
    """)
    history = sql_rows(basin, "DESCRIBE HISTORY events")
    assert [h["version"] for h in history] == [4, 3, 2, 1, 0]
    assert [h["operation"] for h in history] == [
        "DELETE", "UPDATE", "WRITE", "WRITE", "CREATE TABLE"]
    assert history[0]["operationMetrics"]["numDeletedRows"] == "1"
    assert history[1]["operationMetrics"]["numUpdatedRows"] == "1"
    assert len(sql_rows(basin, "DESCRIBE HISTORY events LIMIT 2")) == 2

    detail = sql_rows(basin, "DESCRIBE DETAIL events")[0]
    assert detail["format"] == "delta"
    assert detail["location"].endswith("events")
    assert detail["numFiles"] >= 1

    assert sql_rows(basin, "SELECT count(*) AS n FROM events VERSION AS OF 2") == [{"n": 3}]
    assert sql_rows(basin, "SELECT count(*) AS n FROM events@v1") == [{"n": 2}]
    ts = history[2]["timestamp"]
    assert sql_rows(
        basin, f"SELECT count(*) AS n FROM events TIMESTAMP AS OF '{ts}'") == [{"n": 3}]

    restored = sql_rows(basin, "RESTORE TABLE events TO VERSION AS OF 2")[0]
    assert restored["num_of_files_after_restore"] >= 1
    assert sql_rows(basin, "SELECT id, kind FROM events ORDER BY id") == [
        {"id": 1, "kind": "a"}, {"id": 2, "kind": "b"}, {"id": 3, "kind": "c"}]
    assert sql_rows(basin, "DESCRIBE HISTORY events LIMIT 1")[0]["operation"] == "RESTORE"

    # delta-spark reads the restored table as Basin does.
    path = warehouse_table(basin, "events")
    expected = pa.table({"id": pa.array([1, 2, 3], pa.int32()), "kind": ["a", "b", "c"]})
    assert_same_table(read_spark(spark, path), expected, "restored table in delta-spark")

    # VACUUM: the files the UPDATE and DELETE removed are old enough with zero retention.
    dry = sql_rows(basin, "SET spark.databricks.delta.retentionDurationCheck.enabled = false; "
                          "VACUUM events RETAIN 0 HOURS DRY RUN")
    assert dry, "a dry run lists the files it would delete"
    proc = basin.run("sql", "-e", "VACUUM events RETAIN 0 HOURS", check=False)
    assert proc.returncode != 0 and "DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT" in proc.stderr
    basin.run("sql", "-e", "SET spark.databricks.delta.retentionDurationCheck.enabled = false; "
                           "VACUUM events RETAIN 0 HOURS")
    assert sql_rows(basin, "SELECT count(*) AS n FROM events") == [{"n": 3}]
    assert_same_table(read_spark(spark, path), expected, "vacuumed table in delta-spark")


def test_clone_and_convert(basin, spark, tmp_path):
    basin.run("sql", "-e", """
        CREATE TABLE src AS SELECT id, CAST(id AS STRING) AS s FROM range(10);
        CREATE TABLE shallow SHALLOW CLONE src;
        CREATE TABLE deep DEEP CLONE src;
        DELETE FROM src WHERE id < 5;
    """)
    assert sql_rows(basin, "SELECT count(*) AS n FROM shallow") == [{"n": 10}]
    assert sql_rows(basin, "SELECT count(*) AS n FROM deep") == [{"n": 10}]
    assert sql_rows(basin, "DESCRIBE HISTORY deep")[0]["operation"] == "CLONE"
    for name in ("shallow", "deep"):
        table = read_spark(spark, warehouse_table(basin, name))
        assert table.num_rows == 10, name

    folder = tmp_path / "plain_parquet"
    spark.range(6).selectExpr("id", "id % 2 AS part").write.partitionBy("part").parquet(
        str(folder))
    basin.run("sql", "-e",
              f"CONVERT TO DELTA parquet.`{folder}` PARTITIONED BY (part BIGINT)")
    assert sql_rows(basin, f"SELECT count(*) AS n, sum(part) AS p FROM delta.`{folder}`") == [
        {"n": 6, "p": 3}]
    assert read_spark(spark, str(folder)).num_rows == 6


def test_errors_name_the_class(basin):
    for statement, error in [
        ("DESCRIBE HISTORY nope", "TABLE_OR_VIEW_NOT_FOUND"),
        ("RESTORE TABLE nope TO VERSION AS OF 0", "TABLE_OR_VIEW_NOT_FOUND"),
        ("CREATE TABLE t AS SELECT 1 AS a; RESTORE TABLE t TO VERSION AS OF 7",
         "DELTA_CANNOT_RESTORE_TABLE_VERSION"),
        ("OPTIMIZE t ZORDER BY (nope)", "DELTA_ZORDERING_COLUMN_DOES_NOT_EXIST"),
    ]:
        proc = basin.run("sql", "-e", statement, check=False)
        assert proc.returncode != 0, statement
        assert error in proc.stderr, (statement, proc.stderr)


def test_generated_column_table_is_shared_with_spark(basin, spark):
    """A table Basin creates with a generated column: delta-spark sees the generation
    expression (it computes the column on its own insert), and Basin reads Spark's row."""
    basin.run("sql", "-e", """
        CREATE TABLE ev (id BIGINT, ts TIMESTAMP,
                         day DATE GENERATED ALWAYS AS (CAST(ts AS DATE))) USING DELTA;
        INSERT INTO ev (id, ts) VALUES (1, TIMESTAMP'2024-03-01 10:00:00');
    """)
    path = warehouse_table(basin, "ev")
    spark.sql(f"INSERT INTO delta.`{path}` (id, ts) VALUES (2, TIMESTAMP'2024-05-06 07:08:09')")
    rows = sql_rows(basin, "SELECT id, CAST(day AS STRING) AS day FROM ev ORDER BY id")
    assert rows == [{"id": 1, "day": "2024-03-01"}, {"id": 2, "day": "2024-05-06"}]
    bad = spark.sql(f"SELECT count(*) AS n FROM delta.`{path}` WHERE day <> CAST(ts AS DATE)")
    assert bad.collect()[0]["n"] == 0


def test_identity_column_is_shared_with_spark(basin, spark):
    """Basin and delta-spark take turns inserting into a table with an identity column: each
    continues from the other's high-water mark, so ids never repeat."""
    basin.run("sql", "-e", """
        CREATE TABLE ids (id BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 1 INCREMENT BY 1),
                          v STRING) USING DELTA;
        INSERT INTO ids (v) VALUES ('basin-1'), ('basin-2');
    """)
    path = warehouse_table(basin, "ids")
    spark.sql(f"INSERT INTO delta.`{path}` (v) VALUES ('spark-1')")
    basin.run("sql", "-e", "INSERT INTO ids (v) VALUES ('basin-3')")
    rows = sql_rows(basin, "SELECT id, v FROM ids ORDER BY id")
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == 4, rows
    assert [r["v"] for r in rows] == ["basin-1", "basin-2", "spark-1", "basin-3"], rows
    assert ids[:2] == [1, 2] and ids[3] > ids[2] > 2, rows


def test_merge_schema_evolution_read_by_peers(basin, spark):
    """MERGE WITH SCHEMA EVOLUTION adds the source's new column; delta-spark and delta-rs read
    the evolved table as Basin does (old rows get null)."""
    from conftest import read_delta_rs
    basin.run("sql", "-e", """
        CREATE TABLE evo (id INT, name STRING) USING DELTA;
        INSERT INTO evo VALUES (1, 'a'), (2, 'b');
        MERGE WITH SCHEMA EVOLUTION INTO evo t
        USING (SELECT * FROM VALUES (2, 'B', 20L), (3, 'C', 30L) AS v(id, name, score)) s
        ON t.id = s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *;
    """)
    path = warehouse_table(basin, "evo")
    expected = pa.table({"id": pa.array([1, 2, 3], pa.int32()), "name": ["a", "B", "C"],
                         "score": pa.array([None, 20, 30], pa.int64())})
    assert_same_table(read_spark(spark, path), expected, "delta-spark")
    assert_same_table(read_delta_rs(path), expected, "delta-rs")


def test_vacuum_removes_old_change_data_files(basin):
    """Change data files are never live: VACUUM deletes them once past the retention, as
    delta-spark does; the table's rows are untouched."""
    basin.run("sql", "-e", """
        CREATE TABLE feed (id INT, v STRING)
            TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true');
        INSERT INTO feed VALUES (1, 'a'), (2, 'b');
        UPDATE feed SET v = 'B' WHERE id = 2;
    """)
    change_dir = basin.scratch / "warehouse" / "main" / "default" / "feed" / "_change_data"
    assert any(change_dir.rglob("*.parquet")), "UPDATE wrote change data files"
    basin.run("sql", "-e", "SET spark.databricks.delta.retentionDurationCheck.enabled = false; "
                           "VACUUM feed RETAIN 0 HOURS")
    assert not any(change_dir.rglob("*.parquet"))
    assert sql_rows(basin, "SELECT id, v FROM feed ORDER BY id") == [
        {"id": 1, "v": "a"}, {"id": 2, "v": "B"}]
