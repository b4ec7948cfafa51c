"""Concurrent writers: every append lands exactly once, and the commit versions stay contiguous."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake

from conftest import COMMAND_TIMEOUT_S, commit_versions

APPENDS_PER_WRITER = 20


def one_row_files(directory: Path, writer: int, n: int) -> list[Path]:
    """Stages n one-row Parquet files whose ids say which writer and which append they are."""
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        f = directory / f"w{writer}-{i}.parquet"
        pq.write_table(pa.table({"id": pa.array([writer * 1000 + i], pa.int64()),
                                 "writer": pa.array([writer], pa.int32())}), f)
        files.append(f)
    return files


def basin_append_loop(files) -> str:
    """Runs the appends from one OS process (a shell loop) so that writers truly overlap."""
    script = "set -e\n" + "".join(
        f'"$BASIN" --warehouse "$WH" table write "$TABLE" --from "{f}" --mode append >/dev/null\n'
        for f in files)
    return script


def run_shell(script: str, basin, path) -> subprocess.Popen:
    return subprocess.Popen(
        ["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "BASIN": str(basin.binary), "WH": str(basin.scratch / "warehouse"),
             "TABLE": str(path)})


def assert_all_appends_landed(basin, path, expected_ids, initial_versions=1):
    ids = sorted(basin.read(path, columns=["id"]).column("id").to_pylist())
    assert ids == sorted(expected_ids), "lost or duplicated rows"
    versions = commit_versions(path)
    assert versions == list(range(len(versions))), f"versions not contiguous: {versions}"
    # One commit per append (plus the initial commit that created the table).
    assert len(versions) == initial_versions + len(expected_ids) - 1


def test_two_basin_writers(basin, tmp_path):
    path = tmp_path / "race"
    seed = pa.table({"id": pa.array([-1], pa.int64()), "writer": pa.array([0], pa.int32())})
    basin.write(path, seed)
    procs = [run_shell(basin_append_loop(one_row_files(tmp_path / "in", w,
                                                                    APPENDS_PER_WRITER)),
                       basin, path) for w in (1, 2)]
    for p in procs:
        out, err = p.communicate(timeout=COMMAND_TIMEOUT_S * 2)
        assert p.returncode == 0, f"a writer failed: {err}"
    expected = [-1] + [w * 1000 + i for w in (1, 2) for i in range(APPENDS_PER_WRITER)]
    assert_all_appends_landed(basin, path, expected)
    # A peer agrees.
    assert DeltaTable(str(path)).to_pyarrow_table().num_rows == len(expected)


def test_basin_racing_delta_rs(basin, tmp_path):
    path = tmp_path / "race_rs"
    seed = pa.table({"id": pa.array([-1], pa.int64()), "writer": pa.array([0], pa.int32())})
    write_deltalake(str(path), seed)
    proc = run_shell(basin_append_loop(one_row_files(tmp_path / "in", 1,
                                                                  APPENDS_PER_WRITER)),
                     basin, path)
    errors = []

    def rs_loop():
        try:
            for i in range(APPENDS_PER_WRITER):
                write_deltalake(str(path), pa.table({"id": pa.array([2000 + i], pa.int64()),
                                                     "writer": pa.array([2], pa.int32())}),
                                mode="append")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    thread = threading.Thread(target=rs_loop)
    thread.start()
    out, err = proc.communicate(timeout=COMMAND_TIMEOUT_S * 2)
    thread.join(timeout=COMMAND_TIMEOUT_S)
    assert proc.returncode == 0, f"Basin writer failed: {err}"
    assert not errors, f"delta-rs writer failed: {errors}"
    expected = [-1] + [1000 + i for i in range(APPENDS_PER_WRITER)] + \
        [2000 + i for i in range(APPENDS_PER_WRITER)]
    assert_all_appends_landed(basin, path, expected)
    assert sorted(DeltaTable(str(path)).to_pyarrow_table().column("id").to_pylist()) == \
        sorted(expected)
