"""The Spark Connect server itself, driven by the real PySpark client and, where the client hides
the protocol, by the client's own gRPC stubs: sessions, config, errors, reattachable execution,
interrupts, artifacts, bad input, leaks and shutdown."""

from __future__ import annotations

import threading
import time
import uuid

import grpc
import pandas as pd
import pyarrow as pa
import pytest
from pyspark.errors import (
    AnalysisException,
    ArithmeticException,
    ParseException,
    SparkNoSuchElementException,
)
from pyspark.errors.exceptions.connect import SparkConnectGrpcException
from pyspark.sql.connect.proto import base_pb2, base_pb2_grpc, relations_pb2

from connect_support import BasinServer, basin_binary, connect_session


def stub(url: str):
    channel = grpc.insecure_channel(url.replace("sc://", ""))
    return channel, base_pb2_grpc.SparkConnectServiceStub(channel)


def sql_plan(text: str) -> base_pb2.Plan:
    plan = base_pb2.Plan()
    plan.root.sql.query = text
    plan.root.common.plan_id = 1
    return plan


def execute_request(session_id: str, plan: base_pb2.Plan, reattachable: bool = True):
    request = base_pb2.ExecutePlanRequest(session_id=session_id, plan=plan,
                                          operation_id=str(uuid.uuid4()))
    request.user_context.user_id = "tester"
    if reattachable:
        option = request.request_options.add()
        option.reattach_options.reattachable = True
    return request


def arrow_rows(responses) -> int:
    """Rows in the ArrowBatch responses; each must hold exactly one record batch of row_count
    rows (the PySpark client checks that)."""
    n = 0
    for r in responses:
        if r.HasField("arrow_batch"):
            batches = list(pa.ipc.open_stream(r.arrow_batch.data))
            assert len(batches) == 1 and batches[0].num_rows == r.arrow_batch.row_count
            n += r.arrow_batch.row_count
    return n


def test_version_and_basic_query(spark):
    assert spark.version == "4.2.0"
    assert [r.id for r in spark.range(5).collect()] == [0, 1, 2, 3, 4]
    assert spark.sql("SELECT 1 + 1 AS two").collect()[0].two == 2


def test_empty_result_keeps_schema(spark):
    df = spark.range(0)
    assert df.collect() == []
    table = df.toArrow()
    assert table.num_rows == 0 and table.schema.names == ["id"]
    assert list(spark.sql("SELECT 'a' AS s WHERE false").toPandas().columns) == ["s"]


def test_config_operations(spark):
    spark.conf.set("spark.sql.shuffle.partitions", "7")
    assert spark.conf.get("spark.sql.shuffle.partitions") == "7"
    spark.conf.unset("spark.sql.shuffle.partitions")
    assert spark.conf.get("spark.sql.shuffle.partitions") == "200"
    # Unknown keys are accepted when set, and unknown unset keys raise like Spark.
    spark.conf.set("my.custom.key", "v")
    assert spark.conf.get("my.custom.key") == "v"
    with pytest.raises(SparkNoSuchElementException) as e:
        spark.conf.get("no.such.key")
    assert e.value.getCondition() == "SQL_CONF_NOT_FOUND"
    assert spark.conf.get("no.such.key", "fallback") == "fallback"
    # Defaults of keys the client reads are Spark's.
    assert spark.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch") == "10000"
    assert spark.conf.get("spark.sql.ansi.enabled") == "true"
    assert spark.conf.isModifiable("spark.sql.shuffle.partitions")
    assert not spark.conf.isModifiable("spark.sql.warehouse.dir")
    assert "my.custom.key" in spark.conf.getAll


def test_errors_are_pyspark_exceptions(spark):
    with pytest.raises(ParseException) as e:
        spark.sql("SELEC 1").collect()
    assert e.value.getCondition() == "PARSE_SYNTAX_ERROR"
    assert e.value.getSqlState() == "42601"
    with pytest.raises(AnalysisException) as e:
        spark.table("no_such_table").collect()
    assert e.value.getCondition() == "TABLE_OR_VIEW_NOT_FOUND"
    assert e.value.getSqlState() == "42P01"
    assert "no_such_table" in str(e.value)
    with pytest.raises(ArithmeticException) as e:
        spark.sql("SELECT 1 / 0").collect()
    assert e.value.getCondition() == "DIVIDE_BY_ZERO"
    # The session still works after errors.
    assert spark.range(3).count() == 3


def test_sessions_are_isolated(basin_url):
    a, b = connect_session(basin_url), connect_session(basin_url)
    try:
        a.range(3).createOrReplaceTempView("only_in_a")
        assert a.table("only_in_a").count() == 3
        with pytest.raises(AnalysisException):
            b.table("only_in_a").collect()
        a.conf.set("spark.sql.session.timeZone", "America/New_York")
        assert b.conf.get("spark.sql.session.timeZone") != "America/New_York"
    finally:
        a.stop()
        b.stop()


def test_concurrent_sessions(basin_url):
    errors = []

    def work(i):
        s = connect_session(basin_url)
        try:
            for _ in range(10):
                assert s.range(i * 10).count() == i * 10
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            s.stop()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors


def test_reattach_after_disconnect_mid_stream(basin_url):
    """A client that drops its stream after the first response resumes where it stopped."""
    session_id = str(uuid.uuid4())
    channel, service = stub(basin_url)
    # Several Arrow batches: about 12 MB of rows.
    request = execute_request(session_id, sql_plan(
        "SELECT id, repeat('x', 100) AS pad FROM range(120000)"))
    stream = service.ExecutePlan(request)
    first = next(stream)
    stream.cancel()
    channel.close()
    channel, service = stub(basin_url)
    reattach = base_pb2.ReattachExecuteRequest(
        session_id=session_id, operation_id=request.operation_id,
        last_response_id=first.response_id)
    reattach.user_context.user_id = "tester"
    rest = list(service.ReattachExecute(reattach))
    assert rest[-1].HasField("result_complete")
    assert arrow_rows([first] + rest) == 120000
    assert all(r.operation_id == request.operation_id for r in rest)
    release = base_pb2.ReleaseExecuteRequest(session_id=session_id,
                                             operation_id=request.operation_id)
    release.user_context.user_id = "tester"
    release.release_all.SetInParent()
    service.ReleaseExecute(release)
    # Once released, the operation is gone.
    with pytest.raises(grpc.RpcError) as e:
        list(service.ReattachExecute(reattach))
    assert "INVALID_HANDLE.OPERATION_NOT_FOUND" in e.value.details()
    channel.close()


def test_responses_carry_ids_and_end_with_result_complete(basin_url):
    session_id = str(uuid.uuid4())
    channel, service = stub(basin_url)
    request = execute_request(session_id, sql_plan("SELECT 1 AS x WHERE false"), False)
    responses = list(service.ExecutePlan(request))
    channel.close()
    assert responses[-1].HasField("result_complete")
    batches = [r for r in responses if r.HasField("arrow_batch")]
    assert len(batches) == 1 and batches[0].arrow_batch.row_count == 0
    assert pa.ipc.open_stream(batches[0].arrow_batch.data).schema.names == ["x"]
    server_ids = {r.server_side_session_id for r in responses}
    assert len(server_ids) == 1 and "" not in server_ids
    assert {r.session_id for r in responses} == {session_id}
    assert len({r.response_id for r in responses}) == len(responses)


def test_bad_input_is_a_clear_error(basin_url):
    channel, service = stub(basin_url)
    # A session id that is not a UUID.
    request = execute_request("not-a-uuid", sql_plan("SELECT 1"))
    with pytest.raises(grpc.RpcError) as e:
        list(service.ExecutePlan(request))
    assert "INVALID_HANDLE.FORMAT" in e.value.details()
    # A plan with no relation and no command, and a relation of no known kind.
    session_id = str(uuid.uuid4())
    with pytest.raises(grpc.RpcError) as e:
        list(service.ExecutePlan(execute_request(session_id, base_pb2.Plan())))
    assert "CONNECT_INVALID_PLAN" in e.value.details()
    empty_relation = base_pb2.Plan(root=relations_pb2.Relation())
    with pytest.raises(grpc.RpcError) as e:
        list(service.ExecutePlan(execute_request(session_id, empty_relation)))
    assert e.value.code() == grpc.StatusCode.INTERNAL
    # Bytes that are not a protobuf message at all.
    raw = channel.unary_stream("/spark.connect.SparkConnectService/ExecutePlan",
                               request_serializer=lambda b: b,
                               response_deserializer=lambda b: b)
    with pytest.raises(grpc.RpcError):
        list(raw(b"\xff\xff\xff\xff garbage"))
    # Reattaching to an operation that never existed.
    reattach = base_pb2.ReattachExecuteRequest(session_id=session_id,
                                               operation_id=str(uuid.uuid4()))
    reattach.user_context.user_id = "tester"
    with pytest.raises(grpc.RpcError) as e:
        list(service.ReattachExecute(reattach))
    assert "INVALID_HANDLE.OPERATION_NOT_FOUND" in e.value.details()
    # The server is still fine.
    assert arrow_rows(service.ExecutePlan(execute_request(session_id, sql_plan("SELECT 1")))) == 1
    channel.close()


def test_client_that_never_reads_does_not_block_others(spark, basin_url):
    session_id = str(uuid.uuid4())
    channel, service = stub(basin_url)
    stream = service.ExecutePlan(execute_request(
        session_id, sql_plan("SELECT id, repeat('y', 200) AS pad FROM range(400000)")))
    # Never read `stream`; other clients are served meanwhile.
    for _ in range(20):
        assert spark.range(10).count() == 10
    stream.cancel()
    channel.close()


def test_interrupt_all_stops_a_running_query(basin_url):
    s = connect_session(basin_url)
    caught = []

    def run():
        try:
            s.sql("SELECT count(*) FROM range(0, 4000000000) a WHERE a.id % 7 = 3").collect()
        except Exception as e:  # noqa: BLE001
            caught.append(e)

    t = threading.Thread(target=run)
    t.start()
    time.sleep(1.0)
    interrupted = s.interruptAll()
    t.join(60)
    assert not t.is_alive(), "the query did not stop after interruptAll"
    assert interrupted and caught, "the interrupted query should fail"
    assert s.range(2).count() == 2
    s.stop()


def test_large_create_dataframe_goes_through_artifacts(spark):
    # Above spark.sql.session.localRelationCacheThreshold (1 MiB) the client uploads the rows
    # as an artifact and sends a CachedLocalRelation.
    n = 200_000
    pdf = pd.DataFrame({"id": range(n), "name": [f"name-{i}" for i in range(n)]})
    df = spark.createDataFrame(pdf)
    assert df.count() == n
    assert df.filter("id >= 199998").orderBy("id").collect()[1].name == "name-199999"


def test_many_small_queries_do_not_leak(spark, basin_server):
    def rss_kb():
        with open(f"/proc/{basin_server.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    for _ in range(200):
        spark.range(3).collect()
    before = rss_kb()
    for _ in range(2000):
        spark.range(3).collect()
    after = rss_kb()
    assert after - before < 50_000, f"RSS grew from {before} kB to {after} kB"


def test_sigterm_shuts_down_gracefully(tmp_path):
    server = BasinServer(basin_binary(), tmp_path / "warehouse")
    s = connect_session(server.url)
    assert s.range(4).count() == 4
    # A stream that is still open when the signal comes ends instead of holding the server.
    session_id = str(uuid.uuid4())
    channel, service = stub(server.url)
    stream = service.ExecutePlan(execute_request(
        session_id, sql_plan("SELECT id, repeat('z', 200) AS pad FROM range(400000)")))
    next(stream)
    s.stop()
    code = server.stop(timeout=30)
    assert code == 0
    assert any("stopped" in line for line in server.lines)
    with pytest.raises(grpc.RpcError):
        for _ in stream:
            pass
    channel.close()
    channel, service = stub(server.url)
    with pytest.raises(grpc.RpcError) as e:
        list(service.ExecutePlan(execute_request(str(uuid.uuid4()), sql_plan("SELECT 1")),
                                 timeout=5))
    assert e.value.code() == grpc.StatusCode.UNAVAILABLE
    channel.close()


def test_python_udfs_run_and_other_kinds_fail_clearly(spark):
    import pandas as pd
    from pyspark.errors import UnsupportedOperationException
    from pyspark.sql import functions as F
    from pyspark.sql.functions import pandas_udf, udf, udtf

    @udf("int")
    def plus1(x):
        return x + 1

    @pandas_udf("long")
    def plus2(v: pd.Series) -> pd.Series:
        return v + 2

    assert [r[0] for r in spark.range(3).select(plus1("id")).collect()] == [1, 2, 3]
    assert [r[0] for r in spark.range(3).select(plus2("id")).collect()] == [2, 3, 4]
    spark.udf.register("p1", lambda x: x + 1, "int")
    assert spark.sql("SELECT p1(41)").collect()[0][0] == 42

    @udtf(returnType="x int")
    class Numbers:
        def eval(self, n: int):
            for i in range(n):
                yield (i,)

    for attempt, feature in (
            (lambda: spark.range(3).mapInPandas(lambda it: it, "id long").collect(), "mapInPandas"),
            (lambda: spark.range(3).groupBy("id").applyInPandas(lambda p: p, "id long").collect(),
             "applyInPandas"),
            (lambda: Numbers(F.lit(2)).collect(), "UDTF")):
        with pytest.raises(UnsupportedOperationException) as e:
            attempt()
        assert e.value.getCondition() == "UNSUPPORTED_FEATURE"
        assert "not supported" in str(e.value) and feature in str(e.value)
    assert spark.range(2).count() == 2


def test_interrupt_tag_stops_only_that_operation(basin_url):
    s = connect_session(basin_url)
    outcome = {}

    def run(name, tag, query):
        if tag:
            s.addTag(tag)
        try:
            outcome[name] = s.sql(query).collect()[0][0]
        except Exception as e:  # noqa: BLE001
            outcome[name] = e
        finally:
            if tag:
                s.removeTag(tag)

    slow = threading.Thread(target=run, args=(
        "slow", "slow", "SELECT count(*) FROM range(0, 4000000000) a WHERE a.id % 7 = 3"))
    other = threading.Thread(target=run, args=(
        "other", None, "SELECT count(*) FROM range(0, 400000000) a WHERE a.id % 7 = 3"))
    slow.start()
    other.start()
    time.sleep(1.0)
    interrupted = s.interruptTag("slow")
    slow.join(60)
    other.join(120)
    assert len(interrupted) == 1
    assert isinstance(outcome["slow"], Exception)
    assert outcome["other"] == 400000000 // 7 + (1 if 400000000 % 7 > 3 else 0)
    s.stop()
