#!/usr/bin/env bash
# Installs the Debian 12 packages SignupDesk needs, with apt-get.
#
#   bash scripts/install-deps.sh                 build + test packages
#   bash scripts/install-deps.sh --runtime-only  build packages only (no PostgreSQL server,
#                                                SMTP test server, wrk, sqlite3 shell, Chromium
#                                                or Node.js)
#
# When every package is already installed it does nothing (no apt-get update), so it is
# cheap to call before every build. Runs as root, or through sudo when that exists.
set -euo pipefail

runtime_only=0
for arg in "$@"; do
    case "$arg" in
        --runtime-only) runtime_only=1 ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install-deps.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

# Needed to build (and to run) SignupDesk.
# cmake only recommends a build tool, hence ninja-build; qt6-charts-dev's CMake package needs
# Qt6OpenGL's, which only libqt6opengl6-dev brings (a recommendation too).
build_pkgs=(
    cmake ninja-build g++
    qt6-base-dev qt6-httpserver-dev qt6-websockets-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    qt6-charts-dev libqt6opengl6-dev qt6-svg-dev qt6-qpa-plugins libqt6sql6-sqlite libqt6sql6-psql
    libssl-dev libcurl4-openssl-dev libargon2-dev
    libqrencode-dev # the second factor's QR code on /account (issue 14)
    xvfb ca-certificates
    qt6-translations-l10n # Qt's own French and German texts (standard buttons) in the console
)
# Needed only by the tests and benchmarks. chromium: the browser end-to-end test (tests/e2e,
# driven by playwright-core from npm; never a browser download of its own). tzdata: the
# dashboard test buckets days across a real daylight-saving change (Europe/Berlin). trayer:
# a real system tray for the tray icon test (tests/ui/with-tray.sh).
# dpkg-dev, file: cpack -G DEB's computed Depends (dpkg-shlibdeps); systemd: systemd-analyze
# verify on the shipped unit; ccache: scripts/test.sh compiles through it; clang-format: the
# `format` test (scripts/check-format.sh); libsodium-dev, libbotan-2-dev, libgcrypt20-dev: the
# other argon2id implementations tests/bench/bench_argon2 times against ours; prometheus: its
# `promtool check metrics` parses /metrics in tst_metrics (the package also brings a server,
# which is never started). haproxy: the load balancer in front of three instances in the
# cluster test (tests/cluster/tst_cluster; issue 16), started by the test on loopback.
test_pkgs=(postgresql python3-aiosmtpd wrk sqlite3 chromium tzdata trayer dpkg-dev file systemd
           ccache clang-format libsodium-dev libbotan-2-dev libgcrypt20-dev prometheus haproxy)
# Node.js and npm for tests/e2e, only when the machine has none: a machine image's own Node.js
# (e.g. a newer one from another apt source) is kept. Debian 12's nodejs is 18, which is why
# tests/e2e pins playwright-core 1.61 (the last release that supports Node 18).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    test_pkgs+=(nodejs npm)
fi

pkgs=("${build_pkgs[@]}")
if [[ $runtime_only -eq 0 ]]; then
    pkgs+=("${test_pkgs[@]}")
fi

missing_pkgs() {
    local p status
    for p in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [[ "$status" == installed ]] || printf '%s\n' "$p"
    done
}

mapfile -t missing < <(missing_pkgs "${pkgs[@]}")
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#pkgs[@]} packages already installed"
    exit 0
fi

sudo=()
if [[ $EUID -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "install-deps: must run as root (or with sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -o Acquire::Retries=3 -o DPkg::Lock::Timeout=300)

echo "install-deps: installing ${missing[*]}"
if ! "${sudo[@]}" apt-get "${apt_opts[@]}" update </dev/null; then
    echo "install-deps: apt-get update failed (see apt's message above: the network, a proxy, or" \
         "a source in /etc/apt/sources.list*); needed: ${missing[*]}" >&2
    exit 1
fi

# Fail with a clear message if a package has no installation candidate.
unknown=()
for p in "${missing[@]}"; do
    candidate=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [[ -z "$candidate" || "$candidate" == "(none)" ]]; then
        unknown+=("$p")
    fi
done
if [[ ${#unknown[@]} -gt 0 ]]; then
    echo "install-deps: no installation candidate for: ${unknown[*]} (is this Debian 12 with main enabled?)" >&2
    exit 1
fi

if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" </dev/null; then
    echo "install-deps: apt-get install failed for: ${missing[*]}" >&2
    echo "install-deps: apt names the package it could not fetch or install above; for the whole" \
         "story run: apt-get install PKG" >&2
    exit 1
fi

mapfile -t still_missing < <(missing_pkgs "${pkgs[@]}")
if [[ ${#still_missing[@]} -gt 0 ]]; then
    echo "install-deps: still not installed after apt-get: ${still_missing[*]}" >&2
    exit 1
fi
echo "install-deps: done"
