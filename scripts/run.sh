#!/usr/bin/env bash
# Builds SignupDesk into build/ and runs it; extra arguments go to the program:
#
#   bash scripts/run.sh                         serve on 127.0.0.1:8080 (SQLite + file mail)
#   bash scripts/run.sh --config my.ini --port 9090
#   bash scripts/run.sh admin signups list
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh --runtime-only

# Same build directory and build type as scripts/test.sh, so neither forces a full rebuild
# of the other. Ninja when it is installed, else CMake's default (Unix Makefiles); a build
# directory keeps the generator it was configured with.
gen=()
if [[ ! -f build/CMakeCache.txt ]] && command -v ninja >/dev/null 2>&1; then
    gen=(-G Ninja)
fi
cmake -S . -B build "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build --target signupdesk -j2

# Is this the server or an admin sub-command? (First word that is not an option or an
# option's value.)
subcommand=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --config|--listen|--port) i=$((i + 1)) ;;
        -*) ;;
        *) subcommand="${args[i]}"; break ;;
    esac
done

# With a display the program opens the console; without one, the server alone.
mode=()
if [[ -z "$subcommand" ]] && [[ " $* " != *" --headless "* ]]; then
    if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
        mode=(--headless)
    fi
fi

exec build/app/signupdesk "${mode[@]}" "$@"
