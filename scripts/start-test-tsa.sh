#!/usr/bin/env bash
# Start a real RFC 3161 Time-Stamp Authority for tests on 127.0.0.1:PORT.
#
# Usage: scripts/start-test-tsa.sh DIR PORT
#
# - Creates, if DIR does not already hold them, a throw-away root CA (ca.crt/ca.key), a TSA
#   certificate issued by it (tsa.crt/tsa.key; EKU id-kp-timeStamping, critical, as RFC 3161
#   section 2.3 requires) and an `openssl ts` configuration tsa.cnf.
#   tsa.cnf deliberately has no "certs =" line: with more than one certificate in the token,
#   rfc3161-client 1.0.9 rejects openssl's output (ASN.1 InvalidSetOrdering). The token then
#   carries the TSA certificate alone (the request sets certReq), and verifiers need ca.crt.
# - Starts scripts/tsa_server.py bound to 127.0.0.1:PORT in the background (log in DIR/tsa.log),
#   writes its pid to DIR/tsa.pid, waits until it answers a real SHA-256 time-stamp query with a
#   reply that `openssl ts -verify` accepts (or, for a TSA configured to refuse SHA-256, a
#   "rejection" reply), and prints the URL on stdout. Existing material in DIR is reused as is.
# - Stop it with: kill "$(cat DIR/tsa.pid)"
#
# Environment: PYTHON (default python3) runs the server; it needs only the standard library.
set -euo pipefail

die() { echo "start-test-tsa: $*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: $0 DIR PORT"
DIR=$1
PORT=$2
[[ $PORT =~ ^[0-9]{1,5}$ ]] && (( PORT > 0 && PORT < 65536 )) || die "PORT must be 1..65535, not '$PORT'"
command -v openssl >/dev/null || die "openssl is not installed (the TSA is 'openssl ts -reply')"
PY=${PYTHON:-python3}
command -v "$PY" >/dev/null || die "no Python interpreter '$PY' (set PYTHON)"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
case $DIR in *[[:space:]\$\"\\]*) die "DIR must not contain spaces, quotes, '\$' or backslashes: $DIR" ;; esac

make_material() {
    local days=3650
    cat >"$DIR/tsa.cnf" <<CNF
# openssl ts configuration of a throw-away test TSA (scripts/start-test-tsa.sh).
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = $DIR
serial = \$dir/serial
crypto_device = builtin
signer_cert = \$dir/tsa.crt
signer_key = \$dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
# No "certs =" line, on purpose: see the header of scripts/start-test-tsa.sh.

[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_tsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
    echo 01 >"$DIR/serial"
    (
        umask 077
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -keyout "$DIR/ca.key" -out "$DIR/ca.crt" -days "$days" \
            -subj "/O=Svidok tests/CN=Svidok Test Root CA" \
            -config "$DIR/tsa.cnf" -extensions v3_ca 2>/dev/null
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -keyout "$DIR/tsa.key" -out "$DIR/tsa.csr" \
            -subj "/O=Svidok tests/CN=Svidok Test TSA" 2>/dev/null
    )
    openssl x509 -req -in "$DIR/tsa.csr" -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" \
        -set_serial "0x$(openssl rand -hex 8)" -out "$DIR/tsa.crt" -days "$days" \
        -extfile "$DIR/tsa.cnf" -extensions v3_tsa 2>/dev/null
    rm -f "$DIR/tsa.csr"
    chmod 644 "$DIR/ca.crt" "$DIR/tsa.crt"
}

if [[ ! -s $DIR/tsa.cnf || ! -s $DIR/ca.crt || ! -s $DIR/tsa.crt || ! -s $DIR/tsa.key || ! -s $DIR/serial ]]; then
    make_material || die "could not create the CA and TSA certificates in $DIR"
fi

if [[ -s $DIR/tsa.pid ]] && kill -0 "$(cat "$DIR/tsa.pid")" 2>/dev/null; then
    die "a test TSA from $DIR is already running (pid $(cat "$DIR/tsa.pid")); stop it first"
fi

# Detach stdin/stdout/stderr so that a caller that captures our output is not kept waiting.
nohup "$PY" "$HERE/tsa_server.py" --config "$DIR/tsa.cnf" "$PORT" </dev/null >>"$DIR/tsa.log" 2>&1 &
PID=$!
echo "$PID" >"$DIR/tsa.pid"
URL="http://127.0.0.1:$PORT/"

# Readiness: a real query must come back as a reply that openssl itself verifies.
openssl ts -query -data "$DIR/tsa.cnf" -sha256 -cert -out "$DIR/probe.tsq" 2>/dev/null
for _ in $(seq 1 150); do
    if ! kill -0 "$PID" 2>/dev/null; then
        rm -f "$DIR/tsa.pid"
        echo "start-test-tsa: the server exited; last lines of $DIR/tsa.log:" >&2
        tail -n 20 "$DIR/tsa.log" >&2 || true
        exit 1
    fi
    if "$PY" - "$URL" "$DIR/probe.tsq" "$DIR/probe.tsr" <<'PY' 2>/dev/null; then
import sys, urllib.request
url, q, out = sys.argv[1:]
req = urllib.request.Request(url, data=open(q, "rb").read(),
                             headers={"Content-Type": "application/timestamp-query"})
with urllib.request.urlopen(req, timeout=2) as r:
    assert r.status == 200 and r.headers.get("Content-Type") == "application/timestamp-reply"
    open(out, "wb").write(r.read(65536))
PY
        if openssl ts -verify -queryfile "$DIR/probe.tsq" -in "$DIR/probe.tsr" \
            -CAfile "$DIR/ca.crt" -untrusted "$DIR/tsa.crt" >/dev/null 2>&1; then
            rm -f "$DIR/probe.tsq" "$DIR/probe.tsr"
            echo "$URL"
            exit 0
        fi
        # A TSA configured to refuse SHA-256 (to test clients) answers with a signed-off
        # "rejection" TimeStampResp: that is a working TSA too.
        if status=$(openssl ts -reply -in "$DIR/probe.tsr" -text 2>/dev/null | grep -m1 '^Status: Rejected'); then
            echo "start-test-tsa: note: the TSA answers but rejects a SHA-256 query ($status)" >&2
            rm -f "$DIR/probe.tsq" "$DIR/probe.tsr"
            echo "$URL"
            exit 0
        fi
        kill "$PID" 2>/dev/null || true
        rm -f "$DIR/tsa.pid"
        die "the TSA answered, but openssl ts -verify rejects its reply ($DIR/probe.tsr)"
    fi
    sleep 0.1
done
kill "$PID" 2>/dev/null || true
rm -f "$DIR/tsa.pid"
die "the TSA did not answer on $URL within 15 s; see $DIR/tsa.log"
