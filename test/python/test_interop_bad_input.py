"""Broken tables and bad requests: Basin exits non-zero with an "[ERROR_CLASS] message" on stderr,
never crashes or hangs, and a failed write leaves the table exactly as it was.

The tables are made by delta-rs so that these tests do not depend on Basin's writer."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import assert_same_table, data_files, log_files, read_delta_rs
from test_interop_basin_writes import plain_rows

CRASH_MARKERS = ("terminate called", "Segmentation fault", "Aborted", "core dumped",
                 "AddressSanitizer", "std::", "what():")


def assert_clean_failure(proc, *, expect_in_message: tuple[str, ...] = ()):
    """A user error: exit code 1..127, one "[CLASS] message" on stderr, no crash output."""
    assert proc.returncode != 0, f"expected a failure, got exit 0 and stdout {proc.stdout[:500]}"
    assert 0 < proc.returncode < 128, f"crashed with exit {proc.returncode}: {proc.stderr}"
    err = proc.stderr.strip()
    assert err.startswith("["), f"stderr must start with [ERROR_CLASS]: {err!r}"
    error_class, _, message = err.partition("] ")
    assert error_class[1:].replace("_", "").isalnum() and error_class[1:].isupper(), err
    assert len(message) > 10, f"message too short to help: {err!r}"
    for marker in CRASH_MARKERS:
        assert marker not in proc.stderr, f"crash output in stderr: {proc.stderr}"
    return error_class[1:], message


def make_table(path: Path, commits: int = 3) -> None:
    for i in range(commits):
        write_deltalake(str(path), plain_rows(i * 10, 10), mode="append")


def commit_file(path: Path, version: int) -> Path:
    return path / "_delta_log" / f"{version:020d}.json"


def read_cmd(basin, path, *extra):
    return basin.run("table", "read", path, "--format", "jsonl", "-o",
                     str(basin.scratch / "out.jsonl"), *extra, check=False)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty_action", "bad_schema"])
def test_corrupt_latest_commit(basin, tmp_path, damage):
    path = tmp_path / "t"
    make_table(path)
    commit = commit_file(path, 2)
    text = commit.read_text()
    if damage == "garbage":
        commit.write_text("{this is not json\n")
    elif damage == "truncated":
        commit.write_text(text[: len(text) // 2])
    elif damage == "empty_action":
        commit.write_text(text + '{"add": {"path": 5}}\n')
    else:
        # A metaData action whose schemaString is not a schema.
        meta = {"metaData": {"id": "x", "format": {"provider": "parquet", "options": {}},
                             "schemaString": "{\"type\": \"struct\", \"fields\": [{]}",
                             "partitionColumns": [], "configuration": {}}}
        commit.write_text(text + json.dumps(meta) + "\n")
    for cmd in (read_cmd(basin, path), basin.run("table", "detail", path, check=False)):
        assert_clean_failure(cmd)
    # The versions before the damage stay readable.
    assert basin.read(path, version=1).num_rows == 20


def test_truncated_data_file(basin, tmp_path):
    path = tmp_path / "t"
    make_table(path, commits=2)
    victim = path / data_files(path)[0]
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    assert_clean_failure(read_cmd(basin, path))


def test_missing_data_file(basin, tmp_path):
    path = tmp_path / "t"
    make_table(path, commits=2)
    (path / data_files(path)[0]).unlink()
    assert_clean_failure(read_cmd(basin, path))


def test_missing_checkpoint_part(basin, tmp_path):
    """_last_checkpoint names a two-part checkpoint of which one part is gone, and the commits
    before it were cleaned up: the table cannot be reconstructed."""
    path = tmp_path / "t"
    make_table(path, commits=4)
    DeltaTable(str(path)).create_checkpoint()
    log = path / "_delta_log"
    single = log / f"{3:020d}.checkpoint.parquet"
    assert single.exists(), log_files(path)
    checkpoint = pq.read_table(single)
    half = checkpoint.num_rows // 2
    pq.write_table(checkpoint.slice(0, half),
                   log / f"{3:020d}.checkpoint.{1:010d}.{2:010d}.parquet")
    single.unlink()
    (log / "_last_checkpoint").write_text(json.dumps({"version": 3, "size": checkpoint.num_rows,
                                                      "parts": 2}))
    for version in range(3):
        commit_file(path, version).unlink()
    assert_clean_failure(read_cmd(basin, path))
    assert_clean_failure(basin.run("table", "detail", path, check=False))


def test_checkpoint_missing_without_fallback(basin, tmp_path):
    path = tmp_path / "t"
    make_table(path, commits=4)
    DeltaTable(str(path)).create_checkpoint()
    (path / "_delta_log" / f"{3:020d}.checkpoint.parquet").unlink()
    for version in range(3):
        commit_file(path, version).unlink()
    assert_clean_failure(read_cmd(basin, path))


def test_gap_in_versions(basin, tmp_path):
    path = tmp_path / "t"
    make_table(path, commits=4)
    commit_file(path, 2).unlink()
    error_class, _ = assert_clean_failure(read_cmd(basin, path))
    # Time travel to a version before the gap is still well defined.
    assert basin.read(path, version=1).num_rows == 20


def test_wrong_path(basin, tmp_path):
    assert_clean_failure(read_cmd(basin, tmp_path / "no" / "such" / "table"))
    assert_clean_failure(basin.run("table", "history", tmp_path / "nope", check=False))
    assert_clean_failure(basin.run("table", "detail", tmp_path / "nope", check=False))


def test_not_a_delta_table(basin, tmp_path):
    folder = tmp_path / "plain_parquet"
    folder.mkdir()
    pq.write_table(plain_rows(0, 5), folder / "part-0.parquet")
    error_class, message = assert_clean_failure(read_cmd(basin, folder))
    assert "DELTA" in error_class or "delta" in message.lower(), (error_class, message)
    empty_log = tmp_path / "empty_log"
    (empty_log / "_delta_log").mkdir(parents=True)
    assert_clean_failure(read_cmd(basin, empty_log))


def test_version_out_of_range(basin, tmp_path):
    path = tmp_path / "t"
    make_table(path, commits=2)
    assert_clean_failure(read_cmd(basin, path, "--version", "7"))
    assert_clean_failure(read_cmd(basin, path, "--timestamp", "1999-01-01 00:00:00"))


def snapshot_of(path: Path) -> tuple:
    log = path / "_delta_log"
    return (log_files(path), data_files(path),
            {name: (log / name).read_bytes() for name in log_files(path)})


@pytest.mark.parametrize("case", ["type_mismatch", "error_mode_on_existing_table",
                                  "new_column_without_merge", "bad_partition_column"])
def test_failed_write_leaves_table_unchanged(basin, tmp_path, case):
    path = tmp_path / "t"
    make_table(path, commits=2)
    before = snapshot_of(path)
    rows_before = read_delta_rs(path)
    if case == "type_mismatch":
        bad = pa.table({"id": ["not", "a", "number"], "name": ["a", "b", "c"],
                        "score": [1.0, 2.0, 3.0]})
        proc = basin.write(path, bad, check=False)
    elif case == "error_mode_on_existing_table":
        proc = basin.write(path, plain_rows(0, 3), mode="error", check=False)
    elif case == "new_column_without_merge":
        extra = plain_rows(0, 3).append_column("surprise", pa.array([1, 2, 3], pa.int32()))
        proc = basin.write(path, extra, check=False)
    else:
        proc = basin.write(path, plain_rows(0, 3), partition_by=["name"], check=False)
    assert_clean_failure(proc)
    assert snapshot_of(path) == before, "a failed write changed the table"
    assert_same_table(read_delta_rs(path), rows_before, "table after failed write")


def test_write_from_missing_or_bad_file(basin, tmp_path):
    path = tmp_path / "t"
    make_table(path, commits=1)
    before = snapshot_of(path)
    proc = basin.run("table", "write", path, "--from", tmp_path / "nope.parquet", "--mode",
                     "append", check=False)
    assert_clean_failure(proc)
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 definitely not parquet")
    assert_clean_failure(basin.run("table", "write", path, "--from", bad, "--mode", "append",
                                   check=False))
    assert snapshot_of(path) == before
