#!/usr/bin/env bash
# Checks the layers of docs/ARCHITECTURE.md by what each folder includes:
#   ui/, server/http/   → core's door only: no header of server/store or server/mail;
#   server/core/        → no header of server/http or ui/;
#   server/store/, server/mail/ → no header of core, http or ui.
# (Core's public headers name store types such as Database, so store's include path reaches
# the front ends through core; this check is what stops a front end from using it directly.)
# Run by CTest as the test `layering`. Works without git (CI builds from `git archive`).
set -euo pipefail
cd "$(dirname "$0")/.."

headers_of() { # the header file names under the given folders, one per line
    find "$@" -type f -name '*.h' -printf '%f\n' | sort -u
}
sources_of() {
    find "$@" -type f \( -name '*.cpp' -o -name '*.h' \) | sort
}

status=0
# check FOLDERS... -- FORBIDDEN_FOLDERS...
check() {
    local from=() to=()
    while [[ $1 != -- ]]; do from+=("$1"); shift; done
    shift
    to=("$@")
    local forbidden own
    forbidden=$(headers_of "${to[@]}")
    own=$(headers_of "${from[@]}")
    # A name that also exists in the including layer is its own header (e.g. two config.h).
    forbidden=$(comm -23 <(echo "$forbidden") <(echo "$own"))
    [[ -z "$forbidden" ]] && return 0
    local f inc name
    while IFS= read -r f; do
        while IFS= read -r inc; do
            name=${inc##*/}
            if grep -qxF "$name" <<<"$forbidden"; then
                echo "layering: $f includes \"$inc\" (from ${to[*]})" >&2
                status=1
            fi
        done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
    done < <(sources_of "${from[@]}")
}

check ui server/http -- server/store server/mail
check server/core -- server/http ui
check server/store server/mail -- server/core server/http ui

if (( status )); then
    echo "check-layering.sh: front ends reach core only through CoreServices (docs/ARCHITECTURE.md)" >&2
    exit 1
fi
echo "check-layering.sh: every include follows the layers"
