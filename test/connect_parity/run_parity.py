"""Runs PySpark's own Spark Connect parity suites against Basin and prints what passes.

    .venv/bin/python test/connect_parity/run_parity.py                 # starts build/basin serve
    .venv/bin/python test/connect_parity/run_parity.py --url sc://127.0.0.1:15002
    .venv/bin/python test/connect_parity/run_parity.py --suites-from SPARK_SRC   # fill the cache
    .venv/bin/python test/connect_parity/run_parity.py --modules conf,group --test-timeout 20
    .venv/bin/python test/connect_parity/run_parity.py --against-spark \
        --write-baseline test/connect_parity/spark_baseline.json        # measure Spark itself

The suites (pyspark/sql/tests/..., with the pyspark/testing helpers and python/test_support
data of the same commit) are Apache Spark's code and are never committed here. They are kept
under .cache/pyspark-tests/ (git-ignored). --suites-from (or BASIN_PYSPARK_SUITES) fills that
cache from an Apache Spark source tree, a source tarball or a git repository (GIT_DIR@REF);
without a cache the runner looks in the pyspark-client sdist on PyPI for the installed
version, and exits with 2 and says so when the suites are not there (they are not in 4.2.0's).

Each module runs in its own worker process (parity_worker.py) with the suites grafted onto
the installed pyspark, as the pure Connect client (SPARK_SKIP_CONNECT_COMPAT_TESTS: tests that
need a local JVM skip themselves). A test that gives no result within --test-timeout is a
timeout: the worker is killed, the server restarted (it may be stuck) and a new worker goes on
after that test. When the server dies, the running test is recorded as a crash, the server is
restarted on the same warehouse and the run goes on. Failures that Spark 4.2.0 shows the same
way (spark_baseline.json) are classed apart. Prints one line per module, a total line, and
writes summary.json and summary.md (failures grouped into classes) to --out.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CACHE = REPO / ".cache" / "pyspark-tests"
WORKER = HERE / "parity_worker.py"

# The parity modules of the issue: DataFrame, functions, column, group, readwriter, catalog,
# conf, types and SQL.
MODULES = {
    "dataframe": "pyspark.sql.tests.connect.test_parity_dataframe",
    "functions": "pyspark.sql.tests.connect.test_parity_functions",
    "column": "pyspark.sql.tests.connect.test_parity_column",
    "group": "pyspark.sql.tests.connect.test_parity_group",
    "readwriter": "pyspark.sql.tests.connect.test_parity_readwriter",
    "catalog": "pyspark.sql.tests.connect.test_parity_catalog",
    "conf": "pyspark.sql.tests.connect.test_parity_conf",
    "types": "pyspark.sql.tests.connect.test_parity_types",
    "sql": "pyspark.sql.tests.connect.test_parity_sql",
}

SERVER_READY_S = 60
LIST_TIMEOUT_S = 120


# ---------------------------------------------------------------------------------------------
# Obtaining the suites


def suites_dir() -> Path:
    return CACHE / "suites"


def have_suites() -> bool:
    tests = suites_dir() / "pyspark" / "sql" / "tests"
    return (tests / "connect" / "test_parity_dataframe.py").exists()


def install_suites_tree(tests_dir: Path, origin: dict) -> None:
    """Copies `pyspark/sql/tests` and its sibling `pyspark/testing` (the helpers the tests were
    written against) into the cache and records where they came from."""
    if suites_dir().exists():
        shutil.rmtree(suites_dir())
    pyspark_dir = tests_dir.parents[1]
    for part in ("sql/tests", "testing"):
        if (pyspark_dir / part).is_dir():
            shutil.copytree(pyspark_dir / part, suites_dir() / "pyspark" / part,
                            ignore=shutil.ignore_patterns("__pycache__"))
    # Data files that tests open as python/test_support/... relative to the working directory.
    if (pyspark_dir.parent / "test_support").is_dir():
        shutil.copytree(pyspark_dir.parent / "test_support",
                        suites_dir() / "python" / "test_support")
    (CACHE / "SOURCE.json").write_text(json.dumps(origin, indent=2) + "\n")


def find_tests_dir(root: Path) -> Path | None:
    for candidate in (root / "python" / "pyspark" / "sql" / "tests",
                      root / "pyspark" / "sql" / "tests"):
        if (candidate / "connect").is_dir():
            return candidate
    for candidate in root.glob("*/python/pyspark/sql/tests"):
        if (candidate / "connect").is_dir():
            return candidate
    for candidate in root.glob("*/pyspark/sql/tests"):
        if (candidate / "connect").is_dir():
            return candidate
    return None


def suites_from(source: str) -> None:
    """Fills the cache from a source tree, a .tgz/.tar.gz or GIT_DIR@REF."""
    if "@" in source and not Path(source).exists():
        git_dir, ref = source.rsplit("@", 1)
        commit = subprocess.run(["git", "-C", git_dir, "rev-parse", ref], check=True,
                                capture_output=True, text=True).stdout.strip()
        date = subprocess.run(["git", "-C", git_dir, "show", "-s", "--format=%cI", commit],
                              check=True, capture_output=True, text=True).stdout.strip()
        with tempfile.TemporaryDirectory() as tmp:
            archive = subprocess.run(["git", "-C", git_dir, "archive", commit,
                                      "python/pyspark/sql/tests", "python/pyspark/testing",
                                      "python/test_support"],
                                     check=True, capture_output=True)
            subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
            install_suites_tree(Path(tmp) / "python" / "pyspark" / "sql" / "tests",
                                {"kind": "git", "ref": ref, "commit": commit, "commit_date": date})
        return
    path = Path(source).expanduser()
    if path.is_file():
        with tempfile.TemporaryDirectory() as tmp:
            with tarfile.open(path) as tar:
                members = [m for m in tar.getmembers()
                           if any(part in "/" + m.name for part in
                                  ("/pyspark/sql/tests/", "/pyspark/testing/", "/test_support/"))]
                tar.extractall(tmp, members=members, filter="data")
            tests = find_tests_dir(Path(tmp))
            if tests is None:
                sys.exit(f"run_parity: no pyspark/sql/tests/connect inside {path.name}")
            install_suites_tree(tests, {"kind": "archive", "name": path.name})
        return
    tests = find_tests_dir(path)
    if tests is None:
        sys.exit(f"run_parity: no pyspark/sql/tests/connect under {path}")
    install_suites_tree(tests, {"kind": "tree", "name": path.name})


def suites_from_pypi(version: str) -> bool:
    """Looks for the suites in the pyspark-client sdist of `version` (they are not in 4.2.0's)."""
    downloads = CACHE / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    sdist = downloads / f"pyspark_client-{version}.tar.gz"
    if not sdist.exists():
        done = subprocess.run([sys.executable, "-m", "pip", "download",
                               f"pyspark-client=={version}", "--no-binary", ":all:", "--no-deps",
                               "-d", str(downloads)], capture_output=True, text=True)
        if done.returncode != 0 or not sdist.exists():
            print(f"run_parity: could not download the pyspark-client {version} sdist: "
                  f"{done.stderr.strip()[-300:]}")
            return False
    with tarfile.open(sdist) as tar:
        if not any("/pyspark/sql/tests/connect/" in m.name for m in tar.getmembers()):
            print(f"run_parity: the pyspark-client {version} sdist on PyPI has no "
                  "pyspark/sql/tests (Spark builds it with tests only when SPARK_TESTING is set)")
            return False
    suites_from(str(sdist))
    return True


def obtain_suites(args) -> dict:
    import pyspark

    if args.suites_from:
        suites_from(args.suites_from)
    elif not have_suites() and not suites_from_pypi(pyspark.__version__):
        print("run_parity: PySpark's test suites are not available. Give an Apache Spark source\n"
              "tree, source tarball or GIT_DIR@REF once with --suites-from (or\n"
              "BASIN_PYSPARK_SUITES); "
              f"they are kept in {CACHE.relative_to(REPO)}/.")
        sys.exit(2)
    source = CACHE / "SOURCE.json"
    origin = json.loads(source.read_text()) if source.exists() else {}
    origin["pyspark_client"] = pyspark.__version__
    return origin


# ---------------------------------------------------------------------------------------------
# The server


class Server:
    """`basin serve --port 0` on a warehouse; restartable after a crash."""

    def __init__(self, binary: Path, warehouse: Path, log_dir: Path, cwd: Path | None = None):
        self.cwd = cwd
        self.binary = binary
        self.warehouse = warehouse
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.log_path = self.log_dir / f"server-{self.starts}.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(self.binary), "--warehouse", str(self.warehouse), "serve", "--port", "0"],
            stdout=subprocess.PIPE, stderr=self.log, text=True, start_new_session=True,
            cwd=self.cwd, env=python_udf_env())
        deadline = time.time() + SERVER_READY_S
        seen = []
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            match = re.search(r"ready on (sc://\S+)", line)
            if match:
                self.url = match.group(1)
                threading.Thread(target=self._drain, daemon=True).start()
                return
        self.proc.kill()
        raise RuntimeError(f"basin serve did not start: {''.join(seen)[-500:]}")

    def _drain(self) -> None:
        for line in self.proc.stdout:
            self.log.write(line)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def exit_description(self) -> str:
        code = self.proc.poll() if self.proc else None
        if code is None:
            return "running"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exited with code {code}"

    def log_tail(self, lines: int = 15) -> str:
        try:
            self.log.flush()
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM, then SIGKILL after `timeout`; to the server's whole process group."""
        if self.proc is None:
            return
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def restart_after_hang(self, test: str, seconds: float) -> dict:
        """Replaces a server that may be stuck after `test` timed out; returns the record."""
        tail = self.log_tail()
        self.stop(timeout=5)
        self.start()
        return {"test": test, "kind": "hang",
                "exit": f"gave no result for {seconds:.0f} s (server restarted)",
                "server_log_tail": tail}


def no_restart(test: str, seconds: float) -> dict:
    return {"test": test, "kind": "hang", "exit": f"gave no result for {seconds:.0f} s",
            "server_log_tail": ""}


def python_udf_env() -> dict:
    """The environment of a server under test: Python UDF workers run this interpreter (it has
    pyspark and pyarrow), as on the Spark server, whose PATH starts at its directory."""
    return dict(os.environ, PYSPARK_PYTHON=os.environ.get("PYSPARK_PYTHON", sys.executable),
                PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")


class SparkServer:
    """The Spark Connect server of the installed pyspark (a local JVM): the reference that the
    baseline is measured on. Not restarted; its death is seen through the tests."""

    def __init__(self, log_dir: Path, cwd: Path | None = None):
        import pyspark

        self.cwd = cwd
        self.home = Path(pyspark.__file__).parent
        self.log_dir = log_dir
        self.starts = 0
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        if self.starts:
            raise RuntimeError("the Spark Connect server is gone")
        self.starts += 1
        for attempt in range(3):  # the free port that was picked can be taken in between
            try:
                return self._start_once()
            except RuntimeError:
                if attempt == 2:
                    raise

    def _start_once(self) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = dict(python_udf_env(), SPARK_HOME=str(self.home))
        self.log = open(self.log_dir / "spark-server.log", "w")
        self.proc = subprocess.Popen(
            ["nice", "-n", "10", str(self.home / "bin" / "spark-submit"),
             "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
             "--master", "local[2]", "--driver-memory", "2g",
             "--conf", f"spark.connect.grpc.binding.port={port}",
             "--conf", "spark.ui.enabled=false", "spark-internal"],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            cwd=self.cwd)
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the Spark Connect server exited; see spark-server.log")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    self.url = f"sc://127.0.0.1:{port}"
                    return
            time.sleep(1)
        raise RuntimeError("the Spark Connect server did not start in 180 s")

    def alive(self) -> bool:
        return True

    restart_after_hang = staticmethod(no_restart)

    def exit_description(self) -> str:
        return "unknown (Spark)"

    def log_tail(self, lines: int = 15) -> str:
        return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class FixedServer:
    """A server given by --url: never restarted, its death is seen only through the tests."""

    def __init__(self, url: str):
        self.url = url
        self.starts = 1

    def start(self) -> None:
        raise RuntimeError("the server given by --url is gone")

    def alive(self) -> bool:
        return True

    restart_after_hang = staticmethod(no_restart)

    def exit_description(self) -> str:
        return "unknown (--url)"

    def log_tail(self, lines: int = 15) -> str:
        return ""

    def stop(self) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# Running one module


class Worker:
    def __init__(self, suites: Path, module: str, events: Path, env: dict, log, extra: list[str]):
        self.events_path = events
        events.write_text("")
        self.proc = subprocess.Popen(
            ["nice", "-n", "10", sys.executable, str(WORKER), "--suites", str(suites),
             "--module", module, "--events", str(events), *extra],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True, cwd=suites)
        self.offset = 0
        self.pending = ""

    def read_events(self) -> list[dict]:
        with open(self.events_path, encoding="utf-8") as f:
            f.seek(self.offset)
            chunk = f.read()
            self.offset = f.tell()
        self.pending += chunk
        *lines, self.pending = self.pending.split("\n")
        return [json.loads(line) for line in lines if line.strip()]

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()


def worker_env(url: str) -> dict:
    env = dict(os.environ)
    env.update({
        "SPARK_CONNECT_TESTING_REMOTE": url,
        # Makes pyspark behave as the pure Connect client (pyspark-client): tests that need a
        # local JVM skip themselves, and no local Spark is started.
        "SPARK_SKIP_CONNECT_COMPAT_TESTS": "1",
        "SPARK_TESTING": "1",
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("SPARK_REMOTE", None)
    env.pop("SPARK_CONNECT_MODE_ENABLED", None)
    return env


def list_tests(suites: Path, module: str, server, work: Path, log) -> tuple[list[str], str]:
    events = work / "list.jsonl"
    worker = Worker(suites, module, events, worker_env(server.url), log, ["--list"])
    try:
        worker.proc.wait(timeout=LIST_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        worker.kill()
        return [], "listing the tests timed out"
    for event in worker.read_events():
        if event["event"] == "list":
            return event["tests"], ""
        if event["event"] == "import_error":
            return [], f"import error: {event['error']}"
    return [], f"worker exited with code {worker.proc.returncode} without listing tests"


def run_module(module: str, server, args, work: Path, deadline: float) -> dict:
    """Runs every test of `module` from the suites in args.suites, with args.test_timeout and
    args.module_timeout; returns {"tests": {id: record}, "crashes": [...], "notes": [...]}."""
    work.mkdir(parents=True, exist_ok=True)
    log = open(work / "worker.log", "w")
    records: dict[str, dict] = {}
    crashes: list[dict] = []
    notes: list[str] = []
    if not server.alive():
        server.start()
    tests, problem = list_tests(args.suites, module, server, work, log)
    if problem:
        return {"tests": {}, "crashes": [], "notes": [problem], "module_error": problem}

    module_deadline = min(deadline, time.time() + args.module_timeout)
    class_errors: dict[str, dict] = {}
    remaining = list(tests)
    while remaining:
        if time.time() >= module_deadline:
            for test_id in remaining:
                records[test_id] = {"outcome": "error", "error_type": "Budget",
                                    "error": "not run: the module's time budget was used up"}
            notes.append(f"{len(remaining)} tests not run: time budget")
            break
        if not server.alive():
            server.start()
        tests_file = work / "tests.json"
        tests_file.write_text(json.dumps(remaining))
        worker = Worker(args.suites, module, work / "events.jsonl", worker_env(server.url), log,
                        ["--tests-file", str(tests_file)])
        current: str | None = None
        last_ended: str | None = None
        started_at = last_event_at = time.time()
        restart = False
        while True:
            for event in worker.read_events():
                last_event_at = time.time()
                kind = event["event"]
                if kind == "start":
                    current, started_at = event["test"], time.time()
                elif kind == "end":
                    records[event["test"]] = {k: v for k, v in event.items()
                                              if k not in ("event", "test")}
                    last_ended, current = event["test"], None
                elif kind == "class_error":
                    class_errors[event.get("name", "")] = event
            if not server.alive():
                victim = (current or last_ended
                          or next((t for t in remaining if t not in records), "(no test)"))
                crash = {"test": victim, "kind": "crash", "exit": server.exit_description(),
                         "server_log_tail": server.log_tail()}
                crashes.append(crash)
                records[victim] = {"outcome": "error", "error_type": "ServerCrash",
                                   "error": f"Basin server {crash['exit']} during this test"}
                worker.kill()
                server.start()
                restart = True
                break
            if current is not None and time.time() - started_at > args.test_timeout:
                records[current] = {"outcome": "error", "error_type": "Timeout",
                                    "error": f"no result after {args.test_timeout:.0f} s"}
                worker.kill()
                crashes.append(server.restart_after_hang(current, args.test_timeout))
                restart = True
                break
            if current is None and time.time() - last_event_at > args.test_timeout:
                # Stuck outside a test: a class fixture (setUpClass creates the session).
                pending = next((t for t in remaining if t not in records), None)
                if pending is not None:
                    records[pending] = {"outcome": "error", "error_type": "Timeout",
                                        "error": f"no result after {args.test_timeout:.0f} s "
                                                 "(in a class fixture before this test)"}
                worker.kill()
                crashes.append(server.restart_after_hang(pending or "(class fixture)",
                                                         args.test_timeout))
                restart = True
                break
            if time.time() > module_deadline + args.test_timeout:
                worker.kill()
                restart = True
                break
            if worker.proc.poll() is not None:
                for event in worker.read_events():
                    if event["event"] == "end":
                        records[event["test"]] = {k: v for k, v in event.items()
                                                  if k not in ("event", "test")}
                    elif event["event"] == "class_error":
                        class_errors[event.get("name", "")] = event
                if current is not None and current not in records:
                    records[current] = {"outcome": "error", "error_type": "WorkerDied",
                                        "error": f"test process exited with code "
                                                 f"{worker.proc.returncode} during this test"}
                    restart = True
                break
            time.sleep(0.2)
        remaining = [t for t in remaining if t not in records]
        if not restart:
            break

    # Tests that never started: their class's setUpClass failed (or the worker gave up).
    for test_id in remaining:
        cls = test_id.rsplit(".", 1)[0]
        cause = next((e for n, e in class_errors.items() if cls.rsplit(".", 1)[-1] in n), None)
        if cause:
            records[test_id] = {"outcome": "error", "error_type": cause.get("error_type", ""),
                                "error": "setUpClass failed: " + cause.get("error", ""),
                                "detail": cause.get("detail", "")}
        else:
            records[test_id] = {"outcome": "error", "error_type": "NotRun",
                                "error": "not run (the test process stopped before it)"}
    ordered = {t: records[t] for t in tests if t in records}
    return {"tests": ordered, "crashes": crashes, "notes": notes}


# ---------------------------------------------------------------------------------------------
# Failure classes

# A test that fails on Spark 4.2.0 itself with the same error (the suites are a little newer
# than the client, and some tests need Spark's test jars or data files).
SKEW_CLASS = "fails the same way on Spark 4.2.0 (suite/client version skew or environment)"

CLASS_RULES = [
    # (class, regex on "ErrorType: first line of the error", regex whose group 1 names the
    # detail: which function, feature or type). The first match wins.
    ("Basin server crashed", r"^ServerCrash:", None),
    ("timeout", r"^Timeout:", None),
    ("time budget used up", r"^Budget:", None),
    ("gRPC connection lost", r"(?i)StatusCode\.UNAVAILABLE|failed to connect|Connection refused|"
                             r"Socket closed|RetriesExceeded", None),
    ("error expected but none raised", r"^AssertionError: \w+ not raised",
     r"^AssertionError: (\w+)"),
    ("different error class or message",
     r"^AssertionError: .*(does not match|Expected error class)", None),
    ("Python UDF / UDTF / Python data source not supported",
     r"(?i)python ?udf|udtf|python_udf|PythonEvalType|pandas_udf|mapInPandas|mapInArrow|"
     r"applyInPandas|python data ?source|CommonInlineUserDefinedFunction|udf\.register|"
     r"Registering Python", None),
    ("function missing (UNRESOLVED_ROUTINE)", r"UNRESOLVED_ROUTINE", r"routine `([^`]+)`"),
    ("Connect relation/command/feature not supported yet",
     r"\[UNSUPPORTED_FEATURE(\.LAMBDA_FUNCTION)?\]",
     r"\] (?:The Spark Connect \w+ )?(.+?) (?:is|are) not supported"),
    ("non-Delta table (parquet/text/...) not supported", r"UNSUPPORTED_FEATURE\.TABLE_OPERATION",
     r"\] (.*?)(?:;|\. SQLSTATE| SQLSTATE)"),
    ("data type not supported", r"DELTA_UNSUPPORTED_DATA_TYPE|UNSUPPORTED_DATATYPE",
     r"data type ['\"]([^'\"]+)['\"]"),
    ("setUpClass failed", r"setUpClass failed", None),
]


def failure_class(record: dict, on_spark: str | None = None) -> tuple[str, str]:
    """(class, detail) of a failed test; detail names the function, feature or type if known."""
    if on_spark is not None:
        here = f"{record.get('error_type', '')}: {record.get('error', '')}"[:200]
        if on_spark.split(": ", 1)[-1][:200] == here:
            return SKEW_CLASS, ""
    text = f"{record.get('error_type', '')}: {record.get('error', '')}"
    for name, pattern, detail in CLASS_RULES:
        if re.search(pattern, text):
            found = re.search(detail, text) if detail else None
            return name, (found.group(1)[:80] if found else "")
    etype = record.get("error_type", "") or "Error"
    error_class = re.search(r"\[([A-Z][A-Z0-9_]+(?:\.[A-Z0-9_]+)*)\]", record.get("error", ""))
    if error_class:
        return f"{etype} [{error_class.group(1)}]", ""
    if etype == "AssertionError":
        return "wrong result (AssertionError)", ""
    return etype, ""


# ---------------------------------------------------------------------------------------------
# Reporting


def counts(tests: dict) -> Counter:
    c = Counter()
    for record in tests.values():
        outcome = record["outcome"]
        c[{"xfail": "skipped", "xpass": "failed"}.get(outcome, outcome)] += 1
    return c


def count_line(label: str, c: Counter) -> str:
    return (f"{label}: passed {c['passed']}, failed {c['failed']}, errors {c['error']}, "
            f"skipped {c['skipped']}")


def git_head() -> str:
    """The short commit, with "+changes" when tracked files differ from it."""
    done = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    changes = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain",
                              "--untracked-files=no"], capture_output=True, text=True)
    return (done.stdout.strip() or "unknown") + ("+changes" if changes.stdout.strip() else "")


def write_markdown(summary: dict, path: Path) -> None:
    lines = [f"Run of {summary['date']} at commit {summary['commit']}, suites: "
             f"{json.dumps(summary['suites'])}, {summary['seconds']:.0f} s.", "",
             "| module | passed | failed | errors | skipped | total | of the failed + errors: "
             "fail on Spark 4.2.0 too |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, m in summary["modules"].items():
        c = m["counts"]
        total = sum(c.values())
        note = f" ({m['module_error']})" if m.get("module_error") else ""
        lines.append(f"| {name}{note} | {c.get('passed', 0)} | {c.get('failed', 0)} | "
                     f"{c.get('error', 0)} | {c.get('skipped', 0)} | {total} | "
                     f"{m.get('also_on_spark', 0)} |")
    c = summary["counts"]
    skew = sum(m.get("also_on_spark", 0) for m in summary["modules"].values())
    lines.append(f"| **total** | {c.get('passed', 0)} | {c.get('failed', 0)} | {c.get('error', 0)} "
                 f"| {c.get('skipped', 0)} | {sum(c.values())} | {skew} |")
    lines += ["", "### Crashes and hangs", ""]
    if summary["crashes"]:
        for crash in summary["crashes"]:
            lines.append(f"- {crash['kind']} in `{crash['test']}`: server {crash['exit']}")
    else:
        lines.append("None.")
    lines += ["", "### Failure classes (failed + errors)", "",
              "| class | tests | examples |", "| --- | ---: | --- |"]
    for cls in summary["classes"]:
        if cls["details"]:
            examples = ", ".join(f"`{d}`" + (f" ({n})" if n > 1 else "")
                                 for d, n in cls["details"].items())
        else:
            examples = "; ".join(f"`{e['test'].rsplit('.', 1)[-1]}`: {e['error'][:120]}"
                                 for e in cls["examples"][:2])
        lines.append(f"| {cls['name']} | {cls['count']} | {examples.replace('|', '/')} |")
    path.write_text("\n".join(lines) + "\n")


def compare_runs(before: dict, after: dict) -> list[str]:
    """One line per test whose outcome differs between two summaries."""
    def outcomes(summary):
        return {t: r["outcome"] for m in summary["modules"].values() for t, r in m["tests"].items()}

    old, new = outcomes(before), outcomes(after)
    return [f"changed: {t}: {old.get(t, 'absent')} -> {new.get(t, 'absent')}"
            for t in sorted(set(old) | set(new)) if old.get(t) != new.get(t)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an already running Connect server (sc://host:port)")
    parser.add_argument("--basin", type=Path,
                        default=Path(os.environ.get("BASIN_BIN", REPO / "build" / "basin")))
    parser.add_argument("--suites-from", default=os.environ.get("BASIN_PYSPARK_SUITES"),
                        help="Spark source tree, source tarball or GIT_DIR@REF to cache the "
                             "suites from")
    parser.add_argument("--modules", default=",".join(MODULES),
                        help="comma-separated short names (" + ",".join(MODULES) + ") or full "
                             "module names of other suites")
    parser.add_argument("--test-timeout", type=float, default=30.0, help="seconds per test")
    parser.add_argument("--module-timeout", type=float, default=150.0, help="seconds per module")
    parser.add_argument("--total-timeout", type=float, default=570.0, help="seconds for the run")
    parser.add_argument("--out", type=Path, default=CACHE / "results")
    parser.add_argument("--against-spark", action="store_true",
                        help="run against the installed pyspark's own Spark Connect server")
    parser.add_argument("--baseline", type=Path, default=HERE / "spark_baseline.json",
                        help="tests that do not pass on Spark 4.2.0 itself (see --write-baseline)")
    parser.add_argument("--write-baseline", type=Path,
                        help="write the tests that fail in this run as a baseline file")
    parser.add_argument("--compare", type=Path,
                        help="a summary.json of an earlier run: print the tests whose "
                             "outcome changed")
    parser.add_argument("--no-fail", action="store_true",
                        help="exit 0 when the run completes, whatever the tests say")
    args = parser.parse_args()

    origin = obtain_suites(args)
    args.suites = suites_dir()
    names = [n.strip() for n in args.modules.split(",") if n.strip()]
    for name in names:
        if "." in name:  # a full module name, e.g. pyspark.sql.tests.connect.test_parity_stat
            MODULES.setdefault(name, name)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        parser.error(f"unknown modules {unknown}; known: {', '.join(MODULES)}")

    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="basin-parity-"))
    if args.url:
        server = FixedServer(args.url)
    elif args.against_spark:
        server = SparkServer(args.out, cwd=args.suites)
        server.start()
    else:
        if not args.basin.exists():
            sys.exit(f"run_parity: no Basin binary at {args.basin} (make build)")
        server = Server(args.basin.resolve(), scratch / "warehouse", args.out, cwd=args.suites)
        server.start()

    baseline = {}
    if args.baseline and args.baseline.exists() and not args.write_baseline:
        recorded = json.loads(args.baseline.read_text())
        baseline = recorded["tests"]
        if recorded.get("suites", {}).get("commit") != origin.get("commit"):
            print(f"run_parity: warning: {args.baseline.name} was measured on other suites "
                  f"({recorded.get('suites')}); regenerate it with --against-spark "
                  "--write-baseline")
    begin = time.time()
    deadline = begin + args.total_timeout
    modules: dict[str, dict] = {}
    try:
        for name in names:
            try:
                result = run_module(MODULES[name], server, args, args.out / name, deadline)
            except RuntimeError as e:  # the server does not come back
                result = {"tests": {}, "crashes": [], "notes": [str(e)], "module_error": str(e)}
            result["counts"] = counts(result["tests"])
            modules[name] = result
            line = count_line(name, result["counts"])
            skew = sum(1 for t, r in result["tests"].items()
                       if r["outcome"] in ("failed", "error", "xpass") and t in baseline)
            if skew:
                line += f"  ({skew} of the failed + errors fail on Spark 4.2.0 too)"
            if result.get("module_error"):
                line += f"  ({result['module_error']})"
            print(line, flush=True)
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    total = sum((m["counts"] for m in modules.values()), Counter())
    by_class: dict[str, list] = defaultdict(list)
    for m in modules.values():
        m["also_on_spark"] = 0
        for test_id, record in m["tests"].items():
            if record["outcome"] in ("failed", "error", "xpass"):
                record["class"], detail = failure_class(record, baseline.get(test_id))
                if test_id in baseline:
                    m["also_on_spark"] += 1
                    record["on_spark"] = baseline[test_id]
                by_class[record["class"]].append({"test": test_id, "detail": detail,
                                                  "error": record.get("error", "")})
    classes = sorted(({"name": k, "count": len(v), "examples": v,
                       "details": dict(Counter(e["detail"] for e in v
                                               if e["detail"]).most_common())}
                      for k, v in by_class.items()),
                     key=lambda c: (-c["count"], c["name"]))
    summary = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_head(),
        "suites": origin,
        "seconds": time.time() - begin,
        "server_starts": server.starts,
        "counts": dict(total),
        "baseline": str(args.baseline.relative_to(REPO)) if baseline else "",
        "modules": {n: {"module": MODULES[n], "counts": dict(m["counts"]),
                        "also_on_spark": m["also_on_spark"],
                        "module_error": m.get("module_error", ""), "notes": m["notes"],
                        "tests": m["tests"]} for n, m in modules.items()},
        "crashes": [dict(c, module=n) for n, m in modules.items() for c in m["crashes"]],
        "classes": classes,
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    if args.write_baseline:
        failing = {t: f"{r['outcome']}: {r.get('error_type', '')}: {r.get('error', '')}"[:300]
                   for m in modules.values() for t, r in m["tests"].items()
                   if r["outcome"] in ("failed", "error", "xpass")}
        args.write_baseline.write_text(json.dumps(
            {"about": "Tests of the parity suites that do not pass against Spark's own Connect "
                      "server (run_parity.py --against-spark --write-baseline).",
             "suites": origin, "date": summary["date"], "tests": failing}, indent=1) + "\n")
    write_markdown(summary, args.out / "summary.md")

    print(count_line("total", total))
    if args.compare:
        for line in compare_runs(json.loads(args.compare.read_text()), summary):
            print(line)
    for crash in summary["crashes"]:
        print(f"{crash['kind'].upper()} in {crash['test']}: server {crash['exit']}")
    print("failure classes:")
    for cls in classes[:30]:
        details = ", ".join(list(cls["details"])[:8])
        print(f"  {cls['count']:4d}  {cls['name']}" + (f": {details}" if details else ""))
    summary_md = args.out / "summary.md"
    if summary_md.is_relative_to(REPO):
        summary_md = summary_md.relative_to(REPO)
    print(f"summary: {summary_md}")
    failed = total["failed"] + total["error"]
    print(f"parity: {total['passed']} passed, {failed} failed, {total['skipped']} skipped")
    complete = all(not m.get("module_error") for m in modules.values())
    if args.no_fail:
        return 0 if complete else 1
    return 0 if failed == 0 and complete else 1


if __name__ == "__main__":
    sys.exit(main())
