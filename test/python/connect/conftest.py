"""Fixtures for the Spark Connect tests: a `basin serve` process on a scratch warehouse, PySpark
Connect sessions against it, and (for comparisons) a reference Spark Connect server in local
mode started from the same pinned pyspark, so both sides run the very same client code.

`basin_server` starts one server for the whole run; `spark` is a fresh Connect session on it per
test module. `ref_spark` is the reference (slow to start: a JVM).
"""

from __future__ import annotations

import os
import sys
import uuid

import pytest

from connect_support import BasinServer, basin_binary, connect_session, delta_jars, free_port

# Python UDFs run in worker processes of this interpreter, on Basin and on the reference Spark
# (whose JVM reads the variable when it starts).
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)


@pytest.fixture(scope="session")
def basin_server(tmp_path_factory):
    binary = basin_binary()
    if binary is None or not binary.exists():
        pytest.fail("no Basin binary: build it (make build) or set BASIN_BIN")
    server = BasinServer(binary, tmp_path_factory.mktemp("connect") / "warehouse")
    yield server
    code = server.stop()
    assert code == 0, f"basin serve exited {code}: {''.join(server.lines)}"


@pytest.fixture(scope="session")
def basin_url(basin_server) -> str:
    return basin_server.url


@pytest.fixture(scope="module")
def spark(basin_url):
    session = connect_session(basin_url)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def ref_url(tmp_path_factory) -> str:
    """A reference Spark Connect server (Spark in local mode with Delta) in this process's JVM."""
    from pyspark.sql.connect.session import SparkSession as RemoteSparkSession

    jars = delta_jars()
    if not jars:
        pytest.fail("Delta jars missing: run scripts/fetch_jars.sh (make test does)")
    port = free_port()
    work = tmp_path_factory.mktemp("ref-spark")
    opts = {
        "spark.connect.grpc.binding.port": str(port),
        "spark.jars": ",".join(jars),
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.warehouse.dir": str(work / "warehouse"),
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "2",
    }
    token = str(uuid.uuid4())
    opts["spark.connect.authenticate.token"] = token
    previous = os.environ.pop("SPARK_CONNECT_AUTHENTICATE_TOKEN", None)
    # A process in Connect mode may start the local server's SparkContext only as "local remote".
    os.environ["SPARK_LOCAL_REMOTE"] = "1"
    try:
        RemoteSparkSession._start_connect_server("local[2]", opts)
    finally:
        # Left set, session.stop() would stop the reference server and leave Connect mode.
        del os.environ["SPARK_LOCAL_REMOTE"]
    # The local server wants this token; the environment variable it leaves behind would make
    # every other client (the one for Basin too) use TLS, so it goes, and the URL carries it.
    os.environ.pop("SPARK_CONNECT_AUTHENTICATE_TOKEN", None)
    if previous is not None:
        os.environ["SPARK_CONNECT_AUTHENTICATE_TOKEN"] = previous
    return f"sc://localhost:{port}/;token={token}"


@pytest.fixture(scope="module")
def ref_spark(ref_url):
    session = connect_session(ref_url)
    yield session
    session.stop()


