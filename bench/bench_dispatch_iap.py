# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Dispatch through Odoo's IAP SMS protocol: our dispatcher against Odoo's own queue,
same local server, same run, same number of SMS.

For each COUNT (``--counts 5000,20000``), one local server speaking Odoo's IAP SMS
protocol (tests/fakes/fake_providers.py: FakeOdooIap) is the endpoint of both:

  - ours: COUNT free SMS queued, then ``participant.sms.dispatcher._cron_dispatch`` as
    its cron runs it (``auto_commit=True``: claims with SKIP LOCKED, credit charged
    under the company's lock, a commit per batch of 1,000, sent in requests of 500)
    with an account of provider "Odoo SMS (IAP)"; the process forgets the numbers it
    checked when queuing them, as a cron worker would;
  - Odoo: COUNT ``sms.sms`` in the *outgoing* state sent by ``sms.sms._process_queue``
    (batches of 500, one request and a commit each).

Prints both times and the ratio (Odoo's / ours: >= 1 means at least as fast), checks
that the server received every SMS exactly once, and deletes what it created. Each run
starts from vacuumed tables (``VACUUMED``). With ``--rounds N``, each COUNT is run N
times, one after the other in the same process, and the median of the ratios follows
(a single run on two cores moves by 10 to 20 %).
``--batch``: our dispatch batch (default: the cron's own).

    python3 bench/bench_dispatch_iap.py --db DATABASE [--counts 5000,20000] \\
        [--rounds 1] [--batch 0] [--profile 0]
"""

import cProfile
import os
import pstats
import statistics
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import load_fakes, open_registry, parse_args  # noqa: E402

#: vacuumed before each run, as autovacuum would have been through them between
#: two sends: the tables both sides write (each run inserts and deletes 2 x COUNT
#: rows; without it, Odoo's sms_sms grows 20,000 dead rows a run and slows down)
VACUUMED = (
    "sms_sms",
    "participant_sms",
    "participant_sms_number",
    "participant_sms_provider_ref",
    "participant_sms_flight",
    "participant_sms_daily",
)
BODY = "Bonjour, votre dossier est complet. Rendez-vous jeudi a 14h, salle 2."


def numbers(env, prefix, n):
    """``n`` mobile numbers starting with ``+33`` and ``prefix`` that no participant
    has (Odoo's own SMS are not sent to participants: a database of
    ``make_big_db.py`` has 30,000 of them)."""
    env.cr.execute(
        """SELECT '+' || regexp_replace(mobile, '\\D', '', 'g') FROM res_partner
            WHERE is_participant AND mobile IS NOT NULL"""
    )
    taken = {number for (number,) in env.cr.fetchall()}
    found, index = [], 0
    while len(found) < n:
        number = f"+33{prefix}{index:07d}"
        if number not in taken:
            found.append(number)
        index += 1
    return found


def settings(env, server):
    """Point Odoo's SMS and IAP endpoints at ``server``, the company at an Odoo SMS
    account, open the window all day; return what to restore."""
    params = env["ir.config_parameter"].sudo()
    company = env.company
    previous = {
        "params": {
            key: params.get_param(key) for key in ("sms.endpoint", "iap.endpoint")
        },
        "company": {
            "psms_account_id": company.psms_account_id.id,
            "psms_window_start": company.psms_window_start,
            "psms_window_end": company.psms_window_end,
        },
    }
    for key in previous["params"]:
        params.set_param(key, server.url)
    account = env["participant.sms.account"].create(
        {"name": "Bench Odoo SMS", "provider": "odoo_iap"}
    )
    company.write(
        {
            "psms_account_id": account.id,
            "psms_window_start": 0.0,
            "psms_window_end": 24.0,
        }
    )
    return previous, account


def restore(env, previous, account):
    params = env["ir.config_parameter"].sudo()
    for key, value in previous["params"].items():
        params.set_param(key, value or False)
    env.company.write(previous["company"])
    env.cr.execute("DELETE FROM participant_sms WHERE account_id = %s", [account.id])
    account.unlink()


def run(registry, n, profiler, batch=0):
    from psms_fakes.fake_providers import FakeOdooIap

    from odoo import api, fields

    results = {}
    with registry.cursor() as cr:
        cr._cnx.autocommit = True
        for table in VACUUMED:
            cr.execute(f"VACUUM ANALYZE {table}")
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        token = env["iap.account"].get("sms").account_token
        cr.commit()
    with FakeOdooIap(token) as server, registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        previous, account = settings(env, server)
        # bought today: a database's older packages are charged first, so that the
        # SMS of its own queue that fall due during the run never hold this one
        package = env["participant.sms.package"].create(
            {"name": "Bench", "quantity": n * 2}
        )
        try:
            ours = numbers(env, "78", n)
            env["participant.sms"]._queue(
                [
                    {
                        "origin": "free",
                        "context_type": "free",
                        "number": number,
                        "body": BODY,
                        "planned_at": fields.Datetime.now() - timedelta(minutes=1),
                    }
                    for number in ours
                ]
            )
            cr.commit()
            env.invalidate_all()
            # a cron worker has not checked these numbers (the tools module the addon
            # imported is the one to empty)
            known = getattr(
                sys.modules["odoo.addons.participant_sms.tools.phone"],
                "_KNOWN_MOBILES",
                {},
            )
            known.clear()
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            dispatcher = env["participant.sms.dispatcher"]
            if batch:
                dispatcher._cron_dispatch(batch_size=batch, auto_commit=True)
            else:
                dispatcher._cron_dispatch(auto_commit=True)
            if profiler:
                profiler.disable()
            results["ours"] = time.perf_counter() - started
            sent = sorted(message["number"] for message in server.sent)
            assert sent == sorted(ours), (len(sent), n)
            server.sent.clear()

            theirs = numbers(env, "79", n)
            env["sms.sms"].create(
                [
                    {"number": number, "body": BODY, "state": "outgoing"}
                    for number in theirs
                ]
            )
            cr.commit()
            env.invalidate_all()
            started = time.perf_counter()
            # Odoo's cron takes 10,000 SMS a run: it runs again while some wait
            while env["sms.sms"].search_count([("state", "=", "outgoing")]):
                env["sms.sms"]._process_queue()
            results["odoo"] = time.perf_counter() - started
            sent = sorted(message["number"] for message in server.sent)
            assert sent == sorted(theirs), (len(sent), n)
        finally:
            cr.rollback()
            env.invalidate_all()
            cr.execute("DELETE FROM sms_sms WHERE number LIKE '+3379%%'")
            restore(env, previous, account)
            cr.execute(
                "DELETE FROM participant_sms_package WHERE id = %s", [package.id]
            )
            cr.commit()
    return results


def main():
    args = parse_args(
        __doc__,
        counts=(str, "5000,20000"),
        rounds=(int, 1),
        batch=(int, 0),
        profile=(int, 0),
    )
    load_fakes()
    registry = open_registry(args)
    print("SMS through one local server speaking Odoo's IAP protocol")
    print("   count      ours   Odoo sms.sms._process_queue   Odoo's / ours")
    for n in [int(count) for count in args.counts.split(",")]:
        ratios = []
        for _round in range(max(args.rounds, 1)):
            profiler = cProfile.Profile() if args.profile else None
            results = run(registry, n, profiler, args.batch)
            ratios.append(results["odoo"] / results["ours"])
            print(
                f"  {n:6d}   {results['ours']:6.2f} s   {results['odoo']:6.2f} s"
                f"                     x{ratios[-1]:.2f}"
            )
            if profiler:
                stats = pstats.Stats(profiler).sort_stats("cumulative")
                stats.print_stats(45)
                stats.sort_stats("tottime").print_stats(20)
                stats.print_callers("execute_query")
                stats.print_callers("_write_multi")
        if len(ratios) > 1:
            print(
                f"  {n:6d}   median of {len(ratios)} runs"
                f"                          x{statistics.median(ratios):.2f}"
                f" (x{min(ratios):.2f} to x{max(ratios):.2f})"
            )


if __name__ == "__main__":
    main()
