#!/usr/bin/env python3
"""Convert the OpenSPF YAML test suite to JSON for spf-suite (the C runner).

The suite holds raw bytes, so it is read as Latin-1: every byte becomes
the code point of the same value, and the runner maps them back."""
import json
import sys

import yaml


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: suite2json.py SUITE.yml OUT.json")
    with open(sys.argv[1], encoding="latin-1") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        json.dump(docs, out, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
