"""The `basin` command's own contract: usage, options and error reporting."""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BASIN = os.environ.get("BASIN_BIN", str(REPO / "build" / "basin"))


def run(*args, cwd=None, env=None):
    return subprocess.run([BASIN, *map(str, args)], capture_output=True, text=True, timeout=60,
                          cwd=cwd, env={**os.environ, **(env or {})})


def test_help_lists_table_commands():
    proc = run("table", "--help")
    assert proc.returncode == 0
    for command in ("read", "scan", "write", "history", "detail", "restore", "vacuum"):
        assert f"  {command} PATH" in proc.stdout


def test_no_arguments_prints_usage_and_fails():
    proc = run()
    assert proc.returncode == 2
    assert "Usage: basin" in proc.stdout


@pytest.mark.parametrize("args, error_class, words", [
    (("frobnicate",), "INVALID_PARAMETER_VALUE", "Unknown command"),
    (("table", "frobnicate", "x"), "INVALID_PARAMETER_VALUE", "Unknown table command"),
    (("table", "read"), "INVALID_PARAMETER_VALUE", "exactly one table PATH"),
    (("table", "read", "a", "b"), "INVALID_PARAMETER_VALUE", "exactly one table PATH"),
    (("table", "read", "t", "--bogus"), "INVALID_PARAMETER_VALUE", "Unknown option '--bogus'"),
    (("table", "read", "t", "--version"), "INVALID_PARAMETER_VALUE", "needs a value"),
    (("table", "read", "t", "--version", "x1"), "INVALID_PARAMETER_VALUE", "must be an integer"),
    (("table", "read", "t", "--version", "1", "--timestamp", "2024-01-01"),
     "INVALID_PARAMETER_VALUE", "not both"),
    (("table", "read", "t", "--timestamp", "yesterday"), "INVALID_PARAMETER_VALUE", "not valid"),
    (("table", "write", "t"), "INVALID_PARAMETER_VALUE", "needs --from"),
    (("table", "write", "t", "--from", "x.csv", "--mode", "upsert"), "INVALID_PARAMETER_VALUE",
     "Unknown save mode"),
    (("table", "write", "t", "--from", "x.csv", "--overwrite-schema"), "INVALID_PARAMETER_VALUE",
     "needs --mode overwrite"),
    (("table", "write", "t", "--from", "x.csv", "--property", "novalue"), "INVALID_PARAMETER_VALUE",
     "KEY=VALUE"),
])
def test_bad_arguments_give_error_class(tmp_path, args, error_class, words):
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode != 0 and proc.returncode < 128, proc
    assert proc.stderr.startswith(f"[{error_class}]"), proc.stderr
    assert words in proc.stderr


def test_write_from_missing_file(tmp_path):
    proc = run("table", "write", tmp_path / "t", "--from", tmp_path / "missing.csv")
    assert proc.returncode == 1
    assert proc.stderr.startswith("[PATH_NOT_FOUND]")
    assert not (tmp_path / "t" / "_delta_log").exists()


def test_write_from_unknown_extension(tmp_path):
    src = tmp_path / "data.xlsx"
    src.write_text("a\n1\n")
    proc = run("table", "write", tmp_path / "t", "--from", src)
    assert proc.returncode == 1
    assert "Unsupported input file" in proc.stderr


def test_read_non_delta_folder(tmp_path):
    (tmp_path / "plain").mkdir()
    proc = run("table", "read", tmp_path / "plain")
    assert proc.returncode == 1
    assert proc.stderr.startswith("[DELTA_"), proc.stderr
    assert str(tmp_path / "plain") in proc.stderr


def test_warehouse_option_is_accepted_anywhere(tmp_path):
    proc = run("table", "--help", "--warehouse", tmp_path)
    assert proc.returncode == 0
    proc = run("--warehouse=" + str(tmp_path), "version")
    assert proc.returncode == 0 and proc.stdout.startswith("basin ")


def test_scan_reports_rows_of_the_snapshot(tmp_path):
    src = tmp_path / "rows.csv"
    src.write_text("id,name\n1,a\n2,b\n3,c\n")
    assert run("table", "write", tmp_path / "t", "--from", src).returncode == 0
    assert run("table", "write", tmp_path / "t", "--from", src, "--mode", "append").returncode == 0
    import json
    report = json.loads(run("table", "scan", tmp_path / "t").stdout)
    assert report["rows"] == 6 and report["columns"] == 2 and report["version"] == 1
    assert report["bytes"] > 0 and report["seconds"] >= 0
    old = json.loads(run("table", "scan", tmp_path / "t", "--version", "0", "--columns", "id").stdout)
    assert old["rows"] == 3 and old["columns"] == 1
    # --repeat runs the scan several times in one process: `seconds` is the median.
    repeated = json.loads(run("table", "scan", tmp_path / "t", "--repeat", "3").stdout)
    assert repeated["rows"] == 6 and len(repeated["rep_seconds"]) == 3
    assert sorted(repeated["rep_seconds"])[1] == repeated["seconds"]
    assert run("table", "scan", tmp_path / "t", "--repeat", "0").stderr.startswith(
        "[INVALID_PARAMETER_VALUE]")


def test_write_into_generated_columns_points_to_sql(tmp_path):
    """`basin table write` cannot compute generated columns: it refuses, says to use INSERT INTO,
    and leaves the table as it was; INSERT INTO through SQL computes them."""
    wh = tmp_path / "wh"
    proc = run("sql", "--warehouse", wh, "-e",
               "CREATE TABLE g (a BIGINT, b BIGINT GENERATED ALWAYS AS (a * 2)) USING DELTA")
    assert proc.returncode == 0, proc.stderr
    table = wh / "main" / "default" / "g"
    src = tmp_path / "rows.csv"
    src.write_text("a\n1\n")
    proc = run("table", "write", table, "--from", src, "--mode", "append")
    assert proc.returncode == 1
    assert proc.stderr.startswith("[DELTA_UNSUPPORTED_FEATURES_FOR_WRITE]"), proc.stderr
    assert "generatedColumns" in proc.stderr and "INSERT INTO" in proc.stderr
    assert sorted(p.name for p in (table / "_delta_log").glob("*.json")) == [
        "00000000000000000000.json"]
    proc = run("sql", "--warehouse", wh, "-e", "INSERT INTO g (a) VALUES (1); SELECT a, b FROM g",
               "--format", "csv")
    assert proc.returncode == 0 and proc.stdout.strip().splitlines()[-1] == "1,2", proc.stdout


def test_one_shot_commands_load_no_grpc_or_libpq():
    """`basin` itself links neither gRPC/protobuf (they live in basin-serve) nor libpq (opened
    when a PostgreSQL metastore is used): loading them cost every `basin sql -e` ~20 ms."""
    proc = subprocess.run(["ldd", BASIN], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for library in ("libgrpc", "libprotobuf", "libpq", "libabsl"):
        assert library not in proc.stdout, proc.stdout


def test_serve_runs_the_server_next_to_basin(tmp_path):
    proc = run("serve", "--help")
    assert proc.returncode == 0
    assert "Usage: basin [--warehouse DIR] serve" in proc.stdout
    proc = run("--warehouse", tmp_path / "w", "serve", "--port", "x")
    assert proc.returncode == 1
    assert "[INVALID_PARAMETER_VALUE] --port must be a number" in proc.stderr


def test_serve_without_the_server_executable_says_so(tmp_path):
    alone = tmp_path / "basin"
    alone.write_bytes(Path(BASIN).read_bytes())
    alone.chmod(0o755)
    proc = subprocess.run([str(alone), "serve"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "cannot start the Spark Connect server" in proc.stderr
    assert "basin-serve" in proc.stderr
    # The other commands work without it.
    proc = subprocess.run([str(alone), "--warehouse", str(tmp_path / "w"), "sql", "-e",
                           "SELECT 1 + 1 AS two", "--format", "csv"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "2" in proc.stdout
