#!/usr/bin/env bash
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# OCA's pre-commit hooks (.pre-commit-config.yaml), offline: the tools come from
# test-requirements.txt (PyPI) and, for prettier, from npm into the user's cache.
#
#   ./scripts/lint.sh            the gates CI enforces (GATES below); any message, any file
#                                a formatter would change, fails
#   ./scripts/lint.sh --all      every hook, pylint-odoo's optional (informative) checks too
#
# Ends with "lint: N passed, M failed" (.ci/run adds it up).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
# every hook but pylint-odoo's optional checks (informative, --exit-zero)
GATES="forbidden-files en-po-files oca-checks-odoo-module oca-checks-po pylint_odoo_mandatory
       ruff ruff-format prettier trailing-whitespace end-of-file-fixer check-xml
       check-merge-conflict"

# the hooks run the tools as commands: those of this Python first, whatever PATH says
PATH="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$HOME/.local/bin:$PATH"
export PATH
"$PYTHON" -m pre_commit --version >/dev/null 2>&1 \
    || "$PYTHON" -m pip install --quiet -r test-requirements.txt \
    || { echo "lint: 0 passed, 1 failed"; exit 1; }

npm_dir="${XDG_CACHE_HOME:-$HOME/.cache}/participant_sms/npm"
if [ ! -x "$npm_dir/node_modules/.bin/prettier" ]; then
    mkdir -p "$npm_dir" && (cd "$npm_dir" && npm install --silent --no-save \
        prettier@3.3.3 @prettier/plugin-xml@3.4.1) || echo "prettier could not be installed"
fi
export PATH="$npm_dir/node_modules/.bin:$PATH" NODE_PATH="$npm_dir/node_modules"

hooks="$GATES"
if [ "${1:-}" = "--all" ]; then
    hooks="$(grep -oE '^      - id: [a-z_-]+' .pre-commit-config.yaml | awk '{print $3}')"
fi

passed=0; failed=0
for hook in $hooks; do
    if "$PYTHON" -m pre_commit run "$hook" --all-files; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done
echo "lint: $passed passed, $failed failed"
[ "$failed" = 0 ]
