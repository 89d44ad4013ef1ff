# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Setting up Odoo 18 when none is importable (sourced by common.sh, not run).
#
# A virtualenv of this checkout ($WORK_DIR/venv, under the user's cache and outside the addon's
# directory, which Odoo walks; PARTICIPANT_SMS_VENV to move it) gets:
#   1. Odoo 18.0 from ODOO_SOURCE -- a URL, a local .tar.gz, or a local directory holding
#      odoo/, odoo-bin and requirements.txt (pip-installable or not) -- by default the official
#      nightly source tarball; it is put on the virtualenv's path with a .pth file;
#   2. Odoo's Python requirements, adjusted for Python 3.11/3.12 (no python-ldap, which needs
#      system headers and only serves auth_ldap; cbor2 and psycopg2 pins with wheels; geoip2
#      and vobject, without which web sessions fail or Odoo warns);
#   3. this addon's requirements.txt and test-requirements.txt.
# A second run finds the virtualenv and reuses it.
#
# The first Odoo source set up on a machine is kept for the user (ODOO_SOURCE_KEPT: the unpacked
# tarball, or a link to the directory given): another checkout of the addon (a fresh clone, CI's)
# without ODOO_SOURCE takes it before trying the network, so a machine that reached Odoo's site
# once, or was given a source once, sets up every later checkout offline.

ODOO_NIGHTLY_URL="https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
VENV="${PARTICIPANT_SMS_VENV:-$WORK_DIR/venv}"
ODOO_SOURCE_KEPT="${PARTICIPANT_SMS_ODOO_KEPT:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/participant_sms/odoo-18.0}"

# Whether $1 is the root of an Odoo source tree.
_odoo_tree() {
    [ -d "$1/odoo" ] && [ -e "$1/odoo-bin" ] && [ -f "$1/requirements.txt" ]
}

# The source to set up: ODOO_SOURCE, else the one kept on this machine, else the nightly.
_odoo_source() {
    if [ -n "${ODOO_SOURCE:-}" ]; then
        echo "$ODOO_SOURCE"
    elif _odoo_tree "$ODOO_SOURCE_KEPT"; then
        echo "$ODOO_SOURCE_KEPT"
    else
        echo "$ODOO_NIGHTLY_URL"
    fi
}

# Keep the source just set up in $1 (a directory) for the next checkouts, unless one is kept.
_keep_odoo_source() {
    local src="$1"
    _odoo_tree "$ODOO_SOURCE_KEPT" && return 0
    rm -rf "$ODOO_SOURCE_KEPT" && mkdir -p "$(dirname "$ODOO_SOURCE_KEPT")" || return 0
    if [ -L "$src" ]; then
        ln -sfn "$(readlink -f "$src")" "$ODOO_SOURCE_KEPT"
    else
        # the unpacked tarball moves to the kept place; the virtualenv links to it
        mv "$src" "$ODOO_SOURCE_KEPT" && ln -sfn "$ODOO_SOURCE_KEPT" "$src"
    fi
    log "Odoo's source kept in $ODOO_SOURCE_KEPT for the next checkouts"
}

# The checkout's virtualenv, when it has an Odoo 18, serves when $PYTHON has none.
use_venv_python() {
    if [ -x "$VENV/bin/python" ] && PYTHON="$VENV/bin/python" odoo_importable; then
        PYTHON="$VENV/bin/python"
        # the addon's requirements may have changed since the virtualenv was made
        "$PYTHON" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt" -r "$ROOT/test-requirements.txt" \
            || log "could not update this addon's requirements in $VENV"
    fi
}

_fetch_odoo_source() {
    local source="$1" target="$2" archive
    rm -rf "$target" && mkdir -p "$target"
    if [ -d "$source" ]; then
        _odoo_tree "$source" || {
            log "$source has no odoo/, odoo-bin or requirements.txt: give the root of an Odoo 18.0 source tree"
            return 1; }
        log "using the Odoo source directory $source"
        ln -sfn "$(cd "$source" && pwd)" "$target/src"
        return 0
    fi
    if [ -f "$source" ]; then
        archive="$source"
    elif [[ "$source" != *://* ]]; then
        log "ODOO_SOURCE=$source does not exist: give a URL, a .tar.gz or a directory of Odoo 18.0"
        return 1
    else
        archive="$target/odoo.tar.gz"
        log "downloading Odoo 18.0 from $source"
        # a name lookup or a connection that fails for a minute (seen in CI) is tried again
        if ! curl -fL --progress-bar --retry 6 --retry-delay 15 --retry-all-errors --connect-timeout 20 -o "$archive" "$source"; then
            log "cannot download $source: set ODOO_SOURCE to a local Odoo 18.0 tarball or directory"
            return 1
        fi
    fi
    log "unpacking $(basename "$archive")"
    mkdir -p "$target/src"
    if ! tar -xzf "$archive" -C "$target/src" --strip-components=1; then
        log "$archive is not a readable .tar.gz of Odoo's source"
        return 1
    fi
    [ -d "$target/src/odoo" ] && [ -f "$target/src/requirements.txt" ] || {
        log "$archive does not hold odoo/ and requirements.txt at its top"; return 1; }
    rm -f "$target/odoo.tar.gz"
}

# Odoo's requirements.txt, adjusted for this Python (printed on stdout).
_adjusted_requirements() {
    grep -v -E '^\s*(python-ldap|cbor2|psycopg2)\b' "$1"
    echo "cbor2==5.6.2"
    echo "psycopg2-binary==2.9.9"
    grep -q -E '^\s*geoip2' "$1" || echo "geoip2"
    grep -q -E '^\s*vobject' "$1" || echo "vobject"
}

bootstrap_odoo() {
    local python="${PYTHON}" source started=$SECONDS
    source="$(_odoo_source)"
    log "no Odoo 18 importable by $python: setting one up in $VENV (source: $source)"
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            log "installing Debian's python3-venv"
            apt-get update -qq >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        fi
        "$python" -m venv "$VENV" || {
            log "cannot make a virtualenv with $python: install python3-venv"; return 1; }
    fi
    _fetch_odoo_source "$source" "$VENV/odoo" || return 1
    local site
    site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    echo "$VENV/odoo/src" > "$site/odoo-source.pth"
    log "installing Odoo's Python requirements (a few minutes the first time)"
    "$VENV/bin/python" -m pip install --upgrade --quiet pip wheel setuptools || {
        log "pip cannot reach the package index: check the network"; return 1; }
    _adjusted_requirements "$VENV/odoo/src/requirements.txt" > "$VENV/odoo-requirements.txt"
    "$VENV/bin/python" -m pip install --progress-bar on -r "$VENV/odoo-requirements.txt" || {
        log "Odoo's requirements did not install: see the pip error above"; return 1; }
    log "installing this addon's requirements"
    "$VENV/bin/python" -m pip install --quiet -r "$ROOT/requirements.txt" -r "$ROOT/test-requirements.txt" || return 1
    if ! "$VENV/bin/python" -c "import odoo.release, sys; sys.exit(odoo.release.version_info[0] != 18)"; then
        log "the source in $source is not Odoo 18.0"
        return 1
    fi
    _keep_odoo_source "$VENV/odoo/src"
    PYTHON="$VENV/bin/python"
    log "Odoo 18 ready in $VENV ($((SECONDS - started)) s)"
}

# The Python modules of this addon's requirements.txt (import names).
REQUIRED_MODULES="phonenumbers, openpyxl, requests, holidays, pytest, hypothesis, freezegun, websocket"

requirements_importable() {
    "$PYTHON" -c "import $REQUIRED_MODULES" >/dev/null 2>&1
}

# Make sure $PYTHON imports this addon's requirements (a dependency added since its
# environment was made, e.g. holidays): installed into it with pip; when that is refused (a
# system Python), or when no Odoo could be set up, into the checkout's virtualenv, so that the
# tools layer runs anyway.
ensure_requirements() {
    requirements_importable && return 0
    log "installing this addon's requirements for $PYTHON"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt" -r "$ROOT/test-requirements.txt" \
        >/dev/null 2>&1 && requirements_importable && return 0
    if [ "$PYTHON" != "$VENV/bin/python" ]; then
        [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV" || {
            log "cannot make a virtualenv with $PYTHON: install python3-venv"; return 1; }
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
            -r "$ROOT/requirements.txt" -r "$ROOT/test-requirements.txt" || {
            log "this addon's requirements did not install: see the pip error above"; return 1; }
        if odoo_importable && ! PYTHON="$VENV/bin/python" odoo_importable; then
            log "this addon's requirements are missing from $PYTHON, which has Odoo: install them there (pip install -r requirements.txt)"
            return 1
        fi
        PYTHON="$VENV/bin/python"
    fi
    requirements_importable
}

# Make sure $PYTHON imports Odoo 18: the checkout's virtualenv, else set one up.
ensure_odoo() {
    odoo_importable && return 0
    use_venv_python
    odoo_importable && return 0
    bootstrap_odoo && odoo_importable
}
