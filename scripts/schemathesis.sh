#!/usr/bin/env bash
# Fuzzes the API from its own OpenAPI document with schemathesis (`--checks all`), against
# a release build on a fresh SQLite database, with a full-access secret key and an Admin's
# user token. Exits non-zero on any failure.
#
#   bash scripts/schemathesis.sh            # builds target/release/paydesk first
#   ST_MAX_EXAMPLES=50 bash scripts/schemathesis.sh
#
# The run's configuration is scripts/schemathesis.toml with scripts/schemathesis_hooks.py:
# no blanket status for any operation, the narrow exceptions named field by field, no
# generated `Paydesk-Signature`, and use_after_free off for key DELETE alone (it revokes;
# the key stays readable). Before the run, scripts/schemathesis_fixtures.py makes real
# objects whose ids fill half the generated `{id}`s and references. After it, every
# create operation (the document's 201 answers) must have had a 2xx: one line each, and
# the script fails naming any that did not. ST_REPORT_DIR (default target/schemathesis) keeps schemathesis's reports.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

ST_VERSION=4.32.5
if ! st --version 2>/dev/null | grep -q "$ST_VERSION"; then
  echo "schemathesis: installing schemathesis==$ST_VERSION"
  python3 -m pip install -q "schemathesis==$ST_VERSION"
fi

if [ -z "${PAYDESK_BIN:-}" ]; then
  cargo build --release --locked --quiet
  PAYDESK_BIN="$root/target/release/paydesk"
fi

work=$(mktemp -d)
report="${ST_REPORT_DIR:-$root/target/schemathesis}"
rm -rf "$report" && mkdir -p "$report"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export PAYDESK_DATABASE_URL="sqlite://$work/paydesk.db"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

cd "$work"
# Webhooks may reach loopback, so a generated endpoint on 127.0.0.1 (schemathesis.toml's
# dictionary) is accepted; nothing listens on its port, and no delivery leaves the machine.
PAYDESK_WEBHOOK_ALLOW_PRIVATE=true PAYDESK_BIND="127.0.0.1:$port" "$PAYDESK_BIN" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

password="schemathesis-password-1"
# Two merchants: the API key is one merchant's, the user token another's, so nothing the
# run does with the token (suspend, revoke, roll, edit keys) can reach the key it uses.
printf '%s\n' "$password" | "$PAYDESK_BIN" user create --email keys@schemathesis.test \
  --role admin --merchant "Schemathesis keys" --password-stdin >/dev/null
printf '%s\n' "$password" | "$PAYDESK_BIN" user create --email api@schemathesis.test \
  --role admin --merchant "Schemathesis API" --password-stdin >/dev/null

login() {
  curl -fsS "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$password\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["token"])'
}
export PAYDESK_USER_TOKEN=$(login keys@schemathesis.test)
api_token=$(login api@schemathesis.test)
export PAYDESK_API_KEY=$(curl -fsS "$base/api/v1/api-keys" -H "Authorization: Bearer $api_token" \
  -d '{"name":"schemathesis","permissions":"*","rate_limit":100000}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["secret_key"])')
export PAYDESK_PUBLISHABLE_KEY=$(curl -fsS "$base/api/v1/api-keys" -H "Authorization: Bearer $api_token" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["data"][0]["publishable_key"])')

# The objects the run's requests name half the time (schemathesis.toml's dictionaries).
python3 "$root/scripts/schemathesis_fixtures.py" "$base/api/v1" "$root/target/schemathesis-fixtures"
export ST_HOOKS="$root/scripts/schemathesis_hooks.py"
curl -fsS "$base/api/v1/openapi.json" >"$report/openapi.json"

# One worker: with two, hypothesis parses lambdas' source from two threads at once, and
# CPython 3.11's `ast` is not safe for that ("AST constructor recursion depth mismatch").
started=$(date +%s)
set +e
st --config-file "$root/scripts/schemathesis.toml" run "$base/api/v1/openapi.json" \
  --checks all \
  --report junit,har,ndjson --report-dir "$report" --report-har-path "$report/run.har" \
  --report-junit-path "$report/junit.xml" --report-ndjson-path "$report/run.ndjson" \
  --max-examples "${ST_MAX_EXAMPLES:-25}" \
  --workers 1 \
  --seed "${ST_SEED:-1}" \
  ${ST_EXTRA:-}
status=$?
set -e
echo "schemathesis: run took $(($(date +%s) - started)) s"
python3 "$root/scripts/schemathesis_creates.py" "$report/openapi.json" "$report/run.har" || status=1
if grep -q "panicked" "$work/server.log"; then
  echo "schemathesis: the server panicked:" >&2
  grep -A3 "panicked" "$work/server.log" >&2
  status=1
fi
exit $status
