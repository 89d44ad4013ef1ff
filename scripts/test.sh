#!/usr/bin/env bash
# Run every test of participant_sms:
#   1. the framework-free core (tools/) with plain pytest, on any machine;
#   2. with Odoo 18 (the one $PYTHON imports, else the checkout's virtualenv, else one set up by
#      scripts/bootstrap.sh): an install without demo data that must log no ERROR/WARNING
#      from this addon, and its uninstall (no ERROR/WARNING at all, nothing of the module left
#      in the database), then the Odoo tests (TransactionCase/HttpCase) on a fresh database with
#      demo data, against a real PostgreSQL (started, or installed with apt-get, if needed).
# Prints how many tests of each layer passed, and a last line "total: N passed, M failed".
set -uo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

status=0
tools_passed=0; tools_failed=0; odoo_passed=0; odoo_failed=0

# ---- Odoo: importable, the checkout's virtualenv, or set up there ------------------------
# Our problems: ERROR/WARNING/CRITICAL lines logged by this addon's loggers, or by Odoo about
# this addon's models and files (never matched on the database name, which holds the
# module's name too). During the tests, odoo.http only serves the requests our tests make.
ours() {
    grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|WARNING|CRITICAL) ' "$1" \
        | grep -E ' odoo\.addons\.participant_sms[.:]| odoo\.http: | odoo\.[a-z_.]+: .*(participant[._]sms|participant\.(step|orientation|list|appointment|reply))' \
        || true
}
odoo_tested=no
tours_ran=0; tours_skipped=0
# Odoo first: when it has to be set up, its virtualenv also runs the tools layer
have_odoo=no
if ensure_odoo; then have_odoo=yes; fi
ensure_requirements || log "this addon's Python requirements are incomplete: tests will fail"

# ---- 1. tools layer (plain pytest, no Odoo needed) ---------------------------------------
tools_log="$(mktemp)"
"$PYTHON" -m pytest -q -p no:cacheprovider tools/tests 2>&1 | tee "$tools_log"
summary="$(grep -E '[0-9]+ (passed|failed)' "$tools_log" | tail -n 1)"
tools_passed=$(grep -oE '[0-9]+ passed' <<<"$summary" | grep -oE '[0-9]+' || echo 0)
tools_failed=$(( $(grep -oE '[0-9]+ failed' <<<"$summary" | grep -oE '[0-9]+' || echo 0) + \
                 $(grep -oE '[0-9]+ errors?' <<<"$summary" | grep -oE '[0-9]+' || echo 0) ))
if [ "${tools_passed:-0}" = 0 ] || [ "$tools_failed" != 0 ]; then status=1; fi
rm -f "$tools_log"


# ---- 2. Odoo layer --------------------------------------------------------------------------
if [ "$have_odoo" = yes ]; then
    ensure_postgres || { log "PostgreSQL unavailable: cannot run the Odoo tests"; exit 1; }
    ensure_chromium
    ensure_wkhtmltopdf
    prepare_addons_dir
    run_id="$$"
    # 2a. install without demo data: no ERROR or WARNING from this addon
    db_nodemo="participant_sms_nodemo_$run_id"
    install_log="$(mktemp)"
    drop_db "$db_nodemo"
    "$PYTHON" -m odoo --addons-path="$ADDONS_DIR" -d "$db_nodemo" --db-filter="^${db_nodemo}\$" \
        -i participant_sms --without-demo=all --stop-after-init --no-http \
        --log-level=info >"$install_log" 2>&1
    rc=$?
    bad="$(ours "$install_log")"
    if [ $rc != 0 ] || [ -n "$bad" ]; then
        log "install without demo data FAILED (exit $rc):"; echo "$bad" | head -n 40
        tail -n 40 "$install_log"; status=1; odoo_failed=$((odoo_failed + 1))
    else
        log "install without demo data: clean (no ERROR/WARNING from participant_sms)"
        odoo_passed=$((odoo_passed + 1))
        # then uninstall it: no ERROR/WARNING either, and the module ends uninstalled
        echo "env['ir.module.module'].search([('name', '=', 'participant_sms')]).button_immediate_uninstall(); env.cr.commit()" \
            | "$PYTHON" -m odoo shell --addons-path="$ADDONS_DIR" -d "$db_nodemo" --no-http \
                --log-level=info >"$install_log" 2>&1
        state="$(psql -d "$db_nodemo" -tAc "select state from ir_module_module where name = 'participant_sms'")"
        bad="$(ours "$install_log")"
        # nothing of the module left: no table, index, sequence, function or trigger, no
        # column added to Odoo's tables (psms_*, sms_reminder*)
        left="$(psql -d "$db_nodemo" -tAc "
            select 'relation ' || relname from pg_class where relname like 'participant%'
            union all select 'function ' || proname from pg_proc where proname like 'participant%'
            union all select 'trigger ' || tgname from pg_trigger where tgname like 'participant%'
            union all select 'column ' || table_name || '.' || column_name
              from information_schema.columns
             where table_schema = 'public'
               and (column_name like 'psms%' or column_name like 'sms\_reminder%')")"
        if [ "$state" != uninstalled ] || [ -n "$bad" ] || [ -n "$left" ]; then
            log "uninstall FAILED (state: $state):"; echo "$bad" | head -n 40
            [ -z "$left" ] || { log "left in the database after the uninstall:"; echo "$left"; }
            status=1; odoo_failed=$((odoo_failed + 1))
        else
            log "uninstall: clean"; odoo_passed=$((odoo_passed + 1))
        fi
    fi
    drop_db "$db_nodemo"; rm -f "$install_log"

    # 2b. install with demo data and run the addon's tests
    db="participant_sms_test_$run_id"
    test_log="$(mktemp)"
    drop_db "$db"
    "$PYTHON" -m odoo --addons-path="$ADDONS_DIR" -d "$db" --db-filter="^${db}\$" \
        -i participant_sms --test-enable --test-tags=/participant_sms --stop-after-init \
        --http-port="${PARTICIPANT_SMS_TEST_PORT:-8169}" --log-level=info >"$test_log" 2>&1
    rc=$?
    grep -E ' (ERROR|WARNING|CRITICAL) |FAIL:|ERROR:|odoo\.tests\.stats|tests when loading' "$test_log" | head -n 200
    report="$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$test_log" | tail -n 1)"
    bad="$(ours "$test_log")"
    tours_started=$(grep -cE 'Starting Test[A-Za-z]*Ui\.test_[a-z_]*tour' "$test_log" || true)
    tours_skipped=$(grep -cE 'skipped .*test_[a-z_]*tour' "$test_log" || true)
    tours_ran=$((tours_started - tours_skipped))
    if [ "$tours_skipped" != 0 ] || [ "$tours_started" = 0 ]; then
        grep -E 'skipped .*tour|websocket-client|Chrome' "$test_log" | head -n 5
        if [ "${PARTICIPANT_SMS_ALLOW_NO_TOURS:-0}" = 1 ]; then
            log "!!! $tours_skipped tour(s) could not run (no Chromium or websocket-client); allowed by PARTICIPANT_SMS_ALLOW_NO_TOURS=1"
        else
            log "!!! $tours_skipped tour(s) could not run (no Chromium or websocket-client): FAILED (set PARTICIPANT_SMS_ALLOW_NO_TOURS=1 to accept that)"
            status=1; odoo_failed=$((odoo_failed + tours_skipped))
        fi
    fi
    if [ -z "$report" ]; then
        log "the Odoo tests did not report (exit $rc): last lines of the log follow"
        tail -n 60 "$test_log"; status=1; odoo_failed=$((odoo_failed + 1))
    else
        read -r f _ e _ _ n _ <<<"$report"
        odoo_failed=$((odoo_failed + f + e))
        odoo_passed=$((odoo_passed + n - f - e - tours_skipped))
        if [ "$f" != 0 ] || [ "$e" != 0 ] || [ $rc != 0 ] || [ "$n" = 0 ]; then status=1; fi
        if [ -n "$bad" ]; then log "ERROR/WARNING logged by participant_sms during the tests"; status=1; fi
    fi
    odoo_tested=yes
    if [ "${PARTICIPANT_SMS_KEEP_DB:-0}" = 1 ]; then log "kept database $db and log $test_log";
    else drop_db "$db"; rm -f "$test_log"; fi
fi

echo
echo "tools layer (pytest): $tools_passed passed, $tools_failed failed"
if [ "$odoo_tested" = yes ]; then
    echo "Odoo layer (real Odoo 18 + PostgreSQL): $odoo_passed passed, $odoo_failed failed ($tours_ran Chromium tours ran, $tours_skipped could not run)"
else
    echo "!!!!!!!! no Odoo 18 could be imported or set up here: the Odoo layer was NOT tested (only tools/ was) !!!!!!!!"
fi
echo "total: $((tools_passed + odoo_passed)) passed, $((tools_failed + odoo_failed)) failed"
exit $status
