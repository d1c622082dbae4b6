# Sourced by .ci/run: pristine Debian 12 roots (debootstrap --variant=minbase bookworm) to run
# the project's own commands in, with chroot. Needs root.
#
#   fr_init                  mirrors from the host's apt sources; the cached minbase tarball
#   fr_make ROOT             a fresh root at ROOT: the tarball unpacked, apt sources, the host's
#                            local CA certificates, resolv.conf, /proc /sys /dev /dev/shm /dev/pts
#   fr_run ROOT CMD…         CMD inside ROOT with a clean environment (+ the CA variables)
#   fr_destroy ROOT          kill what still runs in ROOT, unmount everything under it, remove it
#
# The tarball is a tar of a root just made by debootstrap, nothing installed after it, so a root
# holds only minbase plus what the project's scripts install. Downloaded .deb files are kept
# between runs (hard-linked into a root's /var/cache/apt/archives, and the new ones back when
# the root goes; not a shared mount, so two roots' apt never wait on one lock): files, not
# installations.

FR_CACHE=${SD_CI_CACHE:-/var/cache/signupdesk-ci}
FR_TARBALL=$FR_CACHE/bookworm-minbase.tar
FR_MAX_AGE_DAYS=7
FR_SUITE=bookworm

# The CA-related variables passed into a root, when set outside.
FR_CA_VARS=(NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE REQUESTS_CA_BUNDLE
            GIT_SSL_CAINFO PIP_CERT NIX_SSL_CERT_FILE AWS_CA_BUNDLE HTTPLIB2_CA_CERTS
            GRPC_DEFAULT_SSL_ROOTS_FILE_PATH CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE
            http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY)

fr_log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fr_die() { fr_log "ERROR: $*" >&2; exit 1; }

# The URI the host's apt sources use for SUITE (one-line sources.list or deb822 .sources).
fr_host_mirror() {
    local suite=$1 f
    {
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [[ -f $f ]] || continue
            awk -v s="$suite" '$1 == "deb" {
                    i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                    if ($(i + 1) == s) print $i }' "$f"
        done
        for f in /etc/apt/sources.list.d/*.sources; do
            [[ -f $f ]] || continue
            # deb822: paragraphs separated by blank lines; URIs: and Suites: may hold several.
            awk -v s="$suite" '
                function flush() { if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " s " ")) { n = split(uris, u, " "); for (k = 1; k <= n; k++) print u[k] } types = uris = suites = "" }
                /^[ \t]*$/ { flush(); next }
                /^#/ { next }
                tolower($1) == "types:" { $1 = ""; types = $0 }
                tolower($1) == "uris:" { $1 = ""; uris = $0 }
                tolower($1) == "suites:" { $1 = ""; suites = $0 }
                END { flush() }' "$f"
        done
    } | head -n 1
}

fr_init() {
    [[ $EUID -eq 0 ]] || fr_die "must run as root (debootstrap, mount, chroot)"
    FR_MIRROR=$(fr_host_mirror "$FR_SUITE")
    [[ -n $FR_MIRROR ]] || fr_die "no '$FR_SUITE' source in the host's apt sources (/etc/apt/sources.list*)"
    FR_SECURITY_MIRROR=$(fr_host_mirror "$FR_SUITE-security")
    FR_UPDATES_MIRROR=$(fr_host_mirror "$FR_SUITE-updates")
    fr_log "mirror: $FR_MIRROR (security: ${FR_SECURITY_MIRROR:-none}, updates: ${FR_UPDATES_MIRROR:-none})"
    mkdir -p "$FR_CACHE/apt-archives"
    if ! command -v debootstrap >/dev/null 2>&1; then
        fr_log "installing debootstrap on the host"
        DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update </dev/null
        DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y \
            --no-install-recommends debootstrap </dev/null
    fi
    if [[ -f $FR_TARBALL ]] && [[ -n $(find "$FR_TARBALL" -mtime -"$FR_MAX_AGE_DAYS" -print) ]] &&
        [[ "$(cat "$FR_TARBALL.mirror" 2>/dev/null)" == "$FR_MIRROR" ]]; then
        fr_log "using the cached minbase root $FR_TARBALL"
        return 0
    fi
    fr_log "debootstrap --variant=minbase $FR_SUITE (cached afterwards in $FR_TARBALL)"
    local tmp
    tmp=$(mktemp -d "$FR_CACHE/debootstrap.XXXXXX")
    if ! debootstrap --variant=minbase "$FR_SUITE" "$tmp/root" "$FR_MIRROR" >"$tmp/log" 2>&1; then
        tail -n 30 "$tmp/log" >&2
        fr_destroy "$tmp"
        fr_die "debootstrap failed"
    fi
    # Nothing mounted inside it any more (debootstrap unmounts its /proc, /sys on success).
    fr_unmount_under "$tmp/root"
    tar -C "$tmp/root" --numeric-owner -cf "$tmp/root.tar" .
    mv "$tmp/root.tar" "$FR_TARBALL"
    echo "$FR_MIRROR" >"$FR_TARBALL.mirror"
    fr_destroy "$tmp"
}

# Mount points at or under DIR, deepest first.
fr_mounts_under() {
    local dir
    dir=$(realpath -m -- "$1")
    awk -v d="$dir" '{ gsub(/\\040/, " ", $5); if ($5 == d || index($5, d "/") == 1) print $5 }' \
        /proc/self/mountinfo | sort -r
}

fr_unmount_under() {
    local m tries
    for tries in 1 2 3; do
        while read -r m; do
            [[ -n $m ]] || continue
            umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
        done < <(fr_mounts_under "$1")
        [[ -z $(fr_mounts_under "$1") ]] && return 0
        sleep 1
    done
    return 1
}

# Kills every process whose root directory is ROOT (servers a test left behind, etc.).
fr_kill_inside() {
    local root p pid link sig
    root=$(realpath -m -- "$1")
    for sig in TERM KILL; do
        local found=0
        for p in /proc/[0-9]*; do
            pid=${p#/proc/}
            link=$(readlink "$p/root" 2>/dev/null) || continue
            if [[ $link == "$root" || $link == "$root"/* ]]; then
                kill -s "$sig" "$pid" 2>/dev/null && found=1
            fi
        done
        [[ $found -eq 1 ]] || return 0
        sleep 2
    done
}

fr_destroy() {
    local dir=$1
    [[ -n $dir && -d $dir ]] || return 0
    [[ $(realpath -m -- "$dir") != / ]] || fr_die "refusing to destroy /"
    fr_kill_inside "$dir"
    fr_save_debs "$dir"
    if ! fr_unmount_under "$dir"; then
        fr_log "WARNING: still mounted under $dir, not removing it:" >&2
        fr_mounts_under "$dir" >&2
        return 1
    fi
    # --one-file-system: never follow into anything still mounted (the host's /dev …).
    rm -rf --one-file-system -- "$dir"
}

# The .deb files ROOT downloaded, into the cache (hard links when on one file system).
fr_save_debs() {
    local debs=("$1"/var/cache/apt/archives/*.deb)
    [[ -f ${debs[0]} ]] || return 0
    cp -aln "${debs[@]}" "$FR_CACHE/apt-archives/" 2>/dev/null ||
        cp -an "${debs[@]}" "$FR_CACHE/apt-archives/" || true
}

fr_make() {
    local root=$1 f
    mkdir -p "$root"
    tar -C "$root" --numeric-owner -xf "$FR_TARBALL"
    {
        echo "deb $FR_MIRROR $FR_SUITE main"
        [[ -z $FR_UPDATES_MIRROR ]] || echo "deb $FR_UPDATES_MIRROR $FR_SUITE-updates main"
        [[ -z $FR_SECURITY_MIRROR ]] || echo "deb $FR_SECURITY_MIRROR $FR_SUITE-security main"
    } >"$root/etc/apt/sources.list"
    rm -f "$root"/etc/apt/sources.list.d/*
    # The root trusts what the machine trusts: its local CAs, added to the bundle by
    # update-ca-certificates when the project's scripts install ca-certificates.
    mkdir -p "$root/usr/local/share/ca-certificates"
    for f in /usr/local/share/ca-certificates/*.crt; do
        [[ -f $f ]] && cp -- "$f" "$root/usr/local/share/ca-certificates/"
    done
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    # No services start while packages install (postgresql's own cluster, etc.).
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"

    mount -t proc proc "$root/proc"
    mount -t sysfs sysfs "$root/sys"
    mount --bind /dev "$root/dev"
    mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$root/dev/pts"
    # The compiler cache scripts/test.sh uses (through ccache, which it installs): kept here.
    mkdir -p "$FR_CACHE/ccache" "$root/var/cache/signupdesk-ccache"
    mount --bind "$FR_CACHE/ccache" "$root/var/cache/signupdesk-ccache"
    local debs=("$FR_CACHE"/apt-archives/*.deb)
    if [[ -f ${debs[0]} ]]; then
        # -n: the tarball's own (debootstrap's) files stay as they are.
        cp -aln "${debs[@]}" "$root/var/cache/apt/archives/" 2>/dev/null ||
            cp -an "${debs[@]}" "$root/var/cache/apt/archives/"
    fi
}

# fr_chroot ROOT: sets FR_CHROOT to the command prefix that runs a command in ROOT as root, with
# the environment a fresh login would have plus the CA variables (and CI) passed through.
fr_chroot() {
    local v
    FR_CHROOT=(chroot "$1" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
               HOME=/root TERM=dumb LANG="${LANG:-C.UTF-8}" CI="${CI:-}"
               CCACHE_DIR=/var/cache/signupdesk-ccache CCACHE_BASEDIR=/src CCACHE_NOHASHDIR=1)
    for v in "${FR_CA_VARS[@]}"; do
        [[ -z ${!v:-} ]] || FR_CHROOT+=("$v=${!v}")
    done
}

# fr_run ROOT CMD…: CMD in ROOT (see fr_chroot).
fr_run() {
    fr_chroot "$1"
    shift
    "${FR_CHROOT[@]}" "$@"
}
