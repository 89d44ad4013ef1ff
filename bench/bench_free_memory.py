#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Memory of the free-SMS preview on ordinary and hostile files.

    python3 bench/bench_free_memory.py --db participant_sms_demo

Each file is previewed in a fresh process (so that each peak is its own): the process's
peak resident memory after loading Odoo, then after the preview; the difference is what
the file cost. The bar: under 300 MB for any file.
"""

import base64
import io
import json
import resource
import subprocess
import sys
import time

from _common import parse_args


def make(case):
    from openpyxl import Workbook

    from odoo.addons.participant_sms.tests.fakes.fake_files import bomb_xlsx

    if case == "20,000 numbers (.xlsx)":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(["NOM", "TELEPHONE"])
        for i in range(20000):
            sheet.append([f"Personne {i}", f"06{i:08d}"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), "liste.xlsx"
    if case == "10 MB .csv":
        line = "06 12 34 56 78;" + "x" * 480 + "\n"
        rows = (10 * 1024 * 1024 - 100) // len(line)
        return ("TELEPHONE;NOTE\n" + line * min(rows, 19999)).encode(), "liste.csv"
    size = (
        {
            "300 MB shared string": 300,
            "150 MB shared string": 150,
            "15 MB shared string (under the limit)": 15,
        }[case]
        * 1024
        * 1024
    )
    return bomb_xlsx(size), "bombe.xlsx"


def child(db, addons, case):
    import odoo
    from odoo import api
    from odoo.exceptions import UserError
    from odoo.tools import config

    config.parse_config(["--addons-path", addons, "-d", db, "--log-level", "warn"])
    registry = odoo.modules.registry.Registry(db)
    data, filename = make(case)
    with registry.cursor() as cr:
        admin = api.Environment(cr, api.SUPERUSER_ID, {}).ref("base.user_admin")
        admin.groups_id |= admin.env.ref("participant_sms.group_sms_send_free")
        env = api.Environment(cr, admin.id, {})
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        wizard = env["participant.sms.free"].create(
            {
                "body": "Information",
                "file": base64.b64encode(data),
                "filename": filename,
            }
        )
        try:
            wizard.action_preview()
            outcome = f"{len(wizard.line_ids)} lines"
        except UserError as error:
            outcome = f"refused: {error}"
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cr.rollback()
    print(
        json.dumps(
            {
                "case": case,
                "file_kb": len(data) // 1024,
                "outcome": outcome[:90],
                "seconds": round(elapsed, 2),
                "peak_growth_mb": round((after - before) / 1024),
            }
        )
    )


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(*sys.argv[2:5])
    args = parse_args(__doc__)
    cases = [
        "20,000 numbers (.xlsx)",
        "10 MB .csv",
        "15 MB shared string (under the limit)",
        "150 MB shared string",
        "300 MB shared string",
    ]
    worst = 0
    for case in cases:
        result = subprocess.run(
            [sys.executable, __file__, "--child", args.db, args.addons_path, case],
            capture_output=True,
            text=True,
            check=False,
        )
        line = (result.stdout.strip().splitlines() or [result.stderr[-500:]])[-1]
        try:
            data = json.loads(line)
        except ValueError:
            print(f"{case}: failed: {line}")
            continue
        worst = max(worst, data["peak_growth_mb"])
        print(
            f"{data['case']:40} {data['file_kb']:>7} KB  +{data['peak_growth_mb']:>4} "
            "MB  "
            f"{data['seconds']:>6} s  {data['outcome']}"
        )
    print(f"largest growth: {worst} MB (bar: 300 MB)")


if __name__ == "__main__":
    main()
