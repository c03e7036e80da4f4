#!/usr/bin/env python3
"""Validate a JSON (or NDJSON) file against a JSON Schema; exit 1 on any error."""
import json
import sys

import jsonschema


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    text = open(sys.argv[2], encoding="utf-8").read()
    docs = [json.loads(text)] if text.lstrip().startswith("{") and "\n{" not in text \
        else [json.loads(line) for line in text.splitlines() if line.strip()]
    validator = jsonschema.Draft202012Validator(schema)
    errors = 0
    for i, doc in enumerate(docs):
        for err in validator.iter_errors(doc):
            print(f"{sys.argv[2]}[{i}] {'/'.join(map(str, err.absolute_path))}: {err.message}")
            errors += 1
    if not docs:
        print(f"{sys.argv[2]}: empty")
        return 1
    print(f"{len(docs)} document(s) valid" if errors == 0 else f"{errors} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
