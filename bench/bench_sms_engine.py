# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the SMS engine on a real database.

Measures, in one run: queueing N SMS (one ``_queue`` call, as a batch send does),
dispatching them through the simulator with W concurrent workers (each with its own
database connection, one commit per batch), and polling their N statuses twice
(processing -> delivered to operator -> final). Everything the benchmark creates is
deleted at the end.

    python3 bench/bench_sms_engine.py --db DATABASE [--count 10000] [--workers 2] \
        [--batch 1000]

``--batch``: SMS per dispatch batch (the dispatch cron's own, ``DEFAULT_BATCH``).

DATABASE must have participant_sms installed (``./scripts/run.sh`` makes one); the
addons path defaults to the ``.addons`` folder that the scripts create.
"""

import os
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import open_registry, parse_args, run_threads  # noqa: E402


def main():
    args = parse_args(__doc__, count=(int, 10000), workers=(int, 2), batch=(int, 1000))
    from odoo import api, fields

    registry = open_registry(args)

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        company = env.company
        saved = {
            key: company[key]
            for key in ("psms_window_start", "psms_window_end", "psms_account_id")
        }
        company.write(
            {
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
                "psms_account_id": env.ref("participant_sms.sms_account_simulator").id,
            }
        )
        package = env["participant.sms.package"].create(
            {
                "name": "Benchmark",
                "quantity": args.count * 2,
                "purchase_date": "2000-01-01",
            }
        )
        planned = fields.Datetime.now() - timedelta(minutes=1)
        vals = [
            {
                "origin": "batch",
                "context_type": "batch",
                "batch_ref": "BENCHMARK",
                "number": f"+3361{i:07d}",
                "planned_at": planned,
                "body": "Information : salon de l'emploi jeudi 14h, Espace Insertion.",
            }
            for i in range(args.count)
        ]
        started = time.perf_counter()
        messages = env["participant.sms"]._queue(vals)
        env.flush_all()
        cr.commit()
        queue_seconds = time.perf_counter() - started
        ids, company_id, package_id = messages.ids, company.id, package.id

    try:
        cursors = [registry.cursor() for _i in range(args.workers)]
        envs = [api.Environment(cr, api.SUPERUSER_ID, {}) for cr in cursors]

        def worker(env):
            company = env["res.company"].browse(company_id)
            while env["participant.sms.dispatcher"]._dispatch_batch(
                company, args.batch, auto_commit=True
            ):
                pass
            env.cr.commit()

        dispatch_seconds = run_threads(worker, [(env,) for env in envs])
        for cr in cursors:
            cr.close()

        poll_seconds = []
        with registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            for _round in range(2):
                started = time.perf_counter()
                env["participant.sms.dispatcher"]._cron_poll_statuses(auto_commit=True)
                cr.commit()
                poll_seconds.append(time.perf_counter() - started)
            cr.execute(
                "SELECT state, count(*) FROM participant_sms WHERE id IN %s GROUP BY "
                "state",
                [tuple(ids)],
            )
            states = dict(cr.fetchall())
            cr.execute(
                "SELECT count(DISTINCT provider_id) FROM participant_sms WHERE id IN "
                "%s",
                [tuple(ids)],
            )
            distinct_ids = cr.fetchone()[0]
    finally:
        with registry.cursor() as cr:
            cr.execute(
                """DELETE FROM participant_sms_simulator_message WHERE tag IN
                          (SELECT provider_tag FROM participant_sms WHERE id IN %s)""",
                [tuple(ids)],
            )
            cr.execute(
                "DELETE FROM phone_blacklist WHERE number IN "
                "(SELECT number FROM participant_sms WHERE id IN %s)",
                [tuple(ids)],
            )
            cr.execute("DELETE FROM participant_sms WHERE id IN %s", [tuple(ids)])
            cr.execute(
                "DELETE FROM participant_sms_package WHERE id = %s", [package_id]
            )
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["res.company"].browse(company_id).write(
                {
                    key: value.id if hasattr(value, "id") else value
                    for key, value in saved.items()
                }
            )

    n = args.count
    print(
        f"SMS engine benchmark: {n} SMS, {args.workers} dispatch workers, batches of "
        f"{args.batch}"
    )
    print(f"  queue    : {queue_seconds:7.2f} s  ({n / queue_seconds:8.0f} SMS/s)")
    print(
        f"  dispatch : {dispatch_seconds:7.2f} s  ({n / dispatch_seconds:8.0f} SMS/s)"
    )
    print(
        f"  poll 1   : {poll_seconds[0]:7.2f} s  ({n / poll_seconds[0]:8.0f} "
        "statuses/s)"
    )
    print(
        f"  poll 2   : {poll_seconds[1]:7.2f} s  ({n / poll_seconds[1]:8.0f} "
        "statuses/s)"
    )
    print(f"  final states: {states}; distinct provider ids: {distinct_ids}")


if __name__ == "__main__":
    main()
