#!/usr/bin/env bash
# A bank result file with one huge attribute (default 16 MiB), read the old way (straight into
# the SAX parser: quadratic in the token) and the new way (bankfiles::parseXmlFile: the linear
# XmlLimits pass refuses it first). Prints the seconds of each.
#   bench/xml-token.sh [MiB]       default 16
# Builds only its own target (release, -j2), not the whole tree.
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-16}
build=build/release
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DEDUPAY_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target edupay_xml_token_bench >/dev/null
mkdir -p build/bench
"$build/bench/edupay_xml_token_bench" "$mib" build/bench
