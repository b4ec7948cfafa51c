"""Basin's Python UDF worker: runs pyspark user functions for the engine (src/basin/udf/README.md).

The engine starts this file with `python -c <source> <fd>`; <fd> is one end of a Unix socket
pair. Messages in both directions are one type byte, a little-endian u64 length and a payload:

  engine -> worker
    'F' define:  u32 id, u32 eval type, u32 command length, command (cloudpickle of
                 (function, return type)), Arrow IPC schema of the result field
    'B' batch:   u32 id, u64 rows, Arrow IPC stream of the argument columns
  worker -> engine
    'H' hello:   "major.minor" of this Python, once at start (or an 'E' error in its place if
                 this interpreter cannot import pyarrow or pyspark; the worker then exits)
    'R' result:  Arrow IPC stream of one column of the declared type
    'E' error:   the text of a Python exception and its traceback

Row-at-a-time UDFs (eval types 100, 101) see Python values as pyspark gives them (Row for
structs, dict for maps, naive local datetime for timestamps); None in gives None to the function.
A result of the wrong Python type is null, as Spark's conversion of batched UDF results does.
Scalar pandas UDFs (200) get one pandas Series per argument (a DataFrame for structs) and return
a Series (or DataFrame) of the same length; their iterator form (204) gets an iterator of those.
Scalar arrow UDFs (250, 251) get and return pyarrow arrays.
"""

import datetime
import decimal
import os
import socket
import struct
import sys
import traceback

try:
    import pyarrow as pa
    from pyspark.serializers import CloudPickleSerializer
except ImportError as _missing:
    # Say why this interpreter cannot run UDFs (in place of the hello) instead of just dying.
    _text = ("The Python worker's interpreter %s cannot import %s (%s: %s). Set PYSPARK_PYTHON "
             "to a Python that has pyspark and pyarrow." % (
                 sys.executable, _missing.name, type(_missing).__name__, _missing)).encode()
    socket.socket(fileno=int(sys.argv[1])).sendall(b"E" + struct.pack("<Q", len(_text)) + _text)
    sys.exit(1)

SQL_BATCHED_UDF = 100
SQL_ARROW_BATCHED_UDF = 101
SQL_SCALAR_PANDAS_UDF = 200
SQL_SCALAR_PANDAS_ITER_UDF = 204
SQL_SCALAR_ARROW_UDF = 250
SQL_SCALAR_ARROW_ITER_UDF = 251

_INT_RANGES = {
    pa.int8(): (-(1 << 7), (1 << 7) - 1),
    pa.int16(): (-(1 << 15), (1 << 15) - 1),
    pa.int32(): (-(1 << 31), (1 << 31) - 1),
    pa.int64(): (-(1 << 63), (1 << 63) - 1),
}


def _read_exact(sock, n):
    parts = []
    while n:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def _send(sock, kind, payload):
    sock.sendall(kind + struct.pack("<Q", len(payload)))
    sock.sendall(payload)


# ------------------------------------------------------------------------------------------
# Arrow values -> the Python values pyspark hands a row-at-a-time UDF
# ------------------------------------------------------------------------------------------


def _to_python(arrow_type):
    """Returns a function from a to_pylist() value of `arrow_type` to pyspark's value."""
    from pyspark.sql import Row

    if pa.types.is_struct(arrow_type):
        names = [arrow_type.field(i).name for i in range(arrow_type.num_fields)]
        convs = [_to_python(arrow_type.field(i).type) for i in range(arrow_type.num_fields)]

        def struct_value(v):
            if v is None:
                return None
            return Row(**{n: c(v[n]) for n, c in zip(names, convs)}) if len(set(names)) == len(
                names
            ) else Row(*[c(x) for c, x in zip(convs, v.values())])

        return struct_value
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        conv = _to_python(arrow_type.value_type)
        return lambda v: None if v is None else [conv(x) for x in v]
    if pa.types.is_map(arrow_type):
        kc, vc = _to_python(arrow_type.key_type), _to_python(arrow_type.item_type)
        return lambda v: None if v is None else {kc(k): vc(x) for k, x in v}
    if pa.types.is_timestamp(arrow_type):
        if arrow_type.tz is None:
            return lambda v: v
        # Spark hands TimestampType values over as naive datetimes in the local time zone.
        return lambda v: None if v is None else v.astimezone().replace(tzinfo=None)
    return lambda v: v


try:
    from pyspark.sql.conversion import ArrowTableToRowsConversion, LocalDataToArrowConversion
    from pyspark.sql.pandas.types import from_arrow_type

    _pyspark_conversion = (LocalDataToArrowConversion, ArrowTableToRowsConversion, from_arrow_type)
except ImportError:  # an older pyspark: our own conversions
    _pyspark_conversion = None


def _column_values(column):
    """Returns the values of `column` as pyspark hands them to a row-at-a-time UDF."""
    if _pyspark_conversion:
        _, to_rows, from_arrow = _pyspark_conversion
        conv = to_rows._create_converter(from_arrow(column.type), none_on_identity=True)
        values = to_rows._to_pylist(column)
        return values if conv is None else [conv(v) for v in values]
    conv = _to_python(column.type)
    return [conv(v) for v in column.to_pylist()]


# ------------------------------------------------------------------------------------------
# Python results -> Arrow values of the declared type (null where the type does not fit)
# ------------------------------------------------------------------------------------------


_WRONG = object()


def _java_double_text(v):
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "Infinity" if v > 0 else "-Infinity"
    if v == int(v) and abs(v) < 1e7:
        return "%.1f" % v
    text = repr(v)
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        text = mantissa + "E" + str(int(exponent))
    return text


def _from_python(arrow_type, strict):
    """Returns a function from a UDF's result to a value pyarrow can store as `arrow_type`.

    Wrong types give None (Spark's batched UDFs) or raise (strict: arrow-optimized UDFs)."""

    def wrong(v):
        if strict:
            raise TypeError(
                "Cannot convert %r (%s) to %s" % (v, type(v).__name__, arrow_type)
            )
        return None

    if pa.types.is_boolean(arrow_type):
        return lambda v: v if v is None or isinstance(v, bool) else wrong(v)
    if arrow_type in _INT_RANGES:
        lo, hi = _INT_RANGES[arrow_type]

        def integer(v):
            if v is None:
                return None
            if isinstance(v, bool) or not isinstance(v, int):
                return wrong(v)
            return v if lo <= v <= hi else wrong(v)

        return integer
    if pa.types.is_floating(arrow_type):
        def floating(v):
            if v is None or isinstance(v, float):
                return v
            if strict and isinstance(v, int) and not isinstance(v, bool):
                return float(v)
            return wrong(v)

        return floating
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        def text(v):
            if v is None or isinstance(v, str):
                return v
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, float):
                return _java_double_text(v)
            if strict and not isinstance(v, (int, decimal.Decimal)):
                return wrong(v)
            return str(v)

        return text
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return lambda v: bytes(v) if isinstance(v, (bytes, bytearray)) else (
            None if v is None else wrong(v))
    if pa.types.is_decimal(arrow_type):
        limit = decimal.Decimal(10) ** (arrow_type.precision - arrow_type.scale)

        def dec(v):
            if v is None:
                return None
            if not isinstance(v, decimal.Decimal):
                return wrong(v)
            q = v.quantize(decimal.Decimal(1).scaleb(-arrow_type.scale),
                           rounding=decimal.ROUND_HALF_UP)
            return q if abs(q) < limit else wrong(v)

        return dec
    if pa.types.is_date32(arrow_type):
        return lambda v: v if v is None or (isinstance(v, datetime.date) and not isinstance(
            v, datetime.datetime)) else (v.date() if isinstance(v, datetime.datetime) else wrong(v))
    if pa.types.is_timestamp(arrow_type):
        def ts(v):
            if v is None:
                return None
            if not isinstance(v, datetime.datetime):
                return wrong(v)
            if arrow_type.tz is not None and v.tzinfo is None:
                v = v.astimezone()  # naive values are local time, as in pyspark
            return v

        return ts
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        conv = _from_python(arrow_type.value_type, strict)

        def array(v):
            if v is None:
                return None
            if not isinstance(v, (list, tuple)):
                return wrong(v)
            return [conv(x) for x in v]

        return array
    if pa.types.is_map(arrow_type):
        kc, vc = _from_python(arrow_type.key_type, strict), _from_python(arrow_type.item_type,
                                                                           strict)

        def mapping(v):
            if v is None:
                return None
            if not isinstance(v, dict):
                return wrong(v)
            return [(kc(k), vc(x)) for k, x in v.items()]

        return mapping
    if pa.types.is_struct(arrow_type):
        fields = [arrow_type.field(i) for i in range(arrow_type.num_fields)]
        convs = [_from_python(f.type, strict) for f in fields]

        def record(v):
            if v is None:
                return None
            if isinstance(v, dict):
                items = [v.get(f.name) for f in fields]
            elif hasattr(v, "__fields__") and isinstance(v, tuple):  # pyspark Row
                d = v.asDict() if v.__fields__ else None
                items = [d.get(f.name) for f in fields] if d else list(v)
            elif isinstance(v, (list, tuple)):
                items = list(v)
            else:
                return wrong(v)
            if len(items) != len(fields):
                raise ValueError(
                    "Expected %d fields in the struct result, got %d" % (len(fields), len(items)))
            return {f.name: c(x) for f, c, x in zip(fields, convs, items)}

        return record
    if pa.types.is_null(arrow_type):
        return lambda v: None
    return lambda v: v


# ------------------------------------------------------------------------------------------
# Functions
# ------------------------------------------------------------------------------------------


class Function:
    def __init__(self, eval_type, command, result_field):
        self.func, self.return_type = CloudPickleSerializer().loads(command)
        self.eval_type = eval_type
        self.field = result_field
        self.convert = _from_python(result_field.type, eval_type == SQL_ARROW_BATCHED_UDF)

    def run(self, batch, rows):
        t = self.eval_type
        if t in (SQL_BATCHED_UDF, SQL_ARROW_BATCHED_UDF):
            return self._run_rows(batch, rows)
        if t == SQL_SCALAR_PANDAS_UDF:
            return self._from_pandas(self.func(*self._pandas_args(batch)), rows)
        if t == SQL_SCALAR_PANDAS_ITER_UDF:
            import pandas as pd

            args = self._pandas_args(batch)
            parts = list(self.func(iter([args[0] if len(args) == 1 else tuple(args)])))
            if not parts:
                parts = [pd.Series([], dtype=object)]
            joined = pd.concat(parts, ignore_index=True)
            return self._from_pandas(joined, rows)
        if t == SQL_SCALAR_ARROW_UDF:
            return self._from_arrow(self.func(*batch.columns), rows)
        if t == SQL_SCALAR_ARROW_ITER_UDF:
            cols = batch.columns
            parts = list(self.func(iter([cols[0] if len(cols) == 1 else tuple(cols)])))
            return self._from_arrow(pa.concat_arrays(
                [p.combine_chunks() if isinstance(p, pa.ChunkedArray) else p for p in parts]),
                rows)
        raise NotImplementedError("Python UDF eval type %d" % t)

    def _run_rows(self, batch, rows):
        f = self.func
        columns = [_column_values(c) for c in batch.columns]
        results = [f(*args) for args in zip(*columns)] if columns else [f() for _ in range(rows)]
        if self.eval_type == SQL_ARROW_BATCHED_UDF and _pyspark_conversion:
            # As pyspark's worker converts arrow-optimized UDF results.
            to_arrow = _pyspark_conversion[0]._create_converter(
                self.return_type, none_on_identity=True)
            if to_arrow is not None:
                results = [to_arrow(r) for r in results]
            try:
                return pa.array(results, type=self.field.type)
            except pa.lib.ArrowInvalid:
                return pa.array(results).cast(self.field.type, safe=False)
        convert = self.convert
        return pa.array([convert(r) for r in results], type=self.field.type)

    @staticmethod
    def _pandas_args(batch):
        args = []
        for c in batch.columns:
            if pa.types.is_struct(c.type):
                args.append(pa.Table.from_batches(
                    [pa.RecordBatch.from_struct_array(c)]).to_pandas())
            else:
                args.append(c.to_pandas())
        return args

    def _from_pandas(self, result, rows):
        import pandas as pd

        if not hasattr(result, "__len__"):
            expected = "pandas.DataFrame" if pa.types.is_struct(self.field.type) else "pandas.Series"
            raise TypeError("[UDF_RETURN_TYPE] Return type of the user-defined function should "
                            "be %s, but is %s." % (expected, type(result).__name__))
        if len(result) != rows:
            raise RuntimeError(
                "[SCHEMA_MISMATCH_FOR_PANDAS_UDF] Result vector from pandas_udf was not the "
                "required length: expected %d, got %d." % (rows, len(result)))
        if isinstance(result, pd.DataFrame):
            table = pa.Table.from_pandas(result, preserve_index=False)
            arrays = [table.column(f.name).combine_chunks().cast(f.type)
                      for f in self.field.type]
            return pa.StructArray.from_arrays(arrays, fields=list(self.field.type))
        return pa.Array.from_pandas(result, type=self.field.type)

    def _from_arrow(self, result, rows):
        if isinstance(result, pa.ChunkedArray):
            result = result.combine_chunks()
        if len(result) != rows:
            raise RuntimeError("Result of the arrow UDF has %d rows, expected %d."
                               % (len(result), rows))
        return result.cast(self.field.type)


def _error_text():
    """The exception's traceback without this worker's own frames (as Spark simplifies it)."""
    etype, value, tb = sys.exc_info()
    while tb is not None and tb.tb_frame.f_globals is globals():
        tb = tb.tb_next
    return "".join(traceback.format_exception(etype, value, tb))


def main():
    sock = socket.socket(fileno=int(sys.argv[1]))
    _send(sock, b"H", ("%d.%d" % sys.version_info[:2]).encode())
    functions = {}
    while True:
        try:
            header = _read_exact(sock, 9)
        except EOFError:
            return
        kind = header[:1]
        payload = _read_exact(sock, struct.unpack("<Q", header[1:])[0])
        if kind == b"F":
            fid, eval_type, size = struct.unpack_from("<III", payload)
            command = payload[12:12 + size]
            try:
                schema = pa.ipc.read_schema(pa.py_buffer(payload[12 + size:]))
                functions[fid] = Function(eval_type, command, schema.field(0))
            except Exception:
                functions[fid] = _error_text()
        elif kind == b"B":
            fid, rows = struct.unpack_from("<IQ", payload)
            try:
                fn = functions[fid]
                if isinstance(fn, str):
                    _send(sock, b"E", fn.encode("utf-8", "replace"))
                    continue
                reader = pa.ipc.open_stream(pa.py_buffer(payload[12:]))
                batch = reader.read_next_batch()
                result = fn.run(batch, rows)
                out = pa.BufferOutputStream()
                schema = pa.schema([fn.field])
                with pa.ipc.new_stream(out, schema) as writer:
                    writer.write_batch(pa.record_batch([result], schema=schema))
                _send(sock, b"R", out.getvalue().to_pybytes())
            except Exception:
                _send(sock, b"E", _error_text().encode("utf-8", "replace"))
        else:
            return


if __name__ == "__main__":
    main()
