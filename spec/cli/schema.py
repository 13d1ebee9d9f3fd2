"""`tcpverify schema [NAME]`: the JSON Schemas of the JSON documents tcpverify prints and
writes, shipped with the package (spec/cli/schemas/NAME.schema.json)."""

from __future__ import annotations

import json
from importlib.resources import files

from .options import UsageError

SUFFIX = ".schema.json"


def add_parser(sub) -> None:
    p = sub.add_parser("schema", help="the JSON Schema of a JSON document tcpverify writes")
    p.add_argument("name", nargs="?", default=None, help="a schema (default: list them)")
    p.set_defaults(run=cmd_schema)


def schemas() -> dict[str, dict]:
    """Every shipped schema, by name."""
    folder = files(__package__) / "schemas"
    return {f.name.removesuffix(SUFFIX): json.loads(f.read_text(encoding="utf-8"))
            for f in sorted(folder.iterdir(), key=lambda f: f.name) if f.name.endswith(SUFFIX)}


def cmd_schema(args) -> int:
    found = schemas()
    if args.name is None:
        for name, schema in found.items():
            print(f"{name:14} {schema['title']}: {schema['description']}")
        return 0
    if args.name not in found:
        raise UsageError(f"unknown schema '{args.name}' (one of: {', '.join(found)})")
    print(json.dumps(found[args.name], indent=2))
    return 0
