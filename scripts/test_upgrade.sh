#!/usr/bin/env bash
# Upgrade test of participant_sms: for each earlier version, install the addon as it was (with
# demo data) on a fresh database, make data in every state through that version's models
# (tests/upgrade/make_data.py), upgrade to this checkout with `-u participant_sms` (no ERROR or
# WARNING may be logged) and check that every promise holds (tests/upgrade/check_upgrade.py:
# counts, crons, purposes, reminders sent and following their record, replies seen, the old
# callback addresses over real HTTP).
#
# Bases: the last commit of each earlier manifest version (from the history of
# __manifest__.py), plus the extra commits below. UPGRADE_BASES="<commit> ..." runs only those.
# The HTTP checks use UPGRADE_HTTP_PORT (default 8274) on 127.0.0.1.
# Prints one summary line per base and exits non-zero on any failure.
set -uo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

# Extra bases, each kept for a reason:
# - 32d39b0: the first commit whose SMS engine is installable with its crons on participant.sms
#   (dispatch, status updates, expiry) as updatable data and no reminders yet;
# - 8104d59: the last commit before the engine split (891558c): reminders and follow-ups
#   without a purpose, crons calling participant.sms, replies without `seen`.
EXTRA_BASES="32d39b0 8104d59"
PORT="${UPGRADE_HTTP_PORT:-8274}"

ensure_odoo || { log "no Odoo 18 here: the upgrade test cannot run"; exit 1; }
ensure_requirements || log "this addon's Python requirements are incomplete"
ensure_postgres || { log "PostgreSQL unavailable: the upgrade test cannot run"; exit 1; }

manifest_version() {  # version of the manifest at a commit ("WORKTREE": the checkout)
    if [ "$1" = WORKTREE ]; then cat __manifest__.py; else git show "$1:__manifest__.py"; fi \
        | grep -oE '"version": *"[^"]+"' | grep -oE '[0-9][0-9.]+[0-9]'
}

# the last commit of each earlier version: newest first, the first commit seen of each version
current="$(manifest_version WORKTREE)"
declare -A last_of=()
bases=()
for commit in $(git rev-list --first-parent HEAD); do
    version="$(manifest_version "$commit")" || continue
    [ "$version" = "$current" ] && continue
    if [ -z "${last_of[$version]:-}" ]; then
        last_of[$version]="$commit"
        bases+=("$(git rev-parse --short "$commit")")
    fi
done
bases+=($EXTRA_BASES)
[ -n "${UPGRADE_BASES:-}" ] && bases=($UPGRADE_BASES)

TMP="$(mktemp -d)"
server_pid=""
worktrees=()
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    for worktree in "${worktrees[@]}"; do git worktree remove --force "$worktree" >/dev/null 2>&1; done
    git worktree prune >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT

# Problems in a log: any ERROR, WARNING or CRITICAL line, whoever logs it.
problems() { grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|WARNING|CRITICAL) ' "$1" || true; }

table_counts() {  # "table count" of every table of the addon's models
    psql -d "$1" -tA -F ' ' -c "SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
          AND table_name LIKE 'participant\_%'" | while read -r table; do
        echo "$table $(psql -d "$1" -tAc "SELECT count(*) FROM \"$table\"")"
    done
}

odoo_shell() {  # odoo_shell <addons> <db> <script>
    "$PYTHON" -m odoo shell --addons-path="$1" -d "$2" --no-http --log-level=warn <"$3"
}

status=0
summary=()
total_passed=0; bases_failed=0
for base in "${bases[@]}"; do
    commit="$(git rev-parse --short "$base")"
    version="$(manifest_version "$commit")"
    label="upgrade from $version ($commit)"
    work="$TMP/$commit"; addons="$TMP/addons_$commit"; db="psms_upgrade_${commit}_$$"
    state="$TMP/state_$commit.json"; logs="$TMP/logs_$commit"
    mkdir -p "$addons" "$logs"
    fail() {
        log "$label: FAILED: $1"; [ -n "${2:-}" ] && tail -n 40 "$2"
        summary+=("$label: FAILED ($1)"); status=1; bases_failed=$((bases_failed + 1))
        drop_db "$db"
    }
    log "$label: install"
    git worktree add --detach "$work" "$commit" >/dev/null 2>&1 || { fail "no worktree"; continue; }
    worktrees+=("$work")
    ln -sfn "$work" "$addons/participant_sms"
    drop_db "$db"
    # 1-2. the addon as it was, with demo data, on a fresh database
    "$PYTHON" -m odoo --addons-path="$addons" -d "$db" -i participant_sms --stop-after-init \
        --no-http --log-level=warn >"$logs/install.log" 2>&1 \
        || { fail "install" "$logs/install.log"; continue; }
    # 3. data in every state that version knows
    UPGRADE_STATE="$state" odoo_shell "$addons" "$db" tests/upgrade/make_data.py \
        >"$logs/data.log" 2>&1 || { fail "data" "$logs/data.log"; continue; }
    grep -E '^upgrade data made' "$logs/data.log" >&2
    # 4. counts before the upgrade, into the state file
    table_counts "$db" >"$logs/counts.txt"
    "$PYTHON" - "$state" "$logs/counts.txt" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
state["counts"] = {line.split()[0]: int(line.split()[1]) for line in open(sys.argv[2]) if line.strip()}
json.dump(state, open(sys.argv[1], "w"))
PY
    # 5. the upgrade to this checkout: no ERROR or WARNING at all
    log "$label: upgrade"
    ln -sfn "$ROOT" "$addons/participant_sms"
    "$PYTHON" -m odoo --addons-path="$addons" -d "$db" -u participant_sms --stop-after-init \
        --no-http --log-level=info >"$logs/upgrade.log" 2>&1
    rc=$?
    bad="$(problems "$logs/upgrade.log")"
    if [ $rc != 0 ] || [ -n "$bad" ]; then
        echo "$bad" | head -n 40 >&2; fail "upgrade (exit $rc)" "$logs/upgrade.log"; continue
    fi
    grep -E 'participant_sms 18\.|Running migration' "$logs/upgrade.log" | sed -E 's/^[0-9-]+ [0-9:,]+ [0-9]+ //' >&2
    # 6. the checks, with the upgraded database served on $PORT for the callback addresses
    "$PYTHON" -m odoo --addons-path="$addons" -d "$db" --db-filter="^${db}\$" \
        --http-port="$PORT" --http-interface=127.0.0.1 --max-cron-threads=0 \
        --log-level=warn >"$logs/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 90); do
        curl -sf -o /dev/null "http://127.0.0.1:$PORT/web/health" && break; sleep 1
    done
    UPGRADE_STATE="$state" UPGRADE_HTTP="http://127.0.0.1:$PORT" \
        odoo_shell "$addons" "$db" tests/upgrade/check_upgrade.py >"$logs/check.log" 2>&1
    rc=$?
    kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""
    grep -E '^ok - ' "$logs/check.log" >&2
    passed="$(grep -c '^ok - ' "$logs/check.log")"
    if [ $rc != 0 ] || ! grep -q '^CHECKS PASSED' "$logs/check.log"; then
        fail "checks ($passed passed before the failure)" "$logs/check.log"; continue
    fi
    # 7. summary
    summary+=("$label: $passed checks passed")
    total_passed=$((total_passed + passed))
    log "$label: $passed checks passed"
    drop_db "$db"
done
printf '%s\n' "${summary[@]}"
# one line for .ci/run: the checks that passed, and each base that failed counted once
echo "upgrade: $total_passed passed, $bases_failed failed"
exit $status
