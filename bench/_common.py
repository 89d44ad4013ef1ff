# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared set-up of the benchmark scripts: arguments and the Odoo registry of the database."""
import argparse
import os
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args(doc, **extra):
    """``--db`` and ``--addons-path`` plus ``extra`` options (name -> (type, default))."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", default=os.path.join(ROOT, ".addons"))
    for name, (kind, default) in extra.items():
        parser.add_argument(f"--{name}", type=kind, default=default)
    return parser.parse_args()


def open_registry(args):
    import odoo
    from odoo.tools import config

    config.parse_config(["--addons-path", args.addons_path, "-d", args.db, "--log-level", "warn"])
    return odoo.modules.registry.Registry(args.db)


def run_threads(target, args_list):
    """Run ``target(*args)`` for each args in its own thread; return the wall time in s."""
    threads = [threading.Thread(target=target, args=args) for args in args_list]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started
