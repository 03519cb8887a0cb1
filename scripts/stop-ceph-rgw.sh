#!/bin/bash
# Stop the daemons that start-ceph-rgw.sh started, by their pid files only (never by name).
# Sends SIGTERM, waits up to 10 s, then SIGKILL and waits up to 20 s more; a pid is signalled
# only if it still belongs to a Ceph daemon (guards against a recycled pid). Serialised with
# start-ceph-rgw.sh by an flock on "$CEPH_TEST_DIR.lock". The directory under /tmp is kept for its logs
# (start-ceph-rgw.sh wipes it); REMOVE_CEPH_TEST_DIR=1 deletes it. Exit status is non-zero if a
# daemon could not be stopped.
set -uo pipefail

D=${CEPH_TEST_DIR:-/tmp/svidok-ceph-rgw}
log() { echo "stop-ceph-rgw: $*" >&2; }

case "$D" in
    /tmp/?*) ;;
    *) log "ERROR: CEPH_TEST_DIR must be a directory under /tmp (got '$D')"; exit 1 ;;
esac
if [ "${SVIDOK_RGW_LOCK_HELD:-0}" != 1 ] && [ -d "$D" ]; then
    exec 9>>"$D.lock"
    flock -w 300 9 || { log "ERROR: another start or stop holds $D.lock"; exit 1; }
fi

alive() {  # the pid exists and is not a zombie
    local state
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
    state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ "$state" != Z ] && [ "$state" != X ]
}

is_ceph_pid() {  # pid is alive and its command is one of ours
    local pid=$1 comm
    alive "$pid" || return 1
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
    case "$comm" in ceph-mon|ceph-osd|radosgw|rgw*|ms_*|msgr*) return 0 ;; esac
    # thread names can replace comm; fall back to the executable's path
    case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in */ceph-mon|*/ceph-osd|*/radosgw) return 0 ;; esac
    return 1
}

pids=()
shopt -s nullglob
for f in "$D"/run/*.pid; do
    pid=$(tr -dc '0-9' < "$f")
    if is_ceph_pid "$pid"; then pids+=("$pid"); fi
done

if [ ${#pids[@]} -eq 0 ]; then
    log "no daemons running from $D"
else
    # a throw-away memstore cluster: no shutdown order to respect; TERM all, then wait
    kill -TERM "${pids[@]}" 2>/dev/null
    for _ in $(seq 1 50); do
        running=()
        for pid in "${pids[@]}"; do is_ceph_pid "$pid" && running+=("$pid"); done
        [ ${#running[@]} -eq 0 ] && break
        sleep 0.2
    done
    if [ ${#running[@]} -gt 0 ]; then
        log "still running after SIGTERM: ${running[*]}; sending SIGKILL"
        kill -KILL "${running[@]}" 2>/dev/null
        # a daemon holding gigabytes of memstore can take seconds to exit even after SIGKILL
        for _ in $(seq 1 100); do
            left=()
            for pid in "${running[@]}"; do alive "$pid" && left+=("$pid"); done
            [ ${#left[@]} -eq 0 ] && break
            sleep 0.2
        done
        if [ ${#left[@]} -gt 0 ]; then
            log "ERROR: could not stop pids ${left[*]}"
            exit 1
        fi
    fi
    log "stopped ${#pids[@]} daemon(s): ${pids[*]}"
fi
rm -f "$D"/run/*.pid
if [ "${REMOVE_CEPH_TEST_DIR:-0}" = 1 ]; then rm -rf "$D"; fi
exit 0
