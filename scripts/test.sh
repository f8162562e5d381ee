#!/usr/bin/env bash
# Runs every test of Hello KMP, installing first what the tests need on a fresh Debian machine:
# Chromium and a Bengali font for the browser tests, the PostgreSQL client, the tools that make
# and read the attachment tests' files (exiftool, heif-enc, opusenc, pdfinfo), and the npm
# packages.
# Needs root (or sudo) only when something must be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

# The build cache lives outside the clone, so a fresh clone does not rebuild every dependency.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hello-kmp/target}"
export KMP_TEST_PG="${KMP_TEST_PG:-postgres://postgres@127.0.0.1:5432/test}"
# The geographic test data (census boundaries of Khulna) stays outside the repository; the
# jurisdiction tests read it from here.
if [ -z "${KMP_GEO_DIR:-}" ]; then
  for dir in "$(pwd)/../shared/data/geo" /work/shared/data/geo; do
    if [ -d "$dir" ]; then export KMP_GEO_DIR="$dir"; break; fi
  done
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

step() { printf '\n== %s\n' "$*"; }

step "system packages"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
# The attachment tests write GPS, camera and XMP metadata into their photos with exiftool.
command -v exiftool >/dev/null 2>&1 || missing+=(libimage-exiftool-perl)
# HEIC photos, Opus voice notes and PDFs are made and read back by the tools that make them.
command -v heif-enc >/dev/null 2>&1 || missing+=(libheif-examples)
command -v opusenc >/dev/null 2>&1 || missing+=(opus-tools)
command -v pdfinfo >/dev/null 2>&1 || missing+=(poppler-utils)
command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans Bengali" || missing+=(fonts-noto-core)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "chromium, psql, the file tools and a Bengali font are present"
fi

step "PostgreSQL at 127.0.0.1:5432"
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  # A development machine whose cluster is installed but stopped.
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
fi
pg_isready -h 127.0.0.1 -p 5432

step "s3s-fs, the S3-compatible server the attachment tests store photos in"
S3FS="$HOME/.cache/hello-kmp/tools/bin/s3s-fs"
if [ ! -x "$S3FS" ]; then
  # Built once (about five minutes on two cores) and kept beside the build cache. 0.14.1 is the
  # newest that builds with rustc 1.95.
  cargo install --locked --quiet s3s-fs@0.14.1 --features binary --root "$HOME/.cache/hello-kmp/tools"
fi
export KMP_TEST_S3FS="$S3FS"
echo "$S3FS"

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "unit and integration tests (SQLite and PostgreSQL)"
cargo test --workspace --locked

step "browser tests (headless Chromium)"
cargo build -p hello-kmp --locked
(
  cd tests/browser
  npm ci --no-audit --no-fund --loglevel=error
  node --test
)
