#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A cron on a backlog of COUNT SMS: the status cron on SMS *Sent, not received* for
over 48 hours, or the dispatch cron on SMS queued and due.

    python3 bench/bench_backlog.py --db participant_sms_demo [--count 1000000]
    python3 bench/bench_backlog.py --db participant_sms_demo --cron dispatch

``--cron poll`` (the default) loads COUNT SMS in SQL (the crons stopped for a while:
the operator never confirmed them), runs the status poll cron as its code does
(``auto_commit=True``: a commit per batch), which polls them and expires them, and
prints its time and its peak memory growth; then deletes what it loaded. The SMS
belong to a company on the simulator whose store has no trace of them (the poll asks,
learns nothing new), so the run is the expiry of the whole backlog.

``--cron dispatch`` loads COUNT SMS queued and due (a batch send the crons had not
taken yet) and runs the dispatch cron as its code does: claimed, charged, sent
through the simulator and recorded batch by batch, one commit each. The company's
window is opened and a package holds the credit for the run; both are put back.
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


def load_queued(env, count):
    """COUNT SMS queued and due, by SQL, in one statement; the window opened and
    credit for them. Return what to put back."""
    company = env.ref("base.main_company")
    account = company._psms_account()
    env.cr.execute(
        """INSERT INTO participant_sms
                (company_id, account_id, number, body, state, origin, context_type,
                 batch_ref, planned_at, deadline, segments, encoding, attempts,
                 create_uid, write_uid, create_date, write_date)
           SELECT %(company)s, %(account)s, '+3361' || lpad(n::text, 7, '0'),
                  'Information : salon de l''emploi jeudi.', 'queued', 'batch',
                  'batch', %(tag)s, now() AT TIME ZONE 'UTC' - interval '1 minute',
                  now() AT TIME ZONE 'UTC' + interval '1 day', 1, 'GSM-7', 0,
                  1, 1, now(), now()
             FROM generate_series(1, %(count)s) AS n""",
        {"company": company.id, "account": account.id, "tag": TAG, "count": count},
    )
    window = {
        "psms_window_start": company.psms_window_start,
        "psms_window_end": company.psms_window_end,
        "psms_quiet_days": company.psms_quiet_days,
    }
    company.write(
        {"psms_window_start": 0.0, "psms_window_end": 24.0, "psms_quiet_days": False}
    )
    package = env["participant.sms.package"].create(
        {"name": TAG, "quantity": count, "purchase_date": "2000-01-01"}
    )
    return company, window, package.id


def run(env, cron):
    """Run the cron as its code does (a commit per batch)."""
    Dispatcher = env["participant.sms.dispatcher"]
    if cron == "dispatch":
        Dispatcher._cron_dispatch(auto_commit=True)
    else:
        Dispatcher._cron_poll_statuses(auto_commit=True)


def main():
    args = parse_args(__doc__, count=(int, 1000000), cron=(str, "poll"))
    from odoo import api

    registry = open_registry(args)
    restore = None
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        started = time.perf_counter()
        if args.cron == "dispatch":
            restore = load_queued(env, args.count)
        else:
            load(env, args.count)
        cr.commit()
        loaded = time.perf_counter() - started
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {"lang": "en_US"})
            sampler = RssSampler()
            sampler.start()
            started = time.perf_counter()
            run(env, args.cron)
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
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            cr.execute("DELETE FROM participant_sms WHERE batch_ref = %s", [TAG])
            if restore:
                company, window, package_id = restore
                env["res.company"].browse(company.id).write(window)
                env["participant.sms.package"].browse(package_id).unlink()
    what = {
        "poll": "SMS Sent, not received for 3 days; status cron (poll + expiry)",
        "dispatch": "SMS queued and due; dispatch cron (simulator)",
    }[args.cron]
    label, cron_label = what.split("; ")
    print(f"Backlog benchmark: {args.count} {label}")
    print(f"  loaded by SQL      : {loaded:7.2f} s")
    print(
        f"  {cron_label}: {elapsed:7.2f} s "
        f"({args.count / elapsed:,.0f} SMS/s), peak memory growth {growth:.0f} MB"
    )
    print(f"  states after: {states}")


if __name__ == "__main__":
    main()
