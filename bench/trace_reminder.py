# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Trace the trip of one SMS reminder through the code, beside Odoo's calendar_sms.

    python3 bench/trace_reminder.py --db DB [--addons-path PATH]

On a database where participant_sms is installed (with or without demo data), in a
transaction that is rolled back at the end (nothing is kept), the clock frozen on a
Tuesday morning:

- this addon: an appointment with an SMS reminder is **created**, its time **changed**,
  the dispatch cron **sends** it (simulator) and the status **poll** runs;
- Odoo's ``calendar_sms``, the same trip: an event with an SMS alarm is created, its
  time changed, the alarm cron sends it (``sms.sms`` through a local server speaking
  Odoo's IAP SMS protocol, ``tests/fakes``); Odoo has no status poll (the service posts
  reports).

Every Python call is traced (``sys.setprofile``); a call counts when the called
function's file belongs to the code measured: this addon's files, tests and benchmarks
excluded, for ours; the ``calendar``, ``calendar_sms``, ``sms`` and ``phone_validation``
addons for Odoo's. Printed per phase: files, distinct functions, calls; then the whole
trip, and the functions called most. With ``--detail 1``, every function of the trip is
listed by file, with its number of calls.
"""

import os
import sys
from collections import Counter
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ROOT, load_fakes, open_registry, parse_args  # noqa: E402

#: a Tuesday; the appointment is on Friday 10:00 UTC, its reminder one day before
NOW = datetime(2026, 12, 1, 9, 0)
START = datetime(2026, 12, 4, 10, 0)
MOVED = datetime(2026, 12, 4, 14, 0)
OURS = os.path.realpath(ROOT) + os.sep
OURS_EXCLUDED = tuple(
    OURS + folder + os.sep for folder in ("tests", "bench", "scripts")
)


class Tracer:
    """Counts the calls into the measured files, per phase."""

    def __init__(self, keep, detail=False):
        self.keep = keep
        self.detail = detail
        self.phases = {}
        self._calls = None
        self._paths = {}

    def _measured(self, filename):
        known = self._paths.get(filename)
        if known is None:  # "<frozen importlib._bootstrap>", "<string>": not a file
            known = self._paths[filename] = not filename.startswith("<") and self.keep(
                os.path.realpath(filename)
            )
        return known

    def _profile(self, frame, event, _arg):
        if event == "call" and self._measured(frame.f_code.co_filename):
            code = frame.f_code
            self._calls[(code.co_filename, code.co_firstlineno, code.co_qualname)] += 1

    def phase(self, name, function):
        self._calls = Counter()
        sys.setprofile(self._profile)
        try:
            function()
        finally:
            sys.setprofile(None)
        self.phases[name] = self._calls

    def report(self, title):
        print(f"\n{title}")
        print(f"  {'phase':<10} {'files':>6} {'functions':>10} {'calls':>7}")
        whole = Counter()
        for name, calls in self.phases.items():
            whole.update(calls)
            print(
                f"  {name:<10} {len({key[0] for key in calls}):>6} {len(calls):>10} "
                f"{sum(calls.values()):>7}"
            )
        print(
            f"  {'trip':<10} {len({key[0] for key in whole}):>6} {len(whole):>10} "
            f"{sum(whole.values()):>7}"
        )
        print("  most called:")
        for (filename, _line, name), count in whole.most_common(8):
            print(f"    {count:>5}  {name}  ({os.path.basename(filename)})")
        if self.detail:
            print("  every function, by file:")
            for filename in sorted({key[0] for key in whole}):
                addons = os.path.dirname(filename.rsplit(os.sep, 2)[0])
                print(f"    {os.path.relpath(filename, addons)}")
                for key in sorted(key for key in whole if key[0] == filename):
                    print(f"      {whole[key]:>5}  {key[2]}")
        return whole


def ours(path):
    return path.startswith(OURS) and not path.startswith(OURS_EXCLUDED)


def odoo_equivalent(path):
    parts = path.split(os.sep)
    return "addons" in parts and parts[
        parts.index("addons") + 1 : parts.index("addons") + 2
    ] in (["calendar"], ["calendar_sms"], ["sms"], ["phone_validation"])


def create_and_move(env, tracer, freeze_time, values):
    """The first two phases of both trips: the event created at START, then moved to
    MOVED."""
    event = env["calendar.event"]
    with freeze_time(NOW):

        def create():
            nonlocal event
            event = env["calendar.event"].create(
                dict(values, start=START, stop=START + timedelta(hours=1))
            )
            env.flush_all()

        tracer.phase("create", create)

        def change():
            event.write({"start": MOVED, "stop": MOVED + timedelta(hours=1)})
            env.flush_all()

        tracer.phase("change", change)
    return event


def trace_ours(env, freeze_time, detail):
    company = env.company
    company.write(
        {
            "psms_account_id": env.ref("participant_sms.sms_account_simulator").id,
            "psms_window_start": 8.0,
            "psms_window_end": 18.0,
        }
    )
    env["participant.sms.package"].create(
        {"name": "Trace", "quantity": 100, "purchase_date": "2000-01-01"}
    )
    participant = env["res.partner"].create(
        {"name": "Camille TRACE", "is_participant": True, "mobile": "06 12 34 56 78"}
    )
    template = env.ref("participant_sms.sms_template_appointment")
    tracer = Tracer(ours, detail)
    event = create_and_move(
        env,
        tracer,
        freeze_time,
        {
            "name": "Entretien",
            "participant_id": participant.id,
            "location": "Espace Insertion",
            "sms_reminder": True,
            "sms_reminder_days": "1",
            "sms_reminder_template_id": template.id,
        },
    )
    sms = event.sms_reminder_sms_id
    assert sms.state == "queued", sms.state
    with freeze_time(sms.planned_at + timedelta(minutes=1)):

        def dispatch():
            env["participant.sms.dispatcher"]._cron_dispatch()
            env.flush_all()

        tracer.phase("dispatch", dispatch)
    with freeze_time(sms.planned_at + timedelta(minutes=6)):

        def poll():
            env["participant.sms.dispatcher"]._cron_poll_statuses()
            env.flush_all()

        tracer.phase("poll", poll)
    assert sms.state in ("sent", "delivered"), sms.state
    return tracer.report(
        "participant_sms: one reminder (create / change / dispatch / poll)"
    )


def trace_odoo(env, freeze_time, detail):
    from psms_fakes.fake_providers import FakeOdooIap

    account = env["iap.account"].get("sms")
    partner = env["res.partner"].create(
        {"name": "Dominique TRACE", "mobile": "+33 6 12 34 56 79"}
    )
    alarm = env["calendar.alarm"].create(
        {"name": "SMS 1 day", "alarm_type": "sms", "duration": 1, "interval": "days"}
    )
    tracer = Tracer(odoo_equivalent, detail)
    with FakeOdooIap(account.account_token) as server:
        env["ir.config_parameter"].set_param("sms.endpoint", server.url)
        create_and_move(
            env,
            tracer,
            freeze_time,
            {
                "name": "Entretien",
                "partner_ids": [(6, 0, [partner.id])],
                "alarm_ids": [(6, 0, [alarm.id])],
            },
        )
        alarm_at = MOVED - timedelta(days=1)
        with freeze_time(alarm_at + timedelta(minutes=1)):

            def send():
                env["calendar.alarm_manager"].with_context(
                    lastcall=alarm_at - timedelta(minutes=1)
                )._send_reminder()
                env.flush_all()

            tracer.phase("dispatch", send)
        assert server.sent, "Odoo's reminder did not reach the local IAP server"
    return tracer.report(
        "Odoo calendar_sms: one SMS alarm (create / change / dispatch)"
    )


def main():
    args = parse_args(__doc__, detail=(int, 0))
    load_fakes()
    from freezegun import freeze_time

    from odoo import api

    registry = open_registry(args)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": False})
        try:
            trace_ours(env, freeze_time, args.detail)
            trace_odoo(env, freeze_time, args.detail)
        finally:
            cr.rollback()


if __name__ == "__main__":
    main()
