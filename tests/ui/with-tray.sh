#!/usr/bin/env bash
# with-tray.sh PROGRAM [ARGS…]: runs PROGRAM on a fresh Xvfb display that has a real system
# tray (trayer, an XEmbed tray host), with Qt's xcb platform; stops both afterwards.
set -euo pipefail
for tool in Xvfb trayer; do
    command -v "$tool" >/dev/null || { echo "with-tray.sh: $tool is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
work=$(mktemp -d)
xvfb_pid= tray_pid=
cleanup() {
    [[ -n $tray_pid ]] && kill "$tray_pid" 2>/dev/null || true
    [[ -n $xvfb_pid ]] && kill "$xvfb_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# -displayfd: Xvfb picks a free display number and writes it once it accepts clients.
Xvfb -displayfd 5 -nolisten tcp -screen 0 1280x800x24 5>"$work/display" 2>"$work/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 1 100); do [[ -s $work/display ]] && break; sleep 0.1; done
[[ -s $work/display ]] || { echo "with-tray.sh: Xvfb did not start" >&2; cat "$work/xvfb.log" >&2; exit 1; }
export DISPLAY=":$(head -n1 "$work/display")"
trayer --edge top --align right --widthtype pixel --width 200 --heighttype pixel --height 32 \
    >"$work/trayer.log" 2>&1 &
tray_pid=$!
export QT_QPA_PLATFORM=xcb
"$@"
