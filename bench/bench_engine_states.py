#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run the engine's stateful property test with many random examples.

    python3 bench/bench_engine_states.py --examples 2000 [--steps 30]

The test command runs 200 examples with a fixed seed; this runs more, with a random seed
each time, on a fresh database (created, then dropped), and prints the time and what was
reached.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

from _common import (
    ADDONS_DIR,  # noqa: E402  (bench/ is on sys.path when run as a script)
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--db", default=f"participant_sms_states_{os.getpid()}")
    parser.add_argument("--addons-path", default=ADDONS_DIR)
    args = parser.parse_args()
    env = dict(
        os.environ,
        PSMS_STATE_EXAMPLES=str(args.examples),
        PSMS_STATE_STEPS=str(args.steps),
        PSMS_STATE_RANDOM="1",
    )
    command = [
        sys.executable,
        "-m",
        "odoo",
        "--addons-path",
        args.addons_path,
        "-d",
        args.db,
        "-i",
        "participant_sms",
        "--without-demo=all",
        "--test-enable",
        "--test-tags",
        "/participant_sms:TestEngineStates",
        "--stop-after-init",
        "--http-port",
        "8179",
        "--log-level",
        "info",
    ]
    started = time.perf_counter()
    try:
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, check=False
        )
    finally:
        subprocess.run(["dropdb", "--if-exists", args.db], check=False)
    elapsed = time.perf_counter() - started
    log = result.stdout + result.stderr
    reached = re.search(r"engine state machine: (.*)", log)
    verdict = re.search(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests", log)
    print(
        f"engine state machine: {args.examples} random examples of up to {args.steps} "
        "steps "
        f"in {elapsed:.0f} s (install included)"
    )
    print(f"  {reached.group(1).strip() if reached else 'no summary (see the log)'}")
    if not verdict or verdict.group(1) != "0" or verdict.group(2) != "0":
        print(
            "\n".join(
                line
                for line in log.splitlines()
                if "FAIL" in line or "Error" in line or "Falsifying" in line
            )[-5000:]
        )
        with tempfile.NamedTemporaryFile(
            "w", prefix="engine_states_", suffix=".log", delete=False
        ) as kept:
            kept.write(log)
        print(f"  the whole log, with the falsifying steps: {kept.name}")
        return 1
    print("  every invariant held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
