# Sourced by the bench scripts: installs dependencies, builds the release binaries, and gives the
# timing helpers. Sets $build and $edupay.
scripts/install-deps >/dev/null
build=build/release
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DEDUPAY_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
edupay="$PWD/$build/src/app/edupay"

# timed OUT CMD...: runs CMD, recording wall time and peak RSS in OUT.
timed() { /usr/bin/time -f "elapsed %e s rss %M KB" -o "$1" "${@:2}"; }
seconds() { sed -n 's/^elapsed \([0-9.]*\).*/\1/p' "$1"; }
rss_mb() { sed -n 's/.*rss \([0-9]*\) KB.*/\1/p' "$1" | awk '{printf "%.0f", $1/1024}'; }
