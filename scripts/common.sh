# Shared helpers of scripts/run.sh and scripts/test.sh (sourced, not run).
# Nothing here names a path of a particular machine: the checkout is found from this file.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"

# What the scripts make lives outside the checkout, in a folder of this checkout under the user's
# cache: the repository root is the addon's directory, and Odoo walks it (following links) to
# export translations, so neither a link back to it nor a virtualenv may sit inside it.
WORK_DIR="${PARTICIPANT_SMS_WORK_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/participant_sms/$(printf %s "$ROOT" | md5sum | cut -c1-10)}"
# Odoo wants the addon folder named after the module: an addons folder with a link
# "participant_sms" pointing at this checkout.
ADDONS_DIR="${PARTICIPANT_SMS_ADDONS_DIR:-$WORK_DIR/addons}"

log() { printf '[participant_sms] %s\n' "$*" >&2; }

prepare_addons_dir() {
    mkdir -p "$ADDONS_DIR"
    ln -sfn "$ROOT" "$ADDONS_DIR/participant_sms"
}

odoo_importable() {
    "$PYTHON" -c "import odoo.release, sys; sys.exit(0 if odoo.release.version_info[0] == 18 else 1)" \
        >/dev/null 2>&1
}

# Make sure a PostgreSQL server answers on the default socket and that the current OS user has a
# role that may create databases. Installs Debian's postgresql with apt-get when it is missing and
# we are root; starts the first cluster when it is down.
ensure_postgres() {
    if pg_isready -q 2>/dev/null; then
        ensure_pg_role
        return 0
    fi
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            log "PostgreSQL is not installed: installing Debian's postgresql"
            apt-get update -qq >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        else
            log "PostgreSQL is not running and cannot be installed here (need root and apt-get)."
            return 1
        fi
    fi
    local version cluster
    read -r version cluster _ < <(pg_lsclusters --no-header 2>/dev/null | head -n 1)
    if [ -z "${version:-}" ]; then
        version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
        cluster=main
        pg_createcluster "$version" "$cluster" >/dev/null
    fi
    log "starting PostgreSQL $version/$cluster"
    pg_ctlcluster "$version" "$cluster" start
    for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
    pg_isready -q || { log "PostgreSQL did not start"; return 1; }
    ensure_pg_role
}

ensure_pg_role() {
    local me
    me="$(id -un)"
    if psql -d postgres -tAc "select 1" >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- createuser --superuser "$me" 2>/dev/null || true
    fi
    psql -d postgres -tAc "select 1" >/dev/null 2>&1 || {
        log "cannot connect to PostgreSQL as '$me': create that role (createuser -s $me)"
        return 1
    }
}

# The tours (HttpCase) drive a headless Chromium; Odoo skips them when none is found.
ensure_chromium() {
    if command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "Chromium is not installed: installing Debian's chromium for the tours"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || true
    fi
    command -v chromium >/dev/null 2>&1 || log "no Chromium: the tours will be skipped"
}

# The certificate of an agreement is a QWeb PDF report: Odoo renders it with wkhtmltopdf.
ensure_wkhtmltopdf() {
    if command -v wkhtmltopdf >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "wkhtmltopdf is not installed: installing Debian's wkhtmltopdf for the PDF reports"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wkhtmltopdf >/dev/null || true
    fi
    command -v wkhtmltopdf >/dev/null 2>&1 || log "no wkhtmltopdf: PDF reports cannot be printed"
}

drop_db() {
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    # Odoo keeps the filestore beside the data dir: remove it with the database.
    "$PYTHON" - "$1" <<'PY' 2>/dev/null || true
import shutil, sys
import odoo.tools.config as c
shutil.rmtree(c.config.filestore(sys.argv[1]), ignore_errors=True)
PY
}

source "$ROOT/scripts/bootstrap.sh"
