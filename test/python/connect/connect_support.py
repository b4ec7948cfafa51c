"""Helpers for the Spark Connect tests (fixtures are in conftest.py): a `basin serve` process,
PySpark Connect sessions, and row comparison."""

from __future__ import annotations

import os
import sys
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
JAR_DIR = REPO / ".cache" / "jars"


def basin_binary() -> Path:
    """<repo>/build/basin unless BASIN_BIN names another binary."""
    return Path(os.environ.get("BASIN_BIN", REPO / "build" / "basin"))


def delta_jars() -> list[str]:
    return sorted(str(p) for p in JAR_DIR.glob("*.jar"))

READY_TIMEOUT_S = 60


class BasinServer:
    """A running `basin serve`; stop() sends SIGTERM and waits for a clean exit."""

    def __init__(self, binary: Path, warehouse: Path, extra_env: dict | None = None):
        self.warehouse = warehouse
        self.proc = subprocess.Popen(
            [str(binary), "--warehouse", str(warehouse), "serve", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            # Python UDFs run in workers of this interpreter (it has pyspark and pyarrow).
            env={"PYSPARK_PYTHON": sys.executable, **os.environ, **(extra_env or {})})
        self.lines: list[str] = []
        deadline = time.time() + READY_TIMEOUT_S
        line = ""
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            if "ready on sc://" in line:
                break
        if "ready on sc://" not in line:
            self.proc.kill()
            raise RuntimeError(f"basin serve did not start: {self.lines} {self.proc.stderr.read()}")
        self.url = line.split("ready on ")[1].split()[0]
        self.port = int(self.url.rsplit(":", 1)[1])
        # Keep draining stdout so the server never blocks on a full pipe.
        self._drain = threading.Thread(target=self._read_rest, daemon=True)
        self._drain.start()
        # And stderr, where the server logs and Python UDF workers print.
        self.errors: list[str] = []
        self._drain_errors = threading.Thread(target=self._read_errors, daemon=True)
        self._drain_errors.start()

    def _read_errors(self):
        for line in self.proc.stderr:
            self.errors.append(line)

    def _read_rest(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)


def connect_session(url: str):
    """A new PySpark Connect session on `url` (not the process-wide default one)."""
    from pyspark.sql.connect.session import SparkSession as RemoteSparkSession

    # What SparkSession.builder.remote(url).getOrCreate() does: the process is in Connect mode,
    # so pyspark.sql.functions build Connect columns.
    os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"
    return RemoteSparkSession.builder.remote(url).create()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rows(df, ordered: bool = False) -> list[tuple]:
    """The rows of `df` as tuples, sorted unless the order is part of the answer."""
    out = [tuple(r) for r in df.collect()]
    return out if ordered else sorted(out, key=repr)
