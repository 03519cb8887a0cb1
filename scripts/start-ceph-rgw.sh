#!/bin/bash
# Start a throw-away, single-node Ceph (one mon + one memstore OSD) and a radosgw S3 gateway on
# 127.0.0.1, for Svidok's S3 integration tests. Data lives in memory and in a directory under /tmp.
#
# Idempotent: if an S3 gateway already answers on the port, it is reused (nothing is started).
# Installs the Debian packages radosgw ceph-mon ceph-osd ceph-common when they are missing
# (needs root; runs `apt-get update` only when the package lists cannot serve them).
# Concurrent starts and stops are serialised by an flock on "$CEPH_TEST_DIR.lock" (a caller that
# already holds that lock sets SVIDOK_RGW_LOCK_HELD=1).
#
# Environment (all optional):
#   CEPH_TEST_DIR   data/run/log directory, must be under /tmp   (default /tmp/svidok-ceph-rgw)
#   RGW_PORT        S3 port on 127.0.0.1                          (default 7480)
#   MON_PORT        monitor msgr2 port on 127.0.0.1               (default 3300)
#   S3_ACCESS_KEY / S3_SECRET_KEY  credentials of the test user  (default testaccess / testsecret0123456789)
#   MEMSTORE_BYTES  size of the in-memory OSD                     (default 2 GiB)
#   SVIDOK_RGW_LOCK_HELD=1  the caller holds "$CEPH_TEST_DIR.lock" already
#
# Output: human lines on stderr; on success the last lines on stdout are machine-readable:
#   RGW_STATUS=started|reused
#   RGW_ENDPOINT=http://127.0.0.1:7480
#   RGW_ACCESS_KEY=...   RGW_SECRET_KEY=...   (test credentials of a throw-away gateway)
#   RGW_DIR=/tmp/...
# followed by the classic one-line summary "S3 endpoint http://... access=... secret=...".
# Exit status is non-zero, with a message naming the failed step, on any failure.
set -Eeuo pipefail

D=${CEPH_TEST_DIR:-/tmp/svidok-ceph-rgw}
RGW_PORT=${RGW_PORT:-7480}
MON_PORT=${MON_PORT:-3300}
ACCESS=${S3_ACCESS_KEY:-testaccess}
SECRET=${S3_SECRET_KEY:-testsecret0123456789}
MEMSTORE_BYTES=${MEMSTORE_BYTES:-2147483648}
ENDPOINT="http://127.0.0.1:$RGW_PORT"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STEP="starting"

log() { echo "start-ceph-rgw: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

on_error() {
    local rc=$?
    log "ERROR: failed while $STEP (exit $rc)."
    for f in "$D"/log/*.log; do
        [ -s "$f" ] || continue
        log "--- last lines of $f ---"
        tail -n 15 "$f" >&2 || true
    done
    if [ "${STARTED_DAEMONS:-0}" = 1 ]; then
        log "stopping the daemons started by this attempt"
        CEPH_TEST_DIR="$D" SVIDOK_RGW_LOCK_HELD=1 bash "$HERE/stop-ceph-rgw.sh" >&2 || true
    fi
    exit "$rc"
}
trap on_error ERR

report() {  # $1 = started|reused
    echo "RGW_STATUS=$1"
    echo "RGW_ENDPOINT=$ENDPOINT"
    echo "RGW_ACCESS_KEY=$ACCESS"
    echo "RGW_SECRET_KEY=$SECRET"
    echo "RGW_DIR=$D"
    echo "S3 endpoint $ENDPOINT  access=$ACCESS secret=$SECRET"
}

# An anonymous GET / on an S3 gateway answers with S3 XML (ListAllMyBucketsResult or an Error).
s3_answers() {
    local body
    body=$(curl -s --max-time 3 "$ENDPOINT/" 2>/dev/null) || return 1
    case "$body" in *ListAllMyBucketsResult*|*\<Error\>*) return 0 ;; *) return 1 ;; esac
}
port_busy() { curl -s --max-time 3 -o /dev/null "$ENDPOINT/" 2>/dev/null; }

case "$D" in
    /tmp/?*) ;;
    *) die "CEPH_TEST_DIR must be a directory under /tmp (got '$D'); it is wiped on start" ;;
esac
case "$D" in *..*) die "CEPH_TEST_DIR must not contain '..' (got '$D')" ;; esac
for v in RGW_PORT MON_PORT MEMSTORE_BYTES; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a number (got '${!v}')"
done

# 0. One start or stop at a time (another session may be starting the same gateway).
if [ "${SVIDOK_RGW_LOCK_HELD:-0}" != 1 ]; then
    STEP="waiting for the lock $D.lock"
    exec 9>>"$D.lock"
    flock -w 300 9 || die "another start or stop of the gateway in $D has held $D.lock for 5 minutes"
fi

# 1. Reuse a gateway that already answers.
STEP="checking for a running gateway on $ENDPOINT"
if s3_answers; then
    if [ -f "$D/ceph.conf" ] && command -v radosgw-admin >/dev/null; then
        # Ours: check the cluster can take writes, and that the test user exists.
        STEP="checking the health of the running cluster in $D"
        health=$(timeout 30 ceph -c "$D/ceph.conf" --connect-timeout 20 health 2>/dev/null) \
            || die "an S3 gateway answers on $ENDPOINT but its cluster in $D does not; stop it with scripts/stop-ceph-rgw.sh"
        case "$health" in
            *full*|*FULL*) die "the running cluster in $D is full ($health); stop it with scripts/stop-ceph-rgw.sh and start again" ;;
        esac
        STEP="ensuring the S3 test user exists"
        if ! timeout 60 radosgw-admin -c "$D/ceph.conf" user info --uid=tester >/dev/null 2>&1; then
            timeout 60 radosgw-admin -c "$D/ceph.conf" user create --uid=tester --display-name=tester \
                --access-key="$ACCESS" --secret="$SECRET" >/dev/null
        fi
    else
        log "an S3 gateway not started from $D answers on $ENDPOINT; reusing it as is (its users are unknown to this script)"
    fi
    log "reusing the S3 gateway already answering on $ENDPOINT"
    report reused
    exit 0
fi
if port_busy; then
    die "port $RGW_PORT answers HTTP but not as S3; free it or set RGW_PORT"
fi

# 2. Install the Debian packages if needed.
PKGS="radosgw ceph-mon ceph-osd ceph-common"
missing=0
for bin in radosgw radosgw-admin ceph-mon ceph-osd ceph monmaptool; do
    command -v "$bin" >/dev/null || missing=1
done
if [ "$missing" = 1 ]; then
    [ "$(id -u)" = 0 ] || die "the Ceph packages ($PKGS) are missing and installing them needs root: run 'apt-get install -y --no-install-recommends $PKGS' as root"
    command -v apt-get >/dev/null || die "the Ceph packages ($PKGS) are missing and there is no apt-get to install them"
    t0=$(date +%s)
    need_update=0
    for p in $PKGS; do
        cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
        if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then need_update=1; fi
    done
    if [ "$need_update" = 1 ]; then
        STEP="running apt-get update"
        log "package lists do not offer $PKGS; running apt-get update"
        apt-get update -q -o DPkg::Lock::Timeout=300 >&2
    fi
    STEP="installing $PKGS with apt-get"
    log "installing $PKGS"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends $PKGS >&2; then
        if [ "$need_update" = 0 ]; then
            log "install failed; the package lists may be stale, running apt-get update and retrying once"
            STEP="running apt-get update (retry)"
            apt-get update -q -o DPkg::Lock::Timeout=300 >&2
            STEP="installing $PKGS with apt-get (retry)"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends $PKGS >&2
        else
            false
        fi
    fi
    log "installed $PKGS in $(( $(date +%s) - t0 )) s"
fi
for bin in curl python3; do command -v "$bin" >/dev/null || die "'$bin' is needed but not installed"; done

# 3. Stop leftovers of an earlier run in the same directory, then start from scratch.
STEP="stopping leftovers in $D"
if [ -d "$D/run" ]; then
    CEPH_TEST_DIR="$D" SVIDOK_RGW_LOCK_HELD=1 bash "$HERE/stop-ceph-rgw.sh" >&2 \
        || die "could not stop the daemons left in $D"
fi
for port in "$MON_PORT" "$RGW_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port on 127.0.0.1 is in use by another program; free it or set MON_PORT/RGW_PORT"
    fi
done
rm -rf "$D"; mkdir -p "$D"/{mon.a,osd.0,run,log,rgw.a}
FSID=$(python3 -c 'import uuid;print(uuid.uuid4())')
cat > "$D/ceph.conf" <<CONF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
run dir = $D/run
log file = $D/log/\$name.log
pid file = $D/run/\$name.pid
keyring = $D/keyring
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
osd data = $D/osd.0
mon data = $D/mon.a
ms bind ipv6 = false
# with auth=none, clients must not insist on 'secure' msgr2 mode (radosgw otherwise fails with -13)
ms mon client mode = crc
ms client mode = crc
mon warn on insecure global id reclaim allowed = false
# a throw-away cluster on a shared disk: do not warn at 30 % free, stop only at 1 %
mon data avail warn = 2
mon data avail crit = 1
[mon]
admin socket = $D/run/\$name.asok
[osd]
admin socket = $D/run/\$name.asok
[client.rgw.a]
admin socket = $D/run/\$name.asok
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $D/rgw.a
rgw dns name = localhost
# reclaim deleted and aborted data within seconds (default: hours), or the memstore fills up
rgw gc obj min wait = 5
rgw gc processor period = 5
rgw gc processor max time = 5
CONF
C=(-c "$D/ceph.conf")
touch "$D/keyring"
t0=$(date +%s)

STEP="creating the monitor"
monmaptool --create --addv a "[v2:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$D/monmap" >/dev/null
ceph-mon "${C[@]}" --mkfs -i a --monmap "$D/monmap"
STARTED_DAEMONS=1
STEP="starting the monitor (port $MON_PORT)"
ceph-mon "${C[@]}" -i a 9>&-   # daemons must not inherit (and so keep) the lock
timeout 30 bash -c "until ceph -c '$D/ceph.conf' --connect-timeout 5 mon stat >/dev/null 2>&1; do sleep 1; done"

STEP="creating the OSD"
OSD_ID=$(timeout 60 ceph "${C[@]}" osd create)
ceph-osd "${C[@]}" -i "$OSD_ID" --mkfs >/dev/null 2>&1
STEP="starting the OSD"
ceph-osd "${C[@]}" -i "$OSD_ID" 9>&-
timeout 60 bash -c "until ceph -c '$D/ceph.conf' osd stat 2>/dev/null | grep -q '1 up'; do sleep 1; done"

STEP="starting radosgw on $ENDPOINT"
radosgw "${C[@]}" -n client.rgw.a 9>&-
timeout 120 bash -c "until curl -s --max-time 2 -o /dev/null '$ENDPOINT/'; do sleep 1; done"
# the gateway that answers must be the one just started
STEP="checking that the new radosgw owns $ENDPOINT"
pid=$(cat "$D/run/client.rgw.a.pid")
[ -d "/proc/$pid" ] || false

STEP="creating the S3 test user"
timeout 120 radosgw-admin "${C[@]}" user create --uid=tester --display-name=tester \
    --access-key="$ACCESS" --secret="$SECRET" >/dev/null
s3_answers || { STEP="checking the gateway answers S3"; false; }
log "started mon, osd and radosgw in $(( $(date +%s) - t0 )) s (data in $D)"
report started
