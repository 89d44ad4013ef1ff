# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the inbound-reply endpoint over real HTTP on loopback.

Prepares N sent, reply-enabled reminder SMS (with their appointments) in DATABASE, then
posts N authenticated replies ("OUI") to the running server's
``/participant_sms/inbound/<token>`` with C concurrent clients (keep-alive sessions),
and reports:

* the webhook: throughput and latency percentiles (what the providers see: the reply is
  recorded, the cron that applies it is woken);
* the end-to-end drain: how long until the server's cron has applied every reply
  (outcome set, theme "SMS reply" and chatter note written), and that each appointment
  got exactly one outcome from its first reply (a second reply "NON" is posted for every
  tenth SMS).

Everything it created is deleted at the end. The server is the production set-up of the
README (one database given with ``-d``, no database listing, HTTP workers and cron
threads):

    python3 -m odoo -d DB --workers=2 --max-cron-threads=1 &
    python3 bench/bench_replies.py --db DB [--count 2000] [--clients 8]
"""

import http.client
import os
import statistics
import sys
import threading
import time
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import open_registry, parse_args, run_threads  # noqa: E402


def main():
    args = parse_args(
        __doc__,
        count=(int, 2000),
        clients=(int, 8),
        url=(str, "http://127.0.0.1:8069"),
        drain_timeout=(int, 300),
    )
    from odoo import api, fields

    registry = open_registry(args)
    n = args.count
    with registry.cursor() as cr:
        env = api.Environment(
            cr,
            api.SUPERUSER_ID,
            {
                "no_mail_to_attendees": True,
                "mail_create_nolog": True,
                "tracking_disable": True,
            },
        )
        simulator = env.ref("participant_sms.sms_account_simulator")
        company = env.company
        saved_account = company.psms_account_id
        company.psms_account_id = simulator
        token = simulator._issue_token()
        package = env["participant.sms.package"].create(
            {"name": "Benchmark", "quantity": n * 2, "purchase_date": "2000-01-01"}
        )
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Reply PARTICIPANT{i:05d}",
                    "is_participant": True,
                    "mobile": f"+33 6 11 {i // 10000 % 100:02d} {i // 100 % 100:02d} "
                    f"{i % 100:02d}",
                }
                for i in range(n)
            ]
        )
        start = fields.Datetime.now() + timedelta(days=3)
        events = env["calendar.event"].create(
            [
                {
                    "name": "Benchmark",
                    "participant_id": partner.id,
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "partner_ids": [(6, 0, [])],
                }
                for partner in partners
            ]
        )
        messages = env["participant.sms"]._queue(
            [
                {
                    "origin": "scheduled",
                    "partner_id": partner.id,
                    "reply_enabled": True,
                    "body": "RDV jeudi 10h. Repondez OUI ou NON.",
                    "res_model": "calendar.event",
                    "res_id": event.id,
                    "planned_at": fields.Datetime.now() - timedelta(minutes=1),
                }
                for partner, event in zip(partners, events, strict=False)
            ]
        )
        while env["participant.sms.dispatcher"]._dispatch_batch(
            company, 1000, auto_commit=True
        ):
            pass
        cr.commit()
        numbers = messages.mapped("number")
        ids = {
            "partners": partners.ids,
            "events": events.ids,
            "sms": messages.ids,
            "package": package.id,
        }

    latencies, errors, lock = [], [], threading.Lock()
    url = f"{args.url}/participant_sms/inbound/{token}"
    # the replies: "OUI" to every SMS, then "NON" to every tenth (a later reply:
    # recorded only)
    posts = [(f"bench-{index}", numbers[index], "OUI") for index in range(n)]
    posts += [
        (f"bench-late-{index}", numbers[index], "NON") for index in range(0, n, 10)
    ]

    target = urlsplit(url)

    def client(part):
        # http.client, not requests: a light client leaves the two cores to the server
        for inbound_id, number, text in part:
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(
                    target.hostname, target.port, timeout=30
                )
                connection.request(
                    "POST",
                    target.path,
                    urlencode({"id": inbound_id, "number": number, "text": text}),
                    {"Content-Type": "application/x-www-form-urlencoded"},
                )
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                connection.close()
            except OSError:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors.append(inbound_id)

    first, late = posts[:n], posts[n:]
    parts = [first[i :: args.clients] for i in range(args.clients)]
    started = time.perf_counter()
    wall = run_threads(client, [(part,) for part in parts])
    run_threads(client, [(late[i :: args.clients],) for i in range(args.clients)])
    drained = None
    while time.perf_counter() - started < args.drain_timeout:
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM participant_sms_reply WHERE result = 'pending'"
            )
            if not cr.fetchone()[0]:
                drained = time.perf_counter() - started
                break
        time.sleep(0.2)

    with registry.cursor() as cr:
        cr.execute(
            "SELECT count(*) FROM calendar_event WHERE id IN %s AND "
            "participant_outcome_from_reply",
            [tuple(ids["events"])],
        )
        applied = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM participant_sms WHERE id IN %s AND sent_at IS NOT "
            "NULL",
            [tuple(ids["sms"])],
        )
        sent = cr.fetchone()[0]
        cr.execute(
            "SELECT result, count(*) FROM participant_sms_reply WHERE sms_id IN %s "
            "GROUP BY result",
            [tuple(ids["sms"])],
        )
        results = dict(cr.fetchall())
        cr.execute(
            "SELECT count(*) FROM participant_appointment_theme_line WHERE event_id "
            "IN %s",
            [tuple(ids["events"])],
        )
        themes = cr.fetchone()[0]
        cr.execute(
            "DELETE FROM participant_sms_reply WHERE sms_id IN %s OR inbound_id LIKE "
            "'bench-%%'",
            [tuple(ids["sms"])],
        )
        cr.execute(
            "DELETE FROM mail_message WHERE model = 'calendar.event' AND res_id IN %s",
            [tuple(ids["events"])],
        )
        cr.execute("DELETE FROM participant_sms WHERE id IN %s", [tuple(ids["sms"])])
        cr.execute("DELETE FROM calendar_event WHERE id IN %s", [tuple(ids["events"])])
        cr.execute(
            "DELETE FROM participant_sms_package WHERE id = %s", [ids["package"]]
        )
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        env["res.partner"].browse(ids["partners"]).unlink()
        env.company.psms_account_id = saved_account

    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    total = len(posts)
    print(
        f"Reply endpoint benchmark: {n} first replies + {len(late)} later ones, "
        f"{args.clients} concurrent clients"
    )
    print(f"  webhook    : {n / wall:7.1f} replies/s  ({wall:.2f} s for the first {n})")
    print(
        f"  latency    : median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms (all {total} "
        "posts)"
    )
    if drained is None:
        print(f"  drain      : NOT finished within {args.drain_timeout} s")
    else:
        print(
            f"  end to end : all {total} applied {drained:.2f} s after the first post "
            f"({total / drained:.1f} replies/s)"
        )
    print(
        f"  errors     : {len(errors)}; outcomes set by a reply: {applied} of the "
        f"{sent} SMS "
        f"the simulator sent (numbers ending in 96-98 are not sent on purpose); "
        f"results {results}; 'SMS reply' themes: {themes}"
    )


if __name__ == "__main__":
    main()
