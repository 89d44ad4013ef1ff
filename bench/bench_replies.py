# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the inbound-reply endpoint over real HTTP on loopback.

Prepares N sent, reply-enabled reminder SMS (with their appointments) in DATABASE, then posts N
authenticated replies ("OUI") to the running server's ``/participant_sms/inbound/<token>``
with W concurrent clients, and reports throughput and latency percentiles. Everything it
created is deleted at the end.

    ./scripts/run.sh &            # a server on http://localhost:8069
    python3 bench/bench_replies.py --db participant_sms_demo [--count 2000] [--workers 4]
"""
import os
import statistics
import sys
import threading
import time
from datetime import timedelta

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import open_registry, parse_args, run_threads  # noqa: E402


def main():
    args = parse_args(__doc__, count=(int, 2000), workers=(int, 4),
                      url=(str, "http://127.0.0.1:8069"))
    from odoo import api, fields

    registry = open_registry(args)
    n = args.count
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"psms_auto_commit": True,
                                                     "no_mail_to_attendees": True,
                                                     "mail_create_nolog": True,
                                                     "tracking_disable": True})
        simulator = env.ref("participant_sms.sms_account_simulator")
        company = env.company
        saved_account = company.psms_account_id
        company.psms_account_id = simulator
        token = simulator._issue_token()
        package = env["participant.sms.package"].create(
            {"name": "Benchmark", "quantity": n * 2, "purchase_date": "2000-01-01"})
        partners = env["res.partner"].create([
            {"name": f"Reply PARTICIPANT{i:05d}", "is_participant": True,
             "mobile": f"+33 6 11 {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d}"}
            for i in range(n)])
        start = fields.Datetime.now() + timedelta(days=3)
        events = env["calendar.event"].create([
            {"name": "Benchmark", "participant_id": partner.id, "start": start,
             "stop": start + timedelta(hours=1), "partner_ids": [(6, 0, [])]}
            for partner in partners])
        messages = env["participant.sms"]._queue([
            {"origin": "scheduled", "partner_id": partner.id, "reply_enabled": True,
             "body": "RDV jeudi 10h. Repondez OUI ou NON.", "res_model": "calendar.event",
             "res_id": event.id, "planned_at": fields.Datetime.now() - timedelta(minutes=1)}
            for partner, event in zip(partners, events)])
        while env["participant.sms.dispatcher"]._dispatch_batch(company, 1000):
            pass
        cr.commit()
        numbers = messages.mapped("number")
        ids = {"partners": partners.ids, "events": events.ids, "sms": messages.ids,
               "package": package.id}

    latencies, errors, lock = [], [], threading.Lock()
    url = f"{args.url}/participant_sms/inbound/{token}"

    def client(part):
        session = requests.Session()
        for index in part:
            started = time.perf_counter()
            try:
                response = session.post(url, data={"id": f"bench-{index}",
                                                   "number": numbers[index], "text": "OUI"},
                                        timeout=30)
                ok = response.status_code == 200
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors.append(index)

    parts = [range(i, n, args.workers) for i in range(args.workers)]
    wall = run_threads(client, [(part,) for part in parts])

    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM calendar_event WHERE id IN %s AND "
                   "participant_outcome_from_reply", [tuple(ids["events"])])
        applied = cr.fetchone()[0]
        cr.execute("DELETE FROM participant_sms_reply WHERE sms_id IN %s", [tuple(ids["sms"])])
        cr.execute("DELETE FROM mail_message WHERE model = 'calendar.event' AND res_id IN %s",
                   [tuple(ids["events"])])
        cr.execute("DELETE FROM participant_sms WHERE id IN %s", [tuple(ids["sms"])])
        cr.execute("DELETE FROM calendar_event WHERE id IN %s", [tuple(ids["events"])])
        cr.execute("DELETE FROM participant_sms_package WHERE id = %s", [ids["package"]])
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        env["res.partner"].browse(ids["partners"]).unlink()
        env.company.psms_account_id = saved_account

    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"Reply endpoint benchmark: {n} replies, {args.workers} concurrent clients")
    print(f"  throughput : {n / wall:7.1f} replies/s  ({wall:.2f} s)")
    print(f"  latency    : median {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")
    print(f"  errors     : {len(errors)}; appointments whose outcome the reply set: {applied}")


if __name__ == "__main__":
    main()
