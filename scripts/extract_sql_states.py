#!/usr/bin/env python3
"""Writes a C++ table of Spark's and Delta's error classes and their SQLSTATEs, read from the
error-condition files inside the pinned pyspark wheel's jars and the Delta jar (if fetched), so
that every error class Basin raises gets the SQLSTATE (and so the Python exception) Spark gives it.

usage: extract_sql_states.py SITE_PACKAGES JAR_DIR OUT.inc
"""
import glob
import json
import os
import sys
import zipfile


def conditions(jar, member):
    with zipfile.ZipFile(jar) as z:
        if member not in z.namelist():
            return {}
        return json.loads(z.read(member))


def main():
    site, jar_dir, out = sys.argv[1:4]
    table = {}
    for jar in sorted(glob.glob(os.path.join(site, "pyspark", "jars", "spark-common-utils_*.jar"))):
        for name, body in conditions(jar, "error/error-conditions.json").items():
            if body.get("sqlState"):
                table[name] = body["sqlState"]
            for sub, sub_body in body.get("subClass", {}).items():
                if sub_body.get("sqlState"):
                    table[f"{name}.{sub}"] = sub_body["sqlState"]
    for jar in sorted(glob.glob(os.path.join(jar_dir, "delta-spark_*.jar"))):
        for name, body in conditions(jar, "error/delta-error-classes.json").items():
            if body.get("sqlState"):
                table.setdefault(name, body["sqlState"])
    if not table:
        sys.exit("extract_sql_states: no error-conditions.json found in the pyspark jars")
    lines = [f'{{"{k}", "{v}"}},' for k, v in sorted(table.items())]
    text = "// Generated at build time by scripts/extract_sql_states.py: do not edit.\n" + \
        "\n".join(lines) + "\n"
    if not os.path.exists(out) or open(out).read() != text:
        with open(out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
