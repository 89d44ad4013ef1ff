# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared set-up of the benchmark scripts: arguments and the Odoo registry of the
database."""

import argparse
import hashlib
import os
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: where scripts/common.sh makes the addons folder of this checkout (same rule)
WORK_DIR = os.environ.get("PARTICIPANT_SMS_WORK_DIR") or os.path.join(
    os.environ.get("XDG_CACHE_HOME")
    or os.path.join(os.environ.get("HOME", "/tmp"), ".cache"),
    "participant_sms",
    hashlib.md5(ROOT.encode()).hexdigest()[:10],
)
ADDONS_DIR = os.environ.get("PARTICIPANT_SMS_ADDONS_DIR") or os.path.join(
    WORK_DIR, "addons"
)


def parse_args(doc, **extra):
    """``--db`` and ``--addons-path`` plus ``extra`` options (name -> (type,
    default))."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", default=ADDONS_DIR)
    for name, (kind, default) in extra.items():
        parser.add_argument(f"--{name}", type=kind, default=default)
    return parser.parse_args()


def open_registry(args):
    import odoo
    from odoo.tools import config

    config.parse_config(
        ["--addons-path", args.addons_path, "-d", args.db, "--log-level", "warn"]
    )
    return odoo.modules.registry.Registry(args.db)


def run_threads(target, args_list):
    """Run ``target(*args)`` for each args in its own thread; return the wall time in
    s."""
    threads = [threading.Thread(target=target, args=args) for args in args_list]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def load_fakes():
    """The tests' local servers (``psms_fakes``) and the framework-free tools
    (``psms_tools``), without importing the test modules (as tools/tests does)."""
    import importlib.util
    import pathlib
    import sys

    for name, folder in (("psms_tools", "tools"), ("psms_fakes", "tests/fakes")):
        path = pathlib.Path(ROOT, folder)
        spec = importlib.util.spec_from_file_location(
            name, path / "__init__.py", submodule_search_locations=[str(path)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
