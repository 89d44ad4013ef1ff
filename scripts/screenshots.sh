#!/usr/bin/env bash
# Take the README's screenshots again: run the role tours (tests/test_role_tours.py: a referent,
# a secretary, a user without an SMS permission and the SMS administrator, in French, in a
# 1440x900 Chromium) on a fresh database with demo data, with PSMS_SCREENSHOTS=1 so that the
# PNGs are written to static/description/ (a normal test run writes them to a temporary folder).
# Review and commit the PNGs that changed. Requires Odoo 18, PostgreSQL and Chromium (as test.sh).
#   PARTICIPANT_SMS_TEST_PORT  http port of the test server (default: 8169)
set -uo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

ensure_odoo || { log "no Odoo 18 could be set up: see the messages above."; exit 1; }
ensure_requirements || { log "this addon's Python requirements are missing: see above."; exit 1; }
ensure_postgres || { log "PostgreSQL unavailable"; exit 1; }
ensure_chromium
command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 \
    || { log "no Chromium: no screenshot can be taken"; exit 1; }
prepare_addons_dir

db="participant_sms_screenshots_$$"
test_log="$(mktemp)"
drop_db "$db"
log "installing participant_sms with demo data in '$db' and running the role tours"
PSMS_SCREENSHOTS=1 "$PYTHON" -m odoo --addons-path="$ADDONS_DIR" -d "$db" --db-filter="^${db}\$" \
    -i participant_sms --test-enable --test-tags=/participant_sms:TestRoleToursUi \
    --stop-after-init --http-port="${PARTICIPANT_SMS_TEST_PORT:-8169}" --log-level=test \
    >"$test_log" 2>&1
rc=$?
grep -E 'screenshot |FAIL|ERROR|Ran [0-9]+ tests|tests when loading' "$test_log" | head -n 60
report="$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$test_log" | tail -n 1)"
drop_db "$db"
if [ $rc != 0 ] || [ -z "$report" ] || [ "${report%% *}" != 0 ] || ! grep -q ' 0 error(s)' <<<"$report"; then
    log "the role tours FAILED (exit $rc, ${report:-no report}): log kept in $test_log"
    exit 1
fi
rm -f "$test_log"
ls -l static/description/screenshot_*.png
log "screenshots written to static/description/: review them (git diff --stat) and commit"
