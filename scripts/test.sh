#!/usr/bin/env bash
# Builds SignupDesk into build/ and runs the test suite with CTest; extra arguments go to
# ctest (e.g. `bash scripts/test.sh -L unit`). Exit status is ctest's.
# PostgreSQL is started by CTest itself (fixture tests/support/postgres-fixture.sh); SMTP
# servers (python3-aiosmtpd) are started by the tests that need them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh

# The npm dependencies of the browser end-to-end test (tests/e2e: playwright-core) and of the
# OpenAPI validation (tests/openapi), each pinned by its package-lock.json, installed again only
# when node_modules is missing or the lock changed. A failed install does not stop the other
# tests: the test that needs it then fails and says why.
for npm_dir in tests/e2e tests/openapi; do
    lock_sum=$(sha256sum "$npm_dir/package-lock.json" | cut -d' ' -f1)
    if [[ "$(cat "$npm_dir/node_modules/.sd-lock-sha256" 2>/dev/null)" != "$lock_sum" ]]; then
        if (cd "$npm_dir" && npm ci --no-audit --no-fund); then
            echo "$lock_sum" > "$npm_dir/node_modules/.sd-lock-sha256"
        else
            echo "test.sh: npm ci in $npm_dir failed: its test will fail" >&2
        fi
    fi
done

export QT_QPA_PLATFORM=offscreen

# Same build directory and build type as scripts/run.sh. Ninja when it is installed, else
# CMake's default (Unix Makefiles); a build directory keeps the generator it was
# configured with.
gen=()
if [[ ! -f build/CMakeCache.txt ]] && command -v ninja >/dev/null 2>&1; then
    gen=(-G Ninja)
fi
# ccache (a test package) for a new build directory: a rebuild from scratch, e.g. CI's on a
# fresh machine with its cache kept outside (CCACHE_DIR), then costs little.
if [[ ! -f build/CMakeCache.txt ]] && command -v ccache >/dev/null 2>&1; then
    gen+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B build "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2

exec ctest --test-dir build --output-on-failure -j2 "$@"
