#!/usr/bin/env python3
"""Writes a FileDescriptorSet of the Spark Connect and Delta Connect protocols, read from the
serialized descriptors inside the pinned pyspark and delta-spark wheels (their *_pb2.py modules).

The modules are parsed, not imported, so the build needs no protobuf Python runtime. protoc then
generates the C++ and gRPC stubs from this set (see CMakeLists.txt): no .proto file is copied.

usage: extract_descriptors.py SITE_PACKAGES OUT.pb   (prints the .proto names it wrote)
"""
import ast
import pathlib
import sys

# google.rpc (Status, ErrorInfo) carries errors in gRPC status details, as Spark sends them.
PACKAGES = ["pyspark/sql/connect/proto", "delta/connect/proto", "google/rpc"]


def serialized_file(path):
    """The bytes passed to AddSerializedFile(...) in a generated _pb2.py module, or None."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "AddSerializedFile" and node.args):
            return ast.literal_eval(node.args[0])
    return None


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def proto_name(descriptor):
    """Field 1 (name) of a serialized FileDescriptorProto."""
    assert descriptor[0] == 0x0A, "FileDescriptorProto does not start with its name"
    pos, length, shift = 1, 0, 0
    while True:
        b = descriptor[pos]
        length |= (b & 0x7F) << shift
        pos += 1
        shift += 7
        if not b & 0x80:
            break
    return descriptor[pos:pos + length].decode()


def main():
    site, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    files = []
    for package in PACKAGES:
        folder = site / package
        if not folder.is_dir():
            sys.exit(f"extract_descriptors: {folder} is missing (run scripts/setup.sh)")
        for module in sorted(folder.glob("*_pb2.py")):
            data = serialized_file(module)
            if data is not None:
                files.append(data)
    # FileDescriptorSet { repeated FileDescriptorProto file = 1; }
    blob = b"".join(b"\x0a" + varint(len(f)) + f for f in files)
    out.write_bytes(blob)
    for f in files:
        print(proto_name(f))


if __name__ == "__main__":
    main()
