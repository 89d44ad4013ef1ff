#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Export 50,000 SMS to one .xlsx the way the Export to Excel button does.

    python3 bench/bench_export.py --db participant_sms_demo [--count 50000]

Queues COUNT SMS, asks the export for the list's whole domain (no id in the address),
writes the workbook, prints time, file size and peak memory growth, then deletes what it
created.
"""

import threading
import time

import psutil
from _common import open_registry, parse_args


class RssSampler(threading.Thread):
    """The largest resident memory of this process while it runs (sampled every 20
    ms)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.process, self.peak, self.running = psutil.Process(), 0, True
        self.start_rss = self.process.memory_info().rss

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.join()
        return (self.peak - self.start_rss) / 1e6


def main():
    args = parse_args(__doc__, count=(int, 50000))
    from odoo import api, fields

    registry = open_registry(args)
    from odoo.addons.participant_sms.controllers.export import ParticipantSmsExport

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        planned = fields.Datetime.now()
        messages = env["participant.sms"]._queue(
            [
                {
                    "origin": "batch",
                    "context_type": "batch",
                    "batch_ref": "BENCH-EXPORT",
                    "number": f"+3361{i:07d}",
                    "planned_at": planned,
                    "body": "Information : salon de l'emploi jeudi 14h, Espace "
                    "Insertion.",
                }
                for i in range(args.count)
            ]
        )
        cr.commit()
        ids = messages.ids
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {"lang": "en_US"})
            sampler = RssSampler()
            sampler.start()
            started = time.perf_counter()
            action = (
                env["participant.sms"]
                .with_context(active_domain=[("batch_ref", "=", "BENCH-EXPORT")])
                .action_export_xlsx()
            )
            export = env["participant.sms.export"].browse(
                int(action["url"].rsplit("/", 1)[1])
            )
            spool, size = ParticipantSmsExport()._write_xlsx(env, export._records())
            elapsed = time.perf_counter() - started
            growth = sampler.stop()
            spool.close()
            cr.rollback()
    finally:
        with registry.cursor() as cr:
            cr.execute("DELETE FROM participant_sms WHERE id IN %s", [tuple(ids)])
    print(
        f"Excel export: {args.count} SMS in {elapsed:.1f} s, {size / 1e6:.1f} MB "
        ".xlsx, "
        f"address {action['url']!r} ({len(action['url'])} characters), "
        f"peak memory +{growth:.0f} MB"
    )


if __name__ == "__main__":
    main()
