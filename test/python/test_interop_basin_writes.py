"""Basin writes a Delta table; delta-rs and delta-spark read it and must see exactly Basin's rows
and schema. Each scenario runs once per peer; the Spark runs are marked `spark`."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from conftest import (assert_same_table, commit_versions, data_files, log_files, read_delta_rs,
                      read_spark)

PEERS = ["delta-rs", pytest.param("spark", marks=pytest.mark.spark)]


@pytest.fixture(params=PEERS)
def peer_read(request):
    """A function (path, version=None) -> pa.Table that reads through one real peer."""
    if request.param == "spark":
        spark = request.getfixturevalue("spark")
        return lambda path, version=None: read_spark(spark, path, version)
    return read_delta_rs


def plain_rows(start: int, n: int) -> pa.Table:
    ids = list(range(start, start + n))
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "name": pa.array([f"name-{i}" if i % 7 else None for i in ids], pa.string()),
        "score": pa.array([i * 0.5 for i in ids], pa.float64()),
    })


def many_types(n: int = 20) -> pa.Table:
    base = dt.datetime(2024, 2, 29, 12, 30, 15, 123456, tzinfo=dt.timezone.utc)
    rows = range(n)
    return pa.table({
        "i8": pa.array([(i % 250) - 125 if i % 5 else None for i in rows], pa.int8()),
        "i16": pa.array([i * -1000 for i in rows], pa.int16()),
        "i32": pa.array([i * 100000 for i in rows], pa.int32()),
        "i64": pa.array([i * 10**15 - 7 for i in rows], pa.int64()),
        "f32": pa.array([i / 4 for i in rows], pa.float32()),
        "f64": pa.array([i / 3 if i % 4 else None for i in rows], pa.float64()),
        "dec": pa.array([Decimal(i * 1234567) / 100 - Decimal("5000.25") for i in rows],
                        pa.decimal128(12, 2)),
        "str": pa.array(["" if i == 0 else f"s{i}-é✓" if i % 3 else None for i in rows]),
        "bin": pa.array([bytes([i, 0, 255 - i]) if i % 6 else None for i in rows], pa.binary()),
        "flag": pa.array([None if i % 9 == 0 else i % 2 == 0 for i in rows], pa.bool_()),
        "day": pa.array([dt.date(1969, 12, 31) + dt.timedelta(days=i * 400) for i in rows],
                        pa.date32()),
        "ts": pa.array([base + dt.timedelta(days=i * 37, microseconds=i) if i % 4 else None
                        for i in rows], pa.timestamp("us", tz="UTC")),
        "point": pa.array([{"x": i, "label": f"p{i}"} if i % 5 != 3 else None for i in rows],
                          pa.struct([("x", pa.int32()), ("label", pa.string())])),
        "tags": pa.array([[i, i + 1, None][: i % 4] if i % 8 != 7 else None for i in rows],
                         pa.list_(pa.int64())),
        "attrs": pa.array([[("k", i), ("k2", None)] if i % 3 else [] for i in rows],
                          pa.map_(pa.string(), pa.int64())),
    })


# ---------------------------------------------------------------------------------------------


def test_plain_table(basin, peer_read, tmp_path):
    path = tmp_path / "plain"
    first, second = plain_rows(0, 50), plain_rows(50, 30)
    basin.write(path, first)
    basin.write(path, second)
    expected = pa.concat_tables([first, second])
    assert_same_table(basin.read(path), expected, "basin")
    assert_same_table(peer_read(path), expected, "peer latest")
    assert_same_table(peer_read(path, 0), first, "peer version 0")


def test_partitioned_with_null_and_escaped_values(basin, peer_read, tmp_path):
    path = tmp_path / "parts"
    parts = [None, "a b", "a/b", "100%", "x=y", "plain", "ü:#?"]
    data = pa.table({
        "id": pa.array(range(len(parts) * 3), pa.int64()),
        "part": pa.array(parts * 3, pa.string()),
        "n": pa.array([None if i % 4 == 0 else i for i in range(len(parts) * 3)], pa.int32()),
    })
    basin.write(path, data, partition_by=["part", "n"])
    assert_same_table(peer_read(path), data, "partitioned")
    detail = basin.detail(path)
    assert detail.get("partitionColumns") == ["part", "n"], detail


def test_timestamp_partitions_read_the_same_in_any_session_time_zone(basin, spark, tmp_path):
    """Basin writes TIMESTAMP partition values as ISO-8601 UTC (as delta-spark does), so a Spark
    session in another time zone reads the same instants; delta-rs reads them too."""
    path = tmp_path / "ts_parts"
    stamps = [dt.datetime(2021, 9, 8, 11, 11, 11, tzinfo=dt.timezone.utc),
              dt.datetime(2024, 1, 1, 0, 0, 0, 250000, tzinfo=dt.timezone.utc), None]
    data = pa.table({"id": pa.array([1, 2, 3], pa.int64()),
                     "ts": pa.array(stamps, pa.timestamp("us", tz="UTC"))})
    basin.write(path, data, partition_by=["ts"])
    values = sorted(json.dumps(a["add"]["partitionValues"]) for f in log_files(path)
                    if f.endswith(".json") for a in map(json.loads, open(path / "_delta_log" / f))
                    if "add" in a)
    assert values == ['{"ts": "2021-09-08T11:11:11.000000Z"}',
                      '{"ts": "2024-01-01T00:00:00.250000Z"}', '{"ts": null}'], values
    zone = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "America/Los_Angeles")
    try:
        got = spark.read.format("delta").load(str(path)).selectExpr(
            "id", "CAST(unix_micros(ts) AS BIGINT) AS us").orderBy("id").collect()
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone)
    want = [None if s is None else int(s.timestamp() * 1_000_000) for s in stamps]
    assert [r.us for r in got] == want
    assert_same_table(read_delta_rs(path), data, "delta-rs")


def test_long_decimal_stats_are_exact_and_used_by_spark(basin, spark, tmp_path):
    """Decimal bounds of more than 15 digits are written with every digit, as delta-spark writes
    them; Spark's data skipping reads them and still finds rows at the edges."""
    path = tmp_path / "long_decimals"
    values = [Decimal("123456789012345678.91"), Decimal("-99999999999999999.99"), None]
    data = pa.table({"id": pa.array([1, 2, 3], pa.int64()),
                     "d": pa.array(values, pa.decimal128(20, 2))})
    basin.write(path, data)
    adds = [a["add"] for f in log_files(path) if f.endswith(".json")
            for a in map(json.loads, open(path / "_delta_log" / f)) if "add" in a]
    stats = json.loads(adds[0]["stats"], parse_float=Decimal)
    assert stats["minValues"]["d"] == Decimal("-99999999999999999.99")
    assert stats["maxValues"]["d"] == Decimal("123456789012345678.91")
    df = spark.read.format("delta").load(str(path))
    assert df.filter("d = 123456789012345678.91").count() == 1
    assert df.filter("d > 123456789012345678.90").count() == 1
    assert df.filter("d > 123456789012345678.91").count() == 0
    assert_same_table(read_delta_rs(path), data, "delta-rs")


def test_merge_schema_widens_types_like_delta_spark(basin, spark, tmp_path):
    """With delta.enableTypeWidening, an append with mergeSchema of wider values widens the
    column (int -> bigint, float -> double, a wider decimal) without rewriting files, as
    delta-spark does; a widening outside the type family (int -> double) is refused by both."""
    first = pa.table({"i": pa.array([1], pa.int32()), "f": pa.array([1.5], pa.float32()),
                      "d": pa.array([Decimal("1.25")], pa.decimal128(5, 2))})
    wider = pa.table({"i": pa.array([5_000_000_000], pa.int64()),
                      "f": pa.array([2.25], pa.float64()),
                      "d": pa.array([Decimal("123456.125")], pa.decimal128(12, 3))})
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    basin.write(ours, first, properties={"delta.enableTypeWidening": "true"})
    basin.write(ours, wider, merge_schema=True)
    spark.sql(f"CREATE TABLE delta.`{theirs}` (i INT, f FLOAT, d DECIMAL(5,2)) USING DELTA "
              "TBLPROPERTIES ('delta.enableTypeWidening' = 'true')")
    spark.createDataFrame(first.to_pandas()).selectExpr(
        "CAST(i AS INT) i", "CAST(f AS FLOAT) f", "CAST(d AS DECIMAL(5,2)) d").write.format(
        "delta").mode("append").save(str(theirs))
    spark.createDataFrame(wider.to_pandas()).selectExpr(
        "CAST(i AS BIGINT) i", "CAST(f AS DOUBLE) f", "CAST(d AS DECIMAL(12,3)) d").write.format(
        "delta").mode("append").option("mergeSchema", "true").save(str(theirs))

    def schema_of(path):
        metadata = [json.loads(line)["metaData"] for f in log_files(path) if f.endswith(".json")
                    for line in open(path / "_delta_log" / f) if '"metaData"' in line]
        return {f["name"]: (f["type"], f["metadata"].get("delta.typeChanges"))
                for f in json.loads(metadata[-1]["schemaString"])["fields"]}

    assert schema_of(ours) == schema_of(theirs)
    assert schema_of(ours)["i"] == ("long", [{"fromType": "integer", "toType": "long"}])
    got = read_spark(spark, ours)
    assert got.schema.field("i").type == pa.int64()
    assert sorted(got.column("i").to_pylist()) == [1, 5_000_000_000]
    assert sorted(basin.read(ours).column("d").to_pylist()) == [Decimal("1.250"),
                                                                  Decimal("123456.125")]
    # int -> double is not automatic: both refuse it.
    doubles = pa.table({"i": pa.array([0.5], pa.float64())})
    proc = basin.write(ours, doubles, merge_schema=True, check=False)
    assert proc.returncode != 0 and "DELTA_FAILED_TO_MERGE_FIELDS" in proc.stderr, proc.stderr
    with pytest.raises(Exception, match="DELTA_FAILED_TO_MERGE_FIELDS"):
        spark.createDataFrame([(0.5,)], "i double").write.format("delta").mode("append").option(
            "mergeSchema", "true").save(str(theirs))


def test_many_types(basin, peer_read, tmp_path):
    path = tmp_path / "types"
    data = many_types()
    basin.write(path, data)
    assert_same_table(basin.read(path), data, "basin")
    assert_same_table(peer_read(path), data, "peer")


def test_checkpoints(basin, peer_read, tmp_path):
    path = tmp_path / "ckpt"
    chunks = [plain_rows(i * 3, 3) for i in range(12)]
    basin.write(path, chunks[0], properties={"delta.checkpointInterval": "2"})
    for chunk in chunks[1:]:
        basin.write(path, chunk)
    log = Path(path) / "_delta_log"
    checkpoints = sorted(p.name for p in log.glob("*.checkpoint*.parquet"))
    assert checkpoints, f"no checkpoint written: {log_files(path)}"
    assert (log / "_last_checkpoint").exists()
    assert commit_versions(path) == list(range(12))
    expected = pa.concat_tables(chunks)
    assert_same_table(peer_read(path), expected, "peer after checkpoints")
    assert_same_table(peer_read(path, 5), pa.concat_tables(chunks[:6]), "peer version 5")


def test_checkpoint_is_used_without_old_commits(basin, peer_read, tmp_path):
    """Deleting the commits before the last checkpoint must not matter to a peer."""
    path = tmp_path / "ckpt_only"
    chunks = [plain_rows(i * 3, 3) for i in range(5)]
    basin.write(path, chunks[0], properties={"delta.checkpointInterval": "2"})
    for chunk in chunks[1:]:
        basin.write(path, chunk)
    last = json.loads((Path(path) / "_delta_log" / "_last_checkpoint").read_text())
    for version in range(last["version"]):
        (Path(path) / "_delta_log" / f"{version:020d}.json").unlink()
    expected = pa.concat_tables(chunks)
    assert_same_table(peer_read(path), expected, "peer from checkpoint")
    assert_same_table(basin.read(path), expected, "basin from checkpoint")


def test_schema_evolution_merge(basin, peer_read, tmp_path):
    path = tmp_path / "evolve"
    first = pa.table({"id": pa.array([1, 2], pa.int64()), "a": ["x", "y"]})
    second = pa.table({"id": pa.array([3], pa.int64()), "a": ["z"],
                       "b": pa.array([1.5], pa.float64())})
    basin.write(path, first)
    basin.write(path, second, merge_schema=True)
    expected = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "a": ["x", "y", "z"],
                         "b": pa.array([None, None, 1.5], pa.float64())})
    assert_same_table(peer_read(path), expected, "peer after merge")
    assert_same_table(peer_read(path, 0), first, "peer version 0")


def test_overwrite(basin, peer_read, tmp_path):
    path = tmp_path / "overwrite"
    basin.write(path, plain_rows(0, 20))
    basin.write(path, plain_rows(100, 5), mode="overwrite")
    assert_same_table(peer_read(path), plain_rows(100, 5), "peer after overwrite")
    assert_same_table(peer_read(path, 0), plain_rows(0, 20), "peer version 0")


def test_overwrite_schema(basin, peer_read, tmp_path):
    path = tmp_path / "overwrite_schema"
    basin.write(path, plain_rows(0, 10))
    replacement = pa.table({"k": pa.array(["a", "b"]), "v": pa.array([1, 2], pa.int16())})
    basin.write(path, replacement, mode="overwrite", overwrite_schema=True)
    assert_same_table(peer_read(path), replacement, "peer after schema overwrite")


def test_restore(basin, peer_read, tmp_path):
    path = tmp_path / "restore"
    basin.write(path, plain_rows(0, 10))
    basin.write(path, plain_rows(10, 10))
    basin.write(path, plain_rows(50, 3), mode="overwrite")
    basin.restore(path, 1)
    assert commit_versions(path) == [0, 1, 2, 3]
    expected = plain_rows(0, 20)
    assert_same_table(basin.read(path), expected, "basin after restore")
    assert_same_table(peer_read(path), expected, "peer after restore")


def test_vacuum(basin, peer_read, tmp_path):
    path = tmp_path / "vacuum"
    basin.write(path, plain_rows(0, 10))
    basin.write(path, plain_rows(10, 10))
    basin.write(path, plain_rows(40, 4), mode="overwrite")
    before = data_files(path)
    basin.vacuum(path, retain_hours=0)
    after = data_files(path)
    assert len(after) < len(before), (before, after)
    from deltalake import DeltaTable

    live = sorted(str(Path(uri).relative_to(Path(path).resolve()))
                  for uri in DeltaTable(str(path)).file_uris())
    assert after == live, "vacuum must keep exactly the live files"
    assert_same_table(peer_read(path), plain_rows(40, 4), "peer after vacuum")


@pytest.mark.spark
def test_spark_deletes_with_deletion_vectors_then_basin_reads(basin, spark, tmp_path):
    path = tmp_path / "dv"
    data = plain_rows(0, 100)
    basin.write(path, data, properties={"delta.enableDeletionVectors": "true"})
    spark.sql(f"DELETE FROM delta.`{path}` WHERE id % 3 = 0")
    last = Path(path) / "_delta_log" / f"{max(commit_versions(path)):020d}.json"
    assert '"deletionVector"' in last.read_text(), "Spark did not use a deletion vector"
    spark_rows = read_spark(spark, path)
    assert spark_rows.num_rows == 66
    assert_same_table(basin.read(path), spark_rows, "basin read of Spark's DV delete")
    assert_same_table(basin.read(path, version=0), data, "basin version 0")
    # Basin appends on top of a table with deletion vectors; Spark sees both.
    basin.write(path, plain_rows(1000, 5))
    expected = pa.concat_tables([spark_rows, plain_rows(1000, 5)])
    assert_same_table(read_spark(spark, path), expected, "spark after basin append")
    assert_same_table(basin.read(path), expected, "basin after basin append")


@pytest.mark.spark
def test_spark_history_shows_basin_operations(basin, spark, tmp_path):
    path = tmp_path / "history"
    basin.write(path, plain_rows(0, 5))
    basin.write(path, plain_rows(5, 5))
    basin.write(path, plain_rows(10, 5), mode="overwrite")
    basin.restore(path, 0)
    ours = {h["version"]: h["operation"] for h in basin.history(path)}
    theirs = {r["version"]: r["operation"] for r in
              spark.sql(f"DESCRIBE HISTORY delta.`{path}`").collect()}
    assert theirs == ours
    assert ours[0] in ("WRITE", "CREATE TABLE AS SELECT", "CREATE OR REPLACE TABLE AS SELECT")
    assert ours[1] == "WRITE" and ours[2] == "WRITE" and ours[3] == "RESTORE", ours
    from deltalake import DeltaTable

    rs = {h["version"]: h["operation"] for h in DeltaTable(str(path)).history()}
    assert rs == ours


@pytest.mark.spark
def test_spark_detail_of_basin_table(basin, spark, tmp_path):
    path = tmp_path / "detail"
    basin.write(path, plain_rows(0, 10), partition_by=["name"])
    from delta.tables import DeltaTable

    theirs = DeltaTable.forPath(spark, str(path)).detail().collect()[0].asDict()
    ours = basin.detail(path)
    assert theirs["partitionColumns"] == ["name"]
    assert ours["partitionColumns"] == ["name"]
    assert theirs["numFiles"] == ours["numFiles"]
    assert theirs["id"] == ours["id"]
    assert theirs["minReaderVersion"] == ours["minReaderVersion"]
    assert theirs["minWriterVersion"] == ours["minWriterVersion"]


def _without(table: pa.Table, drop) -> pa.Table:
    keep = [i for i in table.column("id").to_pylist() if not drop(i)]
    import pyarrow.compute as pc

    return table.filter(pc.is_in(table.column("id"), pa.array(keep, pa.int64())))


@pytest.mark.parametrize("deletion_vectors", [True, False], ids=["dv", "rewrite"])
def test_basin_deletes_rows(basin, peer_read, tmp_path, deletion_vectors):
    path = tmp_path / "deletes"
    data = pa.concat_tables([plain_rows(0, 60), plain_rows(60, 40)])
    properties = {"delta.enableDeletionVectors": "true"} if deletion_vectors else {}
    basin.write(path, plain_rows(0, 60), properties=properties, partition_by=())
    basin.write(path, plain_rows(60, 40))
    first = basin.delete(path, "id < 10 OR id = 75")
    assert first["num_deleted_rows"] == 11
    second = basin.delete(path, "id >= 5 AND id < 20")  # rows 5..9 are already gone
    assert second["num_deleted_rows"] == 10
    expected = _without(data, lambda i: i < 20 or i == 75)
    last = (Path(path) / "_delta_log" / f"{second['version']:020d}.json").read_text()
    assert ('"deletionVector"' in last) == deletion_vectors
    metrics = second["operationMetrics"]
    if deletion_vectors:
        assert metrics["numDeletionVectorsUpdated"] == "1" and metrics["numAddedFiles"] == "0"
    else:
        assert metrics["numRemovedFiles"] == "1" and metrics["numAddedFiles"] == "1"
        # The first delete rewrote each file into one (ids 10-59 and 60-99 but 75); this one
        # touches the first only and keeps 40 of its 50 rows.
        assert metrics["numCopiedRows"] == "40"
    assert_same_table(peer_read(path), expected, "peer after basin deletes")
    assert_same_table(basin.read(path), expected, "basin after its deletes")
    assert_same_table(peer_read(path, version=first["version"]),
                      _without(data, lambda i: i < 10 or i == 75), "peer time travel")
    # A delete that matches nothing commits nothing.
    none = basin.delete(path, "id > 100000")
    assert none["num_deleted_rows"] == 0 and none["version"] == second["version"]
    # Deleting every row of a file removes the file.
    gone = basin.delete(path, "id >= 60")
    assert gone["operationMetrics"]["numRemovedFiles"] == "1"
    assert_same_table(peer_read(path), _without(data, lambda i: i < 20 or i >= 60),
                      "peer after whole-file delete")


def test_sql_delete_rewrites_only_touched_files(basin, peer_read, tmp_path):
    """A SQL DELETE (no deletion vectors) over three files of 5,000 rows rewrites the two files
    that have matching rows, each into one file, and keeps the third. The rewritten files store
    their all-distinct numeric columns without a dictionary; the peers read the same rows."""
    import pyarrow.parquet as pq

    path = tmp_path / "sql-delete"
    parts = [plain_rows(0, 5000), plain_rows(5000, 5000), plain_rows(10000, 5000)]
    for part in parts:
        basin.write(path, part)
    before = set(data_files(path))
    proc = basin.run("sql", "-e",
                     f"DELETE FROM delta.`{path}` WHERE id % 5000 < 100 AND id < 10000")
    assert "200" in proc.stdout
    data = pa.concat_tables(parts)
    expected = _without(data, lambda i: i % 5000 < 100 and i < 10000)
    assert_same_table(peer_read(path), expected, "peer after SQL delete")
    last = max(commit_versions(path))
    actions = [json.loads(line) for line in
               (Path(path) / "_delta_log" / f"{last:020d}.json").read_text().splitlines()]
    metrics = next(a["commitInfo"] for a in actions if "commitInfo" in a)["operationMetrics"]
    assert metrics["numDeletedRows"] == "200"
    assert metrics["numRemovedFiles"] == "2" and metrics["numAddedFiles"] == "2"
    assert metrics["numCopiedRows"] == "9800"
    added = [a["add"] for a in actions if "add" in a]
    removed = {a["remove"]["path"] for a in actions if "remove" in a}
    assert sorted(json.loads(a["stats"])["numRecords"] for a in added) == [4900, 4900]
    after = set(data_files(path))
    assert len(before - removed) == 1 and (before - removed) <= after  # the third file stays
    for a in added:
        meta = pq.read_metadata(Path(path) / a["path"])
        encodings = {meta.schema.column(i).name: meta.row_group(0).column(i).encodings
                     for i in range(meta.num_columns)}
        assert "RLE_DICTIONARY" not in encodings["id"], encodings
        assert "RLE_DICTIONARY" not in encodings["score"], encodings


@pytest.mark.spark
def test_spark_and_basin_delete_the_same_file_with_deletion_vectors(basin, spark, tmp_path):
    path = tmp_path / "dv-both"
    data = plain_rows(0, 100)
    basin.write(path, data, properties={"delta.enableDeletionVectors": "true"})
    spark.sql(f"DELETE FROM delta.`{path}` WHERE id % 3 = 0")
    report = basin.delete(path, "id < 50")  # updates Spark's vector
    assert report["num_deleted_rows"] == 33
    spark.sql(f"DELETE FROM delta.`{path}` WHERE id = 98")  # and Spark updates Basin's
    expected = _without(data, lambda i: i % 3 == 0 or i < 50 or i == 98)
    assert_same_table(read_spark(spark, path), expected, "spark after both deletes")
    assert_same_table(basin.read(path), expected, "basin after both deletes")
    assert_same_table(read_delta_rs(path), expected, "delta-rs after both deletes")
