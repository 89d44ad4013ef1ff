#!/usr/bin/env bash
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Odoo's own tests, with participant_sms installed: the addon is a guest in databases that other
# apps use, so the tests of the Odoo modules it touches must stay green beside it.
#
# On a fresh database (demo data, as Odoo's tests expect), installs participant_sms together with
# the modules below and runs their tests (at_install and post_install, tours included). Fails on
# any failure or error; prints how many tests ran and failed, and a closing line
# "odoo-own: N passed, M failed".
#   PARTICIPANT_SMS_OWN_MODULES="calendar sms"  to run fewer modules
set -uo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

modules="${PARTICIPANT_SMS_OWN_MODULES:-calendar calendar_sms sms phone_validation test_mail_sms}"
ensure_odoo || { log "no Odoo 18 here: Odoo's own tests cannot run"; exit 1; }
ensure_postgres || exit 1
ensure_chromium
prepare_addons_dir

db="participant_sms_odoo_own_$$"
log_file="$(mktemp)"
drop_db "$db"
tags="$(printf '/%s,' $modules)"
install="participant_sms,$(tr ' ' ',' <<<"$modules")"
log "Odoo's own tests of: $modules (with participant_sms installed)"
started=$SECONDS
"$PYTHON" -m odoo --addons-path="$ADDONS_DIR" -d "$db" --db-filter="^${db}\$" \
    -i "$install" --test-enable --test-tags="${tags%,}" --stop-after-init \
    --http-port="${PARTICIPANT_SMS_OWN_PORT:-8179}" --log-level=test >"$log_file" 2>&1
rc=$?

# Odoo prints "N failed, M error(s) of T tests when loading database" once per run
report="$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log_file" | tail -n 1)"
grep -E '^(FAIL|ERROR):|^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log_file" | head -n 80
status=0
if [ -z "$report" ]; then
    log "Odoo did not report its tests (exit $rc): last lines of the log follow"
    tail -n 60 "$log_file"
    echo "odoo-own: 0 passed, 1 failed"
    status=1
else
    read -r failed _ errors _ _ total _ <<<"$report"
    bad=$((failed + errors))
    [ "$bad" = 0 ] && [ "$rc" = 0 ] && [ "$total" != 0 ] || status=1
    log "Odoo's own tests: $total ran, $failed failed, $errors errors ($((SECONDS - started)) s)"
    echo "odoo-own: $((total - bad)) passed, $bad failed"
fi
if [ "${PARTICIPANT_SMS_KEEP_DB:-0}" = 1 ]; then log "kept database $db and log $log_file";
else drop_db "$db"; rm -f "$log_file"; fi
exit $status
