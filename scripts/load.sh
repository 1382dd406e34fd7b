#!/usr/bin/env bash
# Load benchmark for SPEC §8: throughput of the keyed API against GET /healthz of the same
# process in the same run, on SQLite, on PostgreSQL, and on two instances sharing one
# PostgreSQL database (plus how fast a revocation on one is refused by the other).
#
#   bash scripts/load.sh [sqlite|postgres|cluster|all]      (default: all)
#   bash scripts/load.sh logcost   the request log's cost (SPEC §10: < 5 % of whoami's
#                                  rps): two SQLite processes, PAYDESK_REQUEST_LOG=on and
#                                  off, measured in turns, each whoami/healthz ratio
#                                  from its own process
#
# Environment (all optional):
#   LOAD_SECONDS=10   length of one wrk run          LOAD_RUNS=3     runs per route
#   LOAD_WARMUP=2     seconds of unmeasured load per route before the runs
#   LOAD_CONNECTIONS=32   wrk connections (one wrk thread)
#   LOAD_KEYS=64      API keys the requests rotate through
#   LOAD_RUST_LOG=warn    RUST_LOG of the servers (info turns the request log on)
#   LOAD_PROBES=30    revocation samples (cluster)
#   LOAD_KEEP=1       keep the work directory (server logs, wrk outputs) afterwards
#   LOAD_PG_TCP=1     reach PostgreSQL over TCP (default: its Unix socket, when present)
#
# Loopback only. Uses the shared PostgreSQL (127.0.0.1:5432, user postgres) and Redis
# (127.0.0.1:6379) but never stops them: it creates its own database and drops it at exit.
# Every process it starts is stopped at exit, by process id.
#
# Exit status: 0 when every configuration ran and no request failed; 1 when some
# response was non-2xx or a socket error happened (the figures are then not valid), or a
# revocation sample failed; another non-zero status when it could not run at all (the
# reason is printed). A ratio below its target is reported, not an error: it
# depends on the machine.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS="$ROOT/scripts"
BIN="$ROOT/target/release/paydesk"
HELPER=(python3 "$SCRIPTS/load_helper.py")

LOAD_SECONDS=${LOAD_SECONDS:-10}
LOAD_RUNS=${LOAD_RUNS:-3}
LOAD_WARMUP=${LOAD_WARMUP:-2}
LOAD_CONNECTIONS=${LOAD_CONNECTIONS:-32}
LOAD_KEYS=${LOAD_KEYS:-64}
LOAD_RUST_LOG=${LOAD_RUST_LOG:-warn}
LOAD_PROBES=${LOAD_PROBES:-30}

PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres
REDIS_URL=redis://127.0.0.1:6379/0

EMAIL=ops@acme.test
PASSWORD='a long passphrase here'

WORK=$(mktemp -d /tmp/paydesk-load.XXXXXX)
SUMMARY="$WORK/summary.jsonl"
PIDS=()        # servers started by this script (stopped at exit)
DATABASES=()   # PostgreSQL databases created by this script (dropped at exit)
FAILED=0       # set when a run had non-2xx answers or a probe failed
REPORTED=0     # set when the script ends on purpose with status 1 (already explained)

log() { printf '%s\n' "$*" >&2; }

# --------------------------------------------------------------------------- clean-up

stop_servers() {
    local pid i
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    # actix stops gracefully on SIGTERM; give it 10 s, then insist.
    for pid in "${PIDS[@]}"; do
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
}

drop_databases() {
    local db
    for db in "${DATABASES[@]}"; do
        # The servers are gone by now; --force still ends any straggling connection to
        # this one database (and only this one).
        dropdb --if-exists --force -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$db" \
            || log "warning: could not drop database $db"
    done
    DATABASES=()
}

cleanup() {
    local rc=$?
    trap - EXIT
    stop_servers
    drop_databases
    if [[ $rc -ne 0 && $REPORTED -eq 0 ]]; then
        # Something broke (not just a failed request count): show what the servers said.
        local f
        for f in "$WORK"/*/server-*.log; do
            [[ -s $f ]] || continue
            log "---- last lines of ${f#"$WORK"/}"
            tail -n 20 "$f" >&2 || true
        done
    fi
    if [[ ${LOAD_KEEP:-0} == 1 ]]; then
        log "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --------------------------------------------------------------------------- set-up

ensure_tools() {
    if ! command -v wrk >/dev/null; then
        log "wrk is missing; installing it with apt-get"
        apt-get update -qq && apt-get install -y -qq wrk >/dev/null
    fi
    command -v python3 >/dev/null || { log "python3 is required"; exit 2; }
}

build() {
    # One optimised build; every configuration runs the same binary.
    log "building (cargo build --release --locked) …"
    (cd "$ROOT" && cargo build --release --locked)
    [[ -x $BIN ]] || { log "no binary at $BIN"; exit 2; }
}

require_postgres() {
    psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc 'select 1' >/dev/null \
        || { log "PostgreSQL does not answer at $PG_HOST:$PG_PORT as $PG_USER"; exit 2; }
}

# A fresh database per configuration, so earlier runs (rows, counters) cannot colour it.
# Sets PG_URL. (Not meant for $(…): the name must reach DATABASES in this shell.)
new_pg_database() {
    local db="paydesk_load_${1}_$$"
    createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$db"
    DATABASES+=("$db")
    # The server is on this machine: reach it through its Unix socket when it has one,
    # as pgbench does by default (the ceiling SPEC §8 compares with). LOAD_PG_TCP=1 goes
    # through TCP on 127.0.0.1 instead (more system time per query on a 2-core box).
    if [[ -z "${LOAD_PG_TCP:-}" && -S "/var/run/postgresql/.s.PGSQL.$PG_PORT" ]]; then
        PG_URL="postgres:///$db?host=/var/run/postgresql&port=$PG_PORT&user=$PG_USER"
    else
        PG_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/$db"
    fi
    log "  PostgreSQL at $PG_URL"
}

# Migrates the database and creates the admin with the CLI, before any server runs.
prepare_database() {
    local url=$1
    PAYDESK_DATABASE_URL="$url" PAYDESK_SECRET="$SECRET" "$BIN" migrate >/dev/null
    printf '%s\n' "$PASSWORD" | PAYDESK_DATABASE_URL="$url" PAYDESK_SECRET="$SECRET" \
        "$BIN" user create --email "$EMAIL" --role admin --merchant Acme --password-stdin >/dev/null
}

# start_server DIR NAME DATABASE_URL [VAR=value …]: starts `paydesk serve` on a free
# loopback port and sets PORT. Extra VAR=value pairs go into its environment.
start_server() {
    local dir=$1 name=$2 url=$3
    shift 3
    PORT=$("${HELPER[@]}" free-port)
    # Metrics are on, as SPEC §8 asks of the figures: every request is recorded.
    local metrics_port
    metrics_port=$("${HELPER[@]}" free-port)
    # Run from the work directory so nothing (./data/…) is written into the repository.
    (
        cd "$dir"
        exec env PAYDESK_DATABASE_URL="$url" PAYDESK_BIND="127.0.0.1:$PORT" \
            PAYDESK_METRICS_BIND="127.0.0.1:$metrics_port" \
            PAYDESK_SECRET="$SECRET" RUST_LOG="$LOAD_RUST_LOG" "$@" "$BIN" serve
    ) >"$dir/server-$name.log" 2>&1 &
    PIDS+=("$!")
    "${HELPER[@]}" wait-ok --url "http://127.0.0.1:$PORT/healthz" --timeout 60 || {
        log "server $name did not come up; its log:"
        cat "$dir/server-$name.log" >&2
        exit 2
    }
    log "  $name: paydesk serve on 127.0.0.1:$PORT (pid ${PIDS[-1]})"
}

# Signs in, makes the keys and the customer, and checks every route once.
make_fixture() {
    local dir=$1 base=$2
    "${HELPER[@]}" fixture --url "$base" --email "$EMAIL" --password "$PASSWORD" \
        --keys "$LOAD_KEYS" --out "$dir"
    CUSTOMER=$(<"$dir/customer_id")
    TOKEN=$(<"$dir/token")
    local key
    key=$(head -n 1 "$dir/keys.txt")
    "${HELPER[@]}" expect-ok --url "$base/api/v1/whoami" --key "$key"
    "${HELPER[@]}" expect-ok --url "$base/api/v1/customers/$CUSTOMER" --key "$key"
}

# --------------------------------------------------------------------------- load

route_path() {
    case $1 in
        healthz) printf '/healthz' ;;
        whoami) printf '/api/v1/whoami' ;;
        customer) printf '/api/v1/customers/%s' "$CUSTOMER" ;;
    esac
}

# run_wrk BASE ROUTE SECONDS KEYS_FILE: one wrk run to stdout. Every route goes through
# the same Lua script (same key rotation), so only the path differs.
run_wrk() {
    local base=$1 route=$2 seconds=$3 keys=$4
    timeout $((seconds + 30)) wrk -t1 -c"$LOAD_CONNECTIONS" -d"${seconds}s" --timeout 5s \
        --latency -s "$SCRIPTS/load_rotate.lua" "$base$(route_path "$route")" -- "$keys"
}

# measure CONFIG BACKEND DIR BASE: warm-up, then LOAD_RUNS rounds of every route,
# interleaved (healthz, whoami, customer, healthz, …) so drift hits all routes alike.
measure() {
    local config=$1 backend=$2 dir=$3 base=$4
    local routes=(healthz whoami customer) route run rps
    if ((LOAD_WARMUP > 0)); then
        for route in "${routes[@]}"; do
            run_wrk "$base" "$route" "$LOAD_WARMUP" "$dir/keys.txt" >/dev/null
        done
    fi
    for ((run = 1; run <= LOAD_RUNS; run++)); do
        for route in "${routes[@]}"; do
            run_wrk "$base" "$route" "$LOAD_SECONDS" "$dir/keys.txt" >"$dir/$route.$run.txt"
            rps=$(awk '/^Requests\/sec:/ {print $2}' "$dir/$route.$run.txt")
            log "  run $run/$LOAD_RUNS  $(printf '%-9s' "$route") ${rps:-?} rps"
        done
    done
    check_alive
    printf '\n== %s: median of %s runs x %s s, wrk -t1 -c%s, %s keys rotating ==\n' \
        "$config" "$LOAD_RUNS" "$LOAD_SECONDS" "$LOAD_CONNECTIONS" "$LOAD_KEYS"
    local rc=0
    "${HELPER[@]}" report --config "$config" --backend "$backend" --dir "$dir" \
        --runs "$LOAD_RUNS" --summary "$SUMMARY" || rc=$?
    case $rc in
        0) ;;
        3) FAILED=1 ;;
        *) exit "$rc" ;;
    esac
    echo
}

# A server that died under load would make every figure after it meaningless.
check_alive() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null || { log "a server (pid $pid) died during the load"; exit 2; }
    done
}

# --------------------------------------------------------------------------- configurations

run_sqlite() {
    log "== sqlite: one process, SQLite file"
    local dir="$WORK/sqlite"
    mkdir -p "$dir"
    local url="sqlite://$dir/paydesk.db"
    prepare_database "$url"
    start_server "$dir" a "$url"
    make_fixture "$dir" "http://127.0.0.1:$PORT"
    measure sqlite sqlite "$dir" "http://127.0.0.1:$PORT"
    stop_servers
}

run_postgres() {
    log "== postgres: one process, PostgreSQL"
    require_postgres
    local dir="$WORK/postgres"
    mkdir -p "$dir"
    new_pg_database postgres
    local url=$PG_URL
    prepare_database "$url"
    start_server "$dir" a "$url"
    make_fixture "$dir" "http://127.0.0.1:$PORT"
    measure postgres postgres "$dir" "http://127.0.0.1:$PORT"
    stop_servers
    drop_databases
}

run_cluster() {
    log "== cluster: two processes, one PostgreSQL database, shared rate limits in Redis"
    require_postgres
    if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
        # Not fatal: the product must then fall back to per-instance limits (SPEC §8).
        log "WARNING: Redis does not answer at 127.0.0.1:6379; the instances should fall back"
    fi
    local dir="$WORK/cluster"
    mkdir -p "$dir"
    new_pg_database cluster
    local url=$PG_URL
    prepare_database "$url"
    start_server "$dir" a "$url" PAYDESK_REDIS_URL="$REDIS_URL"
    local a="http://127.0.0.1:$PORT"
    start_server "$dir" b "$url" PAYDESK_REDIS_URL="$REDIS_URL"
    local b="http://127.0.0.1:$PORT"
    log "  readyz A: $(curl -s "$a/readyz")"
    log "  readyz B: $(curl -s "$b/readyz")"
    make_fixture "$dir" "$a"
    # The keys were made on A; B must accept them too before anything is measured.
    "${HELPER[@]}" expect-ok --url "$b/api/v1/whoami" --key "$(head -n 1 "$dir/keys.txt")"

    # Throughput against A only: B idles, so the ratios compare with one process.
    measure cluster postgres "$dir" "$a"

    echo "== cluster: revocation on A, refused on B ($LOAD_PROBES samples)"
    "${HELPER[@]}" wait-ok --url "$b/healthz" --timeout 5
    python3 "$SCRIPTS/revocation_probe.py" --a "$a" --b "$b" --token "$TOKEN" \
        --n "$LOAD_PROBES" --json-out "$SUMMARY" --config cluster || FAILED=1
    check_alive
    echo
    stop_servers
    drop_databases
}

# The request log's cost: two processes up side by side, PAYDESK_REQUEST_LOG=on and off
# (a fresh SQLite database each), measured in turns (on, off, on, off, …, with a pause
# for the last flush between turns) so the machine's drift hits both alike; each is
# measured against its own /healthz, and the cost is
# 1 - (whoami ratio with the log) / (whoami ratio without it).
run_logcost() {
    local state dir url run route rps
    local -A base customer
    for state in on off; do
        log "== log-$state: SQLite, PAYDESK_REQUEST_LOG=$state"
        dir="$WORK/log-$state"
        mkdir -p "$dir"
        url="sqlite://$dir/paydesk.db"
        prepare_database "$url"
        start_server "$dir" "$state" "$url" PAYDESK_REQUEST_LOG="$state"
        base[$state]="http://127.0.0.1:$PORT"
        make_fixture "$dir" "${base[$state]}"
        customer[$state]=$CUSTOMER
    done
    for state in on off; do
        CUSTOMER=${customer[$state]}
        for route in healthz whoami customer; do
            ((LOAD_WARMUP > 0)) && run_wrk "${base[$state]}" "$route" "$LOAD_WARMUP" "$WORK/log-$state/keys.txt" >/dev/null
        done
    done
    for ((run = 1; run <= LOAD_RUNS; run++)); do
        for state in on off; do
            CUSTOMER=${customer[$state]}
            dir="$WORK/log-$state"
            sleep 1.5 # the other process's last flush
            for route in healthz whoami customer; do
                run_wrk "${base[$state]}" "$route" "$LOAD_SECONDS" "$dir/keys.txt" >"$dir/$route.$run.txt"
                rps=$(awk '/^Requests\/sec:/ {print $2}' "$dir/$route.$run.txt")
                log "  run $run/$LOAD_RUNS  log-$(printf '%-4s' "$state") $(printf '%-9s' "$route") ${rps:-?} rps"
            done
        done
    done
    check_alive
    local rc
    for state in on off; do
        printf '\n== log-%s: median of %s runs x %s s, wrk -t1 -c%s, %s keys rotating ==\n' \
            "$state" "$LOAD_RUNS" "$LOAD_SECONDS" "$LOAD_CONNECTIONS" "$LOAD_KEYS"
        rc=0
        "${HELPER[@]}" report --config "log-$state" --backend sqlite --dir "$WORK/log-$state" \
            --runs "$LOAD_RUNS" --summary "$SUMMARY" || rc=$?
        case $rc in
            0) ;;
            3) FAILED=1 ;;
            *) exit "$rc" ;;
        esac
    done
    stop_servers
    python3 - "$SUMMARY" <<'PY'
import json, sys
ratio = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("kind") == "load" and e["config"] in ("log-on", "log-off"):
        ratio[e["config"]] = {r["route"]: r["ratio"] for r in e["rows"]}
if len(ratio) == 2:
    for route in ("whoami", "customer"):
        on, off = ratio["log-on"][route], ratio["log-off"][route]
        cost = 1 - on / off
        print(f"request log cost, {route}: {on:.3f}x /healthz with the log, {off:.3f}x without: "
              f"{cost * 100:+.1f} % ({'ok' if cost < 0.05 else 'OVER'} < 5 %)")
PY
    echo
}

# --------------------------------------------------------------------------- main

main() {
    local which=${1:-all}
    local configs
    case $which in
        sqlite | postgres | cluster | logcost) configs=("$which") ;;
        all) configs=(sqlite postgres cluster) ;;
        -h | --help)
            sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            log "usage: bash scripts/load.sh [sqlite|postgres|cluster|all|logcost]"
            exit 2
            ;;
    esac

    ensure_tools
    build
    # One random secret per run (>= 64 characters), the same for every instance.
    SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(48))')

    local c
    for c in "${configs[@]}"; do
        "run_$c"
    done

    echo "== summary (ratios: median rps / median /healthz rps of the same process)"
    "${HELPER[@]}" summary --summary "$SUMMARY"
    if ((FAILED)); then
        echo "WARNING: some requests failed or a revocation sample failed; see above."
        REPORTED=1
        exit 1
    fi
}

main "$@"
