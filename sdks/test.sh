#!/usr/bin/env bash
# The three client libraries' suites (SPEC §16), each against a real `paydesk serve` that
# the suite starts on a fresh SQLite database. Each library's own test.sh installs what it
# needs when it is missing. The server binary: $PAYDESK_BIN, else target/release/paydesk
# (built here when missing). Runs every suite, then fails if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PAYDESK_BIN:-}" ]; then
  if [ ! -x target/release/paydesk ]; then
    cargo build --release --locked || exit 1
  fi
  PAYDESK_BIN="$PWD/target/release/paydesk"
fi
export PAYDESK_BIN
failed=()
for lang in python node php; do
  [ -x "sdks/$lang/test.sh" ] || [ -f "sdks/$lang/test.sh" ] || continue
  echo "== sdks/$lang"
  bash "sdks/$lang/test.sh" || failed+=("$lang")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "sdks: failed: ${failed[*]}" >&2
  exit 1
fi
echo "sdks: every library's suite passed"
