#!/usr/bin/env bash
# Checks that every C++ source of SignupDesk follows .clang-format (clang-format 14, Debian 12's).
#
#   bash scripts/check-format.sh          check; lists the files that differ and fails
#   bash scripts/check-format.sh --fix    rewrite those files in place
#
# Run by CTest as the test `format`, so CI fails on a badly formatted file. Works without git
# (CI builds from `git archive`): it walks the source folders, skipping build folders.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v clang-format >/dev/null 2>&1; then
    echo "check-format.sh: clang-format is not installed (bash scripts/install-deps.sh)" >&2
    exit 1
fi

mapfile -d '' files < <(find app server ui tests packaging -type d -name 'build*' -prune -o \
                             -type d -name node_modules -prune -o \
                             -type f \( -name '*.cpp' -o -name '*.h' \) -print0 | sort -z)
if [[ "${1:-}" == --fix ]]; then
    clang-format -i "${files[@]}"
    exit 0
fi
bad=()
for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if (( ${#bad[@]} )); then
    printf 'not formatted: %s\n' "${bad[@]}" >&2
    echo "check-format.sh: ${#bad[@]} of ${#files[@]} files differ from .clang-format;" \
         "fix them with: bash scripts/check-format.sh --fix (or git clang-format)" >&2
    exit 1
fi
echo "check-format.sh: all ${#files[@]} files follow .clang-format"
