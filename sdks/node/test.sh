#!/usr/bin/env bash
# The Node library's suite, as CI runs it: Node ≥ 18 and npm (Debian's, only if missing),
# `npm ci` (TypeScript from the npm registry; `prepare` builds dist/), the README's
# install line tried in a scratch project, then `node --test` against a real
# `paydesk serve` that each test file starts on a fresh SQLite database.
#
#   bash sdks/node/test.sh                      # PAYDESK_BIN=… to use a built server
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
root=$(cd ../.. && pwd)

node_ok() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ]
}
if ! node_ok; then
  echo "sdk-node: installing nodejs and npm (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nodejs npm >/dev/null
  node_ok || { echo "sdk-node: Node >= 18 is required, found $(node --version 2>/dev/null || echo none)" >&2; exit 1; }
fi

echo "sdk-node: npm ci (builds dist/ through prepare)"
npm ci --no-audit --no-fund --loglevel=error

# Built once here rather than by each test file at the same time.
if [ -z "${PAYDESK_BIN:-}" ]; then
  if [ ! -x "$root/target/release/paydesk" ]; then
    echo "sdk-node: cargo build --release"
    (cd "$root" && cargo build --release --locked --quiet)
  fi
  export PAYDESK_BIN="$root/target/release/paydesk"
fi

echo "sdk-node: npm install ./sdks/node into a scratch project"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(
  cd "$scratch"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --loglevel=error "$here" 2>&1 | grep -v 'install-scripts' || true
  node -e 'const p = require("paydesk"); if (typeof p.Paydesk !== "function") process.exit(1)'
  echo 'import { Paydesk, Webhook } from "paydesk"; if (typeof Paydesk !== "function" || typeof Webhook.constructEvent !== "function") process.exit(1);' >check.mjs
  node check.mjs
)

echo "sdk-node: node --test (server: $PAYDESK_BIN)"
npm test
