#!/usr/bin/env python3
"""Regenerate the files made from the findings catalogue (src/catalog.c):
doc/findings.md, and the code enums at the end of the $defs of
schema/check.schema.json ("codes"). Run after changing the table:

    python3 scripts/catalog_update.py [build/hygiene]

The tests in tests/catalog/ fail until the committed files match.
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "doc", "findings.md")
SCHEMA = os.path.join(ROOT, "schema", "check.schema.json")
# The generated block: from its key line to the first line that closes it
# at the same indentation.
BLOCK = re.compile(r'^    "codes": \{\n.*?^    \}\n', re.M | re.S)


def explain(hygiene, opt):
    return subprocess.run([hygiene, "explain", opt], check=True,
                          capture_output=True).stdout.decode("utf-8")


def schema_block(text):
    """The generated block of a schema's text, or None."""
    m = BLOCK.search(text)
    return m.group(0) if m else None


def main():
    hygiene = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(ROOT, "build", "hygiene")
    with open(DOC, "w", encoding="utf-8") as f:
        f.write(explain(hygiene, "--markdown"))
    text = open(SCHEMA, encoding="utf-8").read()
    if schema_block(text) is None:
        print("catalog_update: no \"codes\" block at the end of $defs in %s"
              % SCHEMA, file=sys.stderr)
        return 1
    block = explain(hygiene, "--schema-enum")
    text = BLOCK.sub(lambda m: block, text, count=1)
    with open(SCHEMA, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s and the codes of %s" % (os.path.relpath(DOC, ROOT),
                                            os.path.relpath(SCHEMA, ROOT)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
