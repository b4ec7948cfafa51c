#!/usr/bin/env python3
"""Fails if a file in src/basin/<layer>/ includes a layer that is not below it (STYLE.md)."""
import pathlib
import re
import sys

# Each layer and the layers it may include directly (its own layer is always allowed).
ALLOWED = {
    "base": set(),
    "types": {"base"},
    "io": {"base"},
    "format": {"types", "io"},
    "delta": {"types", "io", "format"},
    "catalog": {"types", "delta"},
    "function": {"types"},
    "sql": {"base"},
    "plan": {"types", "function"},
    "analyzer": {"sql", "plan", "catalog"},
    "optimizer": {"plan"},
    "exec": {"plan", "function", "format", "delta"},
    "udf": {"function"},
    "session": {"analyzer", "optimizer", "exec", "udf"},
    "streaming": {"session"},
    "connect": {"session", "streaming"},
    "ml": {"session", "catalog"},
    "rest": {"ml", "catalog", "session"},
    "cli": None,  # may use everything
}


def below(layer):
    """Returns every layer reachable downwards from `layer`."""
    seen, todo = set(), list(ALLOWED[layer] or [])
    while todo:
        l = todo.pop()
        if l not in seen:
            seen.add(l)
            todo.extend(ALLOWED[l] or [])
    return seen


def main():
    root = pathlib.Path(__file__).resolve().parent.parent / "src" / "basin"
    include = re.compile(r'^\s*#\s*include\s+"basin/([a-z_]+)/')
    errors = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        layer = path.relative_to(root).parts[0]
        if layer not in ALLOWED:
            errors.append(f"{path.relative_to(root)}: folder '{layer}' is not a known layer")
            continue
        if ALLOWED[layer] is None:
            continue
        ok = below(layer) | {layer}
        for n, line in enumerate(path.read_text().splitlines(), 1):
            m = include.match(line)
            if m and m.group(1) not in ok:
                errors.append(f"src/basin/{path.relative_to(root)}:{n}: layer '{layer}' may not include '{m.group(1)}'")
    for e in errors:
        print(e)
    print(f"check_layers: {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
