#!/usr/bin/env bash
# Measures the home page's weight on a first visit in Chromium and writes the "Home page weight"
# section of bench/RESULTS.md (between its page-weight markers; bench/run.sh keeps it).
#
#   bench/page_weight.sh
#   PROFILE=debug bench/page_weight.sh   # the same bytes, without a release build
#
# Needs: cargo, python3, curl, node (20 or newer) with the npm packages of tests/browser
# (`npm ci` there) and Debian's chromium. The server listens on loopback only and is stopped on
# exit.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/root/.cache/hello-kmp/target}
RESULTS=${RESULTS:-$BENCH_DIR/RESULTS.md}
COMMAND_LINE="$(printf '%q ' "${BASH_SOURCE[0]}" "$@")"
unset DATABASE_URL HELLO_KMP_CONFIG

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hello-kmp-weight.XXXXXX")
PID=
cleanup() {
    if [[ -n $PID ]]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[page weight %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -d $ROOT/tests/browser/node_modules/playwright-core ]] ||
    die "run npm ci in tests/browser first"
CHROMIUM=${KMP_TEST_CHROMIUM:-/usr/bin/chromium}
[[ -x $CHROMIUM ]] || die "no Chromium at $CHROMIUM (apt-get install chromium)"

# What a page weighs does not depend on the build profile: the assets are embedded as they are.
PROFILE=${PROFILE:-release}
log "building ($PROFILE)"
if [[ $PROFILE == release ]]; then
    (cd "$ROOT" && cargo build --release -p hello-kmp --bin hello-kmp)
else
    (cd "$ROOT" && cargo build -p hello-kmp --bin hello-kmp)
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/data"
(cd "$WORK" && exec "$CARGO_TARGET_DIR/$PROFILE/hello-kmp" serve --data-dir "$WORK/data" \
    --listen "127.0.0.1:$port") >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 300); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break
    sleep 0.1
done
curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" || die "the server did not start: $(tail -5 "$WORK/server.log")"

log "measuring the home page"
node "$BENCH_DIR/page_weight.mjs" "http://127.0.0.1:$port" "$COMMAND_LINE" \
    "$("$CHROMIUM" --version 2>/dev/null | head -1)" >"$WORK/section.md"

python3 - "$RESULTS" "$WORK/section.md" <<'PY'
import re, sys
results, section = sys.argv[1], open(sys.argv[2]).read().strip() + "\n"
try:
    text = open(results).read()
except FileNotFoundError:
    text = "# Benchmark results\n"
pattern = re.compile(r"<!-- page-weight:start -->.*?<!-- page-weight:end -->\n?", re.S)
if pattern.search(text):
    text = pattern.sub(lambda _: section, text)
else:
    text = text.rstrip("\n") + "\n\n" + section
open(results, "w").write(text)
PY
log "wrote the home page weight to $RESULTS"
grep -E '^- The page' -A1 "$RESULTS" >&2
