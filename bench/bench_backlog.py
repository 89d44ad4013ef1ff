#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The status cron on a backlog: COUNT SMS *Sent, not received* for over 48 hours.

    python3 bench/bench_backlog.py --db participant_sms_demo [--count 1000000]

Loads COUNT SMS in SQL (the crons stopped for a while: the operator never confirmed
them), runs the status poll cron as its code does (``auto_commit=True``: a commit per
batch), which polls them and expires them, and prints its time and its peak memory
growth; then deletes what it loaded. The SMS belong to a company on the simulator whose
store has no trace of them (the poll asks, learns nothing new), so the run is the
expiry of the whole backlog.
"""

import time

from _common import open_registry, parse_args
from bench_export import RssSampler

TAG = "BENCH-BACKLOG"


def load(env, count):
    """COUNT SMS *Sent, not received* since three days, by SQL, in one statement."""
    company = env.ref("base.main_company")
    account = company._psms_account()
    env.cr.execute(
        """INSERT INTO participant_sms
                (company_id, account_id, number, body, state, origin, context_type,
                 batch_ref, provider_id, planned_at, sent_at, status_at, deadline,
                 segments, encoding, attempts, create_uid, write_uid, create_date,
                 write_date)
           SELECT %(company)s, %(account)s, '+3361' || lpad(n::text, 7, '0'),
                  'Information : salon de l''emploi jeudi.', 'not_received', 'batch',
                  'batch', %(tag)s, 'bench-' || n, now() - interval '4 days',
                  now() - interval '4 days', now() - interval '3 days',
                  now() + interval '1 day', 1, 'GSM-7', 1, 1, 1, now(), now()
             FROM generate_series(1, %(count)s) AS n""",
        {"company": company.id, "account": account.id, "tag": TAG, "count": count},
    )


def main():
    args = parse_args(__doc__, count=(int, 1000000))
    from odoo import api

    registry = open_registry(args)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        started = time.perf_counter()
        load(env, args.count)
        cr.commit()
        loaded = time.perf_counter() - started
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {"lang": "en_US"})
            sampler = RssSampler()
            sampler.start()
            started = time.perf_counter()
            env["participant.sms.dispatcher"]._cron_poll_statuses(auto_commit=True)
            elapsed = time.perf_counter() - started
            growth = sampler.stop()
            cr.execute(
                "SELECT state, count(*) FROM participant_sms WHERE batch_ref = %s "
                "GROUP BY state",
                [TAG],
            )
            states = dict(cr.fetchall())
    finally:
        with registry.cursor() as cr:
            cr.execute("DELETE FROM participant_sms WHERE batch_ref = %s", [TAG])
    print(f"Backlog benchmark: {args.count} SMS Sent, not received for 3 days")
    print(f"  loaded by SQL      : {loaded:7.2f} s")
    print(
        f"  status cron (poll + expiry): {elapsed:7.2f} s "
        f"({args.count / elapsed:,.0f} SMS/s), peak memory growth {growth:.0f} MB"
    )
    print(f"  states after: {states}")


if __name__ == "__main__":
    main()
