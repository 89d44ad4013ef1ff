# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Scale-out benchmark: several Odoo servers on one database dispatch, poll and take
replies at the same time, on Odoo's own engine (its cron runner and HTTP workers).

For each number of servers K (``--servers 1,2,3``) it starts K Odoo servers on loopback
(``--workers=2 --max-cron-threads=1``, one database given with ``-d`` and no
``--db-filter``, the production set-up of bench_replies.py), and makes two
runs on them:

* PEER: one dispatcher (*Parallel dispatchers* = 1): the dispatch and status-poll crons
  are single ``ir.cron`` records, which Odoo's cron runner never runs twice at once:
  Odoo's own model (its ``sms.sms`` queue is one cron record too), whatever K;
* OURS: K parallel dispatchers (the crons' copies), so each server's cron worker can
  run one.

Each run queues COUNT SMS (one text each: one provider request each) to a fake OVH
server of this process (configurable latency, an optional rate limit on the account),
releases them, wakes the crons, and posts REPLIES inbound replies to the servers'
webhook (round robin, a tenth posted twice as a provider retrying would) while they
dispatch; it waits until every SMS is delivered (sent, then polled) and every reply
applied, then checks:

* no SMS sent twice (the numbers the fake received), none missing;
* no reply lost or recorded twice (replies recorded = distinct inbound ids posted,
  none left pending);
* the rate limit (``--rate`` requests per second, 0: none) kept: the busiest second
  the fake saw holds no more than the slots of a window of 1 + ``--jitter`` s (a request
  reaches the fake up to that late after its slot on a loaded machine, see README);

and prints the throughputs side by side. The servers are stopped at the end, on
Ctrl-C and on errors too. Without ``--db`` a database ``psms_bench_scale`` is created
(without demo data) if it does not exist.

    python3 bench/bench_scale_out.py --count 5000 --replies 2000 [--servers 1,2,3]
        [--rate 0] [--latency 0.005] [--base-port 8291]
"""

import argparse
import collections
import http.client
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ADDONS_DIR, load_fakes, run_threads  # noqa: E402

BATCH_REF = "BENCH-SCALE-OUT"
DISPATCH = "participant_sms.ir_cron_sms_dispatch"
POLL = "participant_sms.ir_cron_sms_poll_statuses"


load_fakes()  # the tests' local servers and the framework-free tools
from psms_fakes.fake_providers import FakeOvh  # noqa: E402
from psms_tools.providers.throttle import allowed_in_window, max_in_window  # noqa: E402


class _Delivered(dict):
    """The fake's outgoing messages, each delivered at once (OVH's receipt 1): one
    status poll settles it."""

    def __setitem__(self, key, value):
        super().__setitem__(key, {**value, "deliveryReceipt": 1})


class BenchOvh(FakeOvh):
    def __init__(self):
        super().__init__()
        self.outgoing = _Delivered()


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="psms_bench_scale")
    parser.add_argument("--addons-path", default=ADDONS_DIR)
    parser.add_argument("--count", type=int, default=50000)
    parser.add_argument("--replies", type=int, default=20000)
    parser.add_argument("--servers", default="1,2,3")
    parser.add_argument("--rate", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.005)
    parser.add_argument("--jitter", type=float, default=0.1)
    parser.add_argument("--base-port", type=int, default=8291)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--timeout", type=int, default=1800)
    return parser.parse_args()


def ensure_database(args):
    exists = subprocess.run(
        ["psql", "-lqt"], capture_output=True, text=True, check=True
    ).stdout
    if any(line.split("|")[0].strip() == args.db for line in exists.splitlines()):
        return
    print(f"Creating database {args.db} (participant_sms, no demo data)...", flush=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            f"--addons-path={args.addons_path}",
            "-d",
            args.db,
            "-i",
            "participant_sms",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
            f"--http-port={args.base_port}",
        ],
        check=True,
    )


def odoo_command():
    """``odoo-bin`` beside the ``odoo`` package: in prefork mode the server starts its
    long-polling process by running its own script again, which ``-m odoo`` is not."""
    import odoo

    script = pathlib.Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    return (
        [sys.executable, str(script)]
        if script.exists()
        else [sys.executable, "-m", "odoo"]
    )


class Servers:
    """K Odoo servers on loopback, stopped (their process groups, by id) on exit."""

    def __init__(self, args, count):
        self.args, self.count, self.procs = args, count, []
        self.ports = [args.base_port + i for i in range(count)]

    def __enter__(self):
        for index, port in enumerate(self.ports):
            log = open(f"/tmp/bench_scale_out_{port}.log", "w")  # noqa: SIM115
            self.procs.append(
                subprocess.Popen(
                    [
                        *odoo_command(),
                        f"--addons-path={self.args.addons_path}",
                        "-d",
                        self.args.db,
                        "--workers=2",
                        "--max-cron-threads=1",
                        f"--http-port={port}",
                        # the long-polling port, one per server
                        f"--gevent-port={self.args.base_port + 4 + index}",
                        "--http-interface=127.0.0.1",
                        "--log-level=warn",
                        "--limit-time-real=3600",
                        "--limit-time-cpu=3600",
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        for port in self.ports:
            self._wait_up(port)
        return self

    def _wait_up(self, port, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/web/health")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the Odoo server on port {port} did not start")

    def __exit__(self, *exc):
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def open_registry(args):
    import odoo
    from odoo.tools import config

    config.parse_config(
        ["--addons-path", args.addons_path, "-d", args.db, "--log-level", "warn"]
    )
    return odoo.modules.registry.Registry(args.db)


def environment(cr):
    from odoo import api

    return api.Environment(
        cr, api.SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True}
    )


def setup_account(registry, ovh, rate):
    """The company sends through an OVH account at the fake, all day, every day."""
    with registry.cursor() as cr:
        env = environment(cr)
        settings = ovh.settings()
        Account = env["participant.sms.account"].with_context(active_test=False)
        account = Account.search([("name", "=", "Bench scale-out")], limit=1)
        values = {
            "name": "Bench scale-out",
            "provider": "ovh",
            "endpoint": settings["endpoint"],
            "ovh_application_key": settings["application_key"],
            "ovh_application_secret": settings["application_secret"],
            "ovh_consumer_key": settings["consumer_key"],
            "ovh_service_name": settings["service_name"],
            "rate_limit": rate,
            "active": True,
        }
        if account:
            account.write(values)
        else:
            account = Account.create(values)
        env.company.write(
            {
                "psms_account_id": account.id,
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
                "psms_quiet_days": False,
            }
        )
        token = account._issue_token()
        # the servers' cron runners every minute, in case a wake-up is missed (the
        # copies made later copy it)
        (env.ref(DISPATCH) | env.ref(POLL)).write(
            {"interval_number": 1, "interval_type": "minutes"}
        )
        env.flush_all()
        return account.id, token


def set_parallel(registry, count, timeout=300):
    """Parallel dispatchers = ``count``; a cron still running (the polls of the
    previous run) cannot be written yet: try again a moment later."""
    from odoo.exceptions import UserError

    deadline = time.monotonic() + timeout
    while True:
        try:
            with registry.cursor() as cr:
                env = environment(cr)
                env["ir.config_parameter"].set_param(
                    "participant_sms.parallel_dispatchers", str(count)
                )
                env["ir.cron"]._psms_sync_parallel()
                env.flush_all()
            break
        except UserError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    registry.signal_changes()  # the servers drop their cached setting


def clean(registry, attempts=30):
    """Delete what a run made; a poll still running on the servers may hold a row a
    moment: try again then."""
    import psycopg2.errors

    for attempt in range(attempts):
        try:
            return _clean(registry)
        except psycopg2.errors.SerializationFailure:
            if attempt == attempts - 1:
                raise
            time.sleep(1)


def _clean(registry):
    with registry.cursor() as cr:
        cr.execute(
            "DELETE FROM participant_sms_reply WHERE inbound_id LIKE 'bx-%%' OR "
            "sms_id IN (SELECT id FROM participant_sms WHERE batch_ref = %s)",
            [BATCH_REF],
        )
        cr.execute("DELETE FROM participant_sms WHERE batch_ref = %s", [BATCH_REF])
        cr.execute("DELETE FROM participant_sms_package WHERE name = %s", [BATCH_REF])


def numbers_for(count):
    numbers, i = [], 0
    while len(numbers) < count:
        number = f"+336{10000000 + i:08d}"
        if not number.endswith("98"):  # the fake OVH refuses those
            numbers.append(number)
        i += 1
    return numbers


def queue(registry, numbers):
    """COUNT SMS planned for later (the crons leave them), one text each."""
    from odoo import fields

    later = fields.Datetime.now() + timedelta(days=1)
    with registry.cursor() as cr:
        env = environment(cr)
        env["participant.sms.package"].create(
            {
                "name": BATCH_REF,
                "quantity": len(numbers) * 2,
                "purchase_date": "2000-01-01",
            }
        )
        for start in range(0, len(numbers), 5000):
            env["participant.sms"]._queue(
                [
                    {
                        "origin": "free",
                        "context_type": "free",
                        "number": number,
                        "body": f"Bench {start + index}: rendez-vous jeudi 10h.",
                        "planned_at": later,
                        "batch_ref": BATCH_REF,
                    }
                    for index, number in enumerate(numbers[start : start + 5000])
                ]
            )
            env.flush_all()
            cr.commit()
            env.invalidate_all()


def wake(registry, xmlids):
    with registry.cursor() as cr:
        env = environment(cr)
        for xmlid in xmlids:
            env.ref(xmlid)._trigger()
            for copy in env["ir.cron"]._psms_parallel_copies(xmlid):
                copy._trigger()


def figures(registry):
    with registry.cursor() as cr:
        cr.execute(
            """SELECT count(*) FILTER (WHERE provider_id IS NOT NULL),
                      count(*) FILTER (WHERE state = 'delivered'),
                      count(*)
                 FROM participant_sms WHERE batch_ref = %s""",
            [BATCH_REF],
        )
        sent, delivered, total = cr.fetchone()
        cr.execute(
            """SELECT count(*), count(DISTINCT inbound_id),
                      count(*) FILTER (WHERE result = 'pending')
                 FROM participant_sms_reply WHERE inbound_id LIKE 'bx-%%'"""
        )
        return sent, delivered, total, *cr.fetchone()


def post_replies(ports, token, numbers, replies, clients):
    """REPLIES inbound replies, round robin on the servers, a tenth posted twice (a
    provider that retries). Return (posted, errors)."""
    posts = [(f"bx-{i}", numbers[i % len(numbers)]) for i in range(replies)]
    posts += posts[::10]
    errors = []

    def client(part):
        for index, (inbound_id, number) in part:
            port = ports[index % len(ports)]
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                connection.request(
                    "POST",
                    f"/participant_sms/inbound/{token}",
                    urlencode({"id": inbound_id, "senderid": number, "message": "OUI"}),
                    {"Content-Type": "application/x-www-form-urlencoded"},
                )
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status != 200:
                    errors.append(inbound_id)
            except OSError:
                errors.append(inbound_id)

    indexed = list(enumerate(posts))
    run_threads(client, [(indexed[i::clients],) for i in range(clients)])
    return len(posts), errors


def run(registry, args, ovh, ports, parallel, token, numbers):
    clean(registry)
    set_parallel(registry, parallel)
    queue(registry, numbers)
    ovh.jobs.clear()
    ovh.requests.clear()
    ovh.request_times.clear()
    with registry.cursor() as cr:
        cr.execute(
            "UPDATE participant_sms SET planned_at = now() at time zone 'utc' - "
            "interval '1 minute' WHERE batch_ref = %s",
            [BATCH_REF],
        )
    started, started_wall = time.perf_counter(), time.time()
    wake(registry, [DISPATCH, POLL])
    poster = threading.Thread(
        target=lambda: result.update(
            zip(
                ("posted", "errors"),
                post_replies(ports, token, numbers, args.replies, args.clients),
                strict=True,
            )
        )
    )
    result = {"sent_at": None, "delivered_at": None, "replies_at": None}
    poster.start()
    last_wake = time.perf_counter()
    while time.perf_counter() - started < args.timeout:
        sent, delivered, total, replies, distinct, pending = figures(registry)
        now = time.perf_counter() - started
        if result["sent_at"] is None and sent == total:
            result["sent_at"] = now
        if result["delivered_at"] is None and delivered == total:
            result["delivered_at"] = now
        if (
            result["replies_at"] is None
            and not poster.is_alive()
            and distinct == args.replies
            and not pending
        ):
            result["replies_at"] = now
        if all(result[key] is not None for key in ("delivered_at", "replies_at")):
            break
        if time.perf_counter() - last_wake > 3:  # the polls run again
            wake(registry, [POLL] if sent == total else [DISPATCH, POLL])
            last_wake = time.perf_counter()
        time.sleep(0.25)
    poster.join()
    received = collections.Counter(
        receiver for job in ovh.jobs for receiver in job["receivers"]
    )
    sent, delivered, total, replies, distinct, pending = figures(registry)
    result.update(
        servers=len(ports),
        parallel=parallel,
        total=total,
        twice=sum(1 for n in received.values() if n > 1),
        missing=len(set(numbers) - set(received)),
        replies=replies,
        distinct=distinct,
        pending=pending,
        busiest=max_in_window(list(ovh.request_times)),
        mean=len(ovh.request_times)
        / max(ovh.request_times[-1] - ovh.request_times[0], 1e-9)
        if len(ovh.request_times) > 1
        else 0.0,
        requests=len(ovh.request_times),
        first_at=(ovh.request_times or [started_wall])[0] - started_wall,
    )
    return result


def show(runs, args):
    def rate(count, seconds):
        return f"{count / seconds:8.1f}" if seconds else "     n/a"

    print()
    print(
        f"Scale-out benchmark: {args.count} SMS, {args.replies} replies (+10% "
        f"posted twice), fake OVH latency {args.latency * 1000:.0f} ms, rate limit "
        f"{args.rate or 'none'} req/s"
    )
    print(
        "servers  run    dispatchers  sent/s  delivered/s  replies/s  "
        "busiest s  mean req/s  sent twice  missing  replies rec/distinct/pending"
    )
    for r in runs:
        print(
            f"{r['servers']:>7}  {r['label']:<5}  {r['parallel']:>11}  "
            f"{rate(r['total'], r['sent_at'])}  {rate(r['total'], r['delivered_at'])}"
            f"     {rate(args.replies, r['replies_at'])}  {r['busiest']:>9}  "
            f"{r['mean']:>10.1f}  "
            f"{r['twice']:>10}  {r['missing']:>7}  "
            f"{r['replies']}/{r['distinct']}/{r['pending']}"
        )
    # a request reaches the fake up to ``--jitter`` s after its slot, never before: the
    # requests of a one-second window had their slots in a window of 1 + jitter s
    limit = allowed_in_window(args.rate, 1.0 + args.jitter) if args.rate else None
    ok = all(
        r["twice"] == 0
        and r["missing"] == 0
        and r["replies"] == r["distinct"] == args.replies
        and r["pending"] == 0
        and r["sent_at"]
        and r["delivered_at"]
        and (limit is None or r["busiest"] <= limit)
        for r in runs
    )
    print(
        "checks: "
        + ("all passed" if ok else "FAILED")
        + " (no SMS sent twice or missing, every reply recorded once and applied"
        + (f", at most {limit} requests in any second" if limit else "")
        + ")"
    )
    return ok


def main():
    args = parse()
    if args.addons_path == ADDONS_DIR and not os.path.isdir(ADDONS_DIR):
        parser_hint = "--addons-path (a folder holding participant_sms)"
        sys.exit(f"{ADDONS_DIR} does not exist: give {parser_hint}")
    import odoo

    # Odoo's own addons, beside the odoo package the servers run
    odoo_addons = os.path.join(os.path.dirname(odoo.__file__), "addons")
    if odoo_addons not in args.addons_path and os.path.isdir(odoo_addons):
        args.addons_path += "," + odoo_addons
    ensure_database(args)
    registry = open_registry(args)
    numbers = numbers_for(args.count)
    runs = []
    with BenchOvh() as ovh:
        ovh.latency = args.latency
        _account_id, token = setup_account(registry, ovh, args.rate)
        try:
            for count in [int(k) for k in args.servers.split(",")]:
                with Servers(args, count) as servers:
                    for label, parallel in (("PEER", 1), ("OURS", count)):
                        if label == "OURS" and count == 1:
                            continue  # the same run as the peer's
                        result = run(
                            registry, args, ovh, servers.ports, parallel, token, numbers
                        )
                        result["label"] = label
                        runs.append(result)
                        print(
                            f"  {count} server(s), {parallel} dispatcher(s): "
                            f"sent in {result['sent_at']} s, delivered in "
                            f"{result['delivered_at']} s, replies in "
                            f"{result['replies_at']} s (first request after "
                            f"{result['first_at']:.1f} s)",
                            flush=True,
                        )
        finally:
            clean(registry)
            set_parallel(registry, 1)
    sys.exit(0 if show(runs, args) else 1)


if __name__ == "__main__":
    main()
