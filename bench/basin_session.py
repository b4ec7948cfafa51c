"""A long-lived `basin sql` process that the benchmarks send statements to, so that Basin runs
in one session as its in-process peers do (no process start-up or cold heap per statement).

Statements go to its standard input; it prints each query's rows on standard output (read and
discarded here) and then a `Time taken: ... Fetched N row(s)` or an `Error: ...` line on
standard error, which ends the statement.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path


class BasinSession:
    def __init__(self, binary: Path, warehouse: Path, confs: dict[str, str] | None = None,
                 timeout: float = 900, private_copy: bool = True):
        self.timeout = timeout
        self.tmp = tempfile.TemporaryDirectory(prefix="basin-bench-session-")
        for _ in range(60):
            if Path(binary).exists():
                break
            time.sleep(1)
        self.binary = Path(binary)
        if private_copy:
            # A private copy, so that a rebuild of the binary during the run changes nothing.
            self.binary = Path(self.tmp.name) / "basin"
            shutil.copy2(binary, self.binary)
        cmd = [str(self.binary), "--warehouse", str(warehouse), "sql", "--format", "csv"]
        for key, value in (confs or {}).items():
            cmd += ["--conf", f"{key}={value}"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.lines: queue.Queue[str | None] = queue.Queue()

        def drain_stdout():
            while self.proc.stdout.read1(1 << 16):
                pass

        def read_stderr():
            for raw in self.proc.stderr:
                self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
            self.lines.put(None)

        for target in (drain_stdout, read_stderr):
            threading.Thread(target=target, daemon=True).start()

    def run(self, sql: str) -> int:
        """Runs one statement; returns the number of rows of its result."""
        text = sql.strip()
        while text.endswith(";"):
            text = text[:-1].rstrip()
        self.proc.stdin.write((text + "\n;\n").encode())
        self.proc.stdin.flush()
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.proc.kill()
                raise RuntimeError(f"timed out after {self.timeout:.0f} s") from None
            if line is None:
                raise RuntimeError(f"basin sql exited with {self.proc.wait()}")
            if line.startswith("Time taken:"):
                return int(line.rsplit("Fetched", 1)[1].split()[0])
            if line.startswith("Error:"):
                raise RuntimeError(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.tmp.cleanup()
