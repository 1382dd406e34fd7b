#!/usr/bin/env bash
# Instructions per request (SPEC §15): Paydesk against a bare actix-web floor
# (examples/floor.rs), both counted under valgrind's callgrind in the same run.
#
#   bash scripts/instr.sh            prints the table
#   bash scripts/instr.sh --check    and exits 1 when a row rose > 15 % above
#                                    scripts/instr-baseline.txt (also: INSTR_CHECK=1)
#   bash scripts/instr.sh --write-baseline   writes the figures measured as the baseline
#
# Environment (optional): INSTR_N=150 requests counted per route, INSTR_WARMUP=50;
# INSTR_KEEP=DIR keeps every phase's callgrind dump there (PHASES.txt says which file is
# which), to read one phase's profile: callgrind_annotate --inclusive=yes DIR/cg-….out.N
# INSTR_ONLY=whoami,customer counts only those routes (healthz, whoami, customer, create,
# create_hook, payment), with the floor: a quicker look while working; not with --check.
# Loopback only; a fresh SQLite database in a temporary folder; metrics on, Redis off,
# PAYDESK_WEBHOOK_DELIVERY=off (events are queued, nothing is sent). Every process it
# starts is stopped at exit. See scripts/instr.py for how a phase is counted.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$ROOT/target/release/paydesk"
FLOOR="$ROOT/target/release/examples/floor"

args=()
[[ ${INSTR_CHECK:-0} == 1 ]] && args+=(--check)
[[ -n ${INSTR_KEEP:-} ]] && args+=(--keep "$INSTR_KEEP")
[[ -n ${INSTR_ONLY:-} ]] && args+=(--only "$INSTR_ONLY")
for a in "$@"; do
    case $a in
        --check | --write-baseline) args+=("$a") ;;
        -h | --help) sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: bash scripts/instr.sh [--check] [--write-baseline]" >&2; exit 2 ;;
    esac
done

if ! command -v valgrind >/dev/null || ! command -v callgrind_control >/dev/null; then
    echo "instr: installing valgrind with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq valgrind >/dev/null
fi
command -v python3 >/dev/null || { echo "instr: python3 is required" >&2; exit 2; }

# cargo is a no-op when both are up to date.
echo "instr: cargo build --release --locked --bin paydesk --example floor" >&2
(cd "$ROOT" && cargo build --release --locked --bin paydesk --example floor)

exec python3 "$ROOT/scripts/instr.py" --bin "$BIN" --floor "$FLOOR" \
    --baseline "$ROOT/scripts/instr-baseline.txt" \
    --n "${INSTR_N:-150}" --warmup "${INSTR_WARMUP:-50}" "${args[@]}"
