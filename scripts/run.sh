#!/usr/bin/env bash
# Start a working Odoo on http://localhost:8069 with participant_sms and its demo data installed
# on a fresh database (dropped and created again at each start). Requires Odoo 18 importable.
#   PARTICIPANT_SMS_DB   database name   (default: participant_sms_demo)
#   PARTICIPANT_SMS_PORT http port       (default: 8069)
set -euo pipefail
source "$(dirname "$0")/common.sh"
DB="${PARTICIPANT_SMS_DB:-participant_sms_demo}"
PORT="${PARTICIPANT_SMS_PORT:-8069}"

ensure_odoo || { log "no Odoo 18 could be set up: see the messages above."; exit 1; }
ensure_requirements || { log "this addon's Python requirements are missing: see above."; exit 1; }
ensure_postgres
ensure_wkhtmltopdf
prepare_addons_dir
drop_db "$DB"
log "installing participant_sms with demo data in database '$DB', then serving on http://localhost:$PORT (login admin / admin)"
# -d alone (no --db-filter) serves only that database without listing PostgreSQL's databases
# at each request: a --db-filter costs a connection to 'postgres' per request (a quarter of
# the replies' webhook throughput, bench/bench_replies.py)
exec "$PYTHON" -m odoo --addons-path="$ADDONS_DIR" -d "$DB" \
    -i participant_sms --http-port="$PORT" --http-interface=127.0.0.1 "$@"
