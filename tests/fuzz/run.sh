#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-16 (ASan + UBSan) into build-fuzz/ and fuzzes each
# for FUZZ_SECONDS (default 60), or for exactly FUZZ_RUNS executions when that is set (then
# FUZZ_SECONDS, if also set, bounds the time), starting from the committed corpus (new finds go
# into build-fuzz/corpus/<target>, not into the source tree). Prints libFuzzer's closing figures
# per target and exits non-zero if any target crashed, leaked, hit a timeout or ran out of
# memory. Not part of the test suite: CI replays the corpora instead (replay_fuzz_* tests).
#
#   bash tests/fuzz/run.sh                 # every target, 60 s each
#   FUZZ_SECONDS=600 bash tests/fuzz/run.sh redirect tokens
#   FUZZ_RUNS=10000000 nice -n 19 bash tests/fuzz/run.sh edgeframing
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if ! command -v clang++-16 >/dev/null; then
    apt-get install -y -q --no-install-recommends clang-16 libclang-rt-16-dev
fi
seconds=${FUZZ_SECONDS:-60}
limit=(-max_total_time="$seconds")
if [[ -n ${FUZZ_RUNS:-} ]]; then
    limit=(-runs="$FUZZ_RUNS")
    [[ -z ${FUZZ_SECONDS:-} ]] || limit+=(-max_total_time="$FUZZ_SECONDS")
fi
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(jsonbody identifiers tokens redirect acceptlanguage edgeframing edgediff)

# clang-16 leaves __cpp_concepts at 201907 although it implements what libstdc++ 12's
# <expected> needs; raising the macro lets that header (std::expected) compile.
flags="-Wno-builtin-macro-redefined -U__cpp_concepts -D__cpp_concepts=202002L"
flags+=" -fsanitize=address,undefined -fsanitize=fuzzer-no-link -fno-omit-frame-pointer -g"
gen=()
if [[ ! -f build-fuzz/CMakeCache.txt ]] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
cmake -S . -B build-fuzz "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_CXX_FLAGS="$flags" -DSD_FUZZ=ON >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]/#/fuzz_}"

failed=0
for t in "${targets[@]}"; do
    work="build-fuzz/corpus/$t"
    mkdir -p "$work" "build-fuzz/artifacts/$t"
    log="build-fuzz/fuzz_$t.log"
    echo "== fuzz_$t: ${limit[*]} ($(date -u +%FT%TZ))"
    set +e
    TIMEFORMAT="fuzz_$t: %R s wall, %U s user + %S s system CPU"
    # UBSan's reports are findings too: halt on the first, so the run fails and keeps the input.
    time ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        QT_QPA_PLATFORM=offscreen \
        "build-fuzz/tests/fuzz/fuzz_$t" "$work" "tests/fuzz/corpus/$t" \
        "${limit[@]}" -timeout=2 -rss_limit_mb=512 -print_final_stats=1 \
        -artifact_prefix="build-fuzz/artifacts/$t/" >"$log" 2>&1
    status=$?
    set -e
    grep -E '^#[0-9]+.*(DONE|pulse)' "$log" | tail -1 || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
    if [[ $status -ne 0 ]]; then
        echo "fuzz_$t FAILED (exit $status): see $log and build-fuzz/artifacts/$t/"
        failed=1
    fi
done
exit $failed
