#!/usr/bin/env bash
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Build the addon's wheel with whool (pyproject.toml), as OCA publishes addons on PyPI:
# odoo-addon-participant_sms-<manifest version>.<commits since>-py3-none-any.whl in dist/
# (or $1). The distribution is named after the addon's directory, so the committed tree is
# exported into a directory named participant_sms first (a checkout may have any name).
# Ends with "wheel: N passed, M failed" (.ci/run adds it up).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$(realpath -m "${1:-$ROOT/dist}")"
PYTHON="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

git clone --quiet "$ROOT" "$work/participant_sms" || { echo "wheel: 0 passed, 1 failed"; exit 1; }
mkdir -p "$OUT"
if ! "$PYTHON" -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir "$OUT" \
        "$work/participant_sms"; then
    echo "the wheel did not build (is whool installed? pip install -r test-requirements.txt)"
    echo "wheel: 0 passed, 1 failed"; exit 1
fi
version="$(grep -oE '"version": *"[^"]+"' "$ROOT/__manifest__.py" | grep -oE '[0-9][0-9.]+[0-9]')"
wheel="$(ls -t "$OUT"/odoo_addon_participant_sms-"$version"*-py3-none-any.whl 2>/dev/null | head -n 1)"
holds_addon() {
    "$PYTHON" -c 'import sys, zipfile
sys.exit("odoo/addons/participant_sms/__manifest__.py" not in zipfile.ZipFile(sys.argv[1]).namelist())' "$1"
}
if [ -z "$wheel" ] || ! holds_addon "$wheel"; then
    echo "no odoo_addon_participant_sms-$version wheel holding the addon in $OUT"
    echo "wheel: 0 passed, 1 failed"; exit 1
fi
echo "built $wheel"
echo "wheel: 1 passed, 0 failed"
