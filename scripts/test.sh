#!/bin/sh
# Set up this Debian machine, build hygiene twice (normal, and with
# AddressSanitizer + UndefinedBehaviorSanitizer) and run the whole test
# suite in both builds: unit tests, fuzz-corpus replays and the tests
# against the local world (NSD, unbound, stayrtr, nginx on loopback).
set -eu
cd "$(dirname "$0")/.."

sh scripts/bootstrap.sh
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure)

# A separate port range so a world left behind by the first run can
# never answer the second.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHYGIENE_SANITIZE=ON \
	-DHYGIENE_WORLD_PORT_BASE=15400
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure)
