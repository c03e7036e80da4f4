#!/usr/bin/env python3
"""The suite must pass from a clone with nothing beside it: no file that
the build, the tests or the benchmarks run may name the reference
directory beside the project (the "shared" one). Test data is vendored
into the project with its licence.

    self_contained.py SOURCE_DIR
"""
import os
import re
import sys

# Files the build, tests and benchmarks execute or read as code.
CODE = re.compile(r"(CMakeLists\.txt|\.cmake|\.sh|\.py|\.c|\.h|\.conf|"
                  r"\.in)$")
# Written in pieces so this file does not match itself.
FORBIDDEN = re.compile(r"\.\./" + "shared" + r"|/work/" + "shared")
SKIP_DIRS = {".git", "node_modules", "__pycache__"}


def main():
    top = os.path.abspath(sys.argv[1])
    bad = []
    for d, dirs, files in os.walk(top):
        # Build trees (build, build-asan, ...) hold generated copies.
        dirs[:] = [x for x in dirs if x not in SKIP_DIRS and not (
            os.path.exists(os.path.join(d, x, "CMakeCache.txt")))]
        for f in files:
            if not CODE.search(f):
                continue
            p = os.path.join(d, f)
            with open(p, encoding="utf-8", errors="replace") as fh:
                for n, line in enumerate(fh, 1):
                    if FORBIDDEN.search(line):
                        bad.append("%s:%d: %s" % (os.path.relpath(p, top), n,
                                                  line.strip()))
    for b in bad:
        print("FAIL reads outside the project:", b)
    if bad:
        return 1
    print("ok: no build, test or bench file reads outside the project")
    return 0


if __name__ == "__main__":
    sys.exit(main())
