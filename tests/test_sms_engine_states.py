# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The engine's invariants under random sequences of edits, failures and crashes.

A Hypothesis ``RuleBasedStateMachine`` drives real records in the test's database:
appointments, steps and orientations created with and without reminders, automations
before and after, changes of participant, date, location, collaborator, template, text,
delay and send time, unticking, archiving, deleting records and participants, mobile and
consent changes, dispatch through the simulator (whose numbers ending in 96/97/98 lose
the answer, fail, are refused), status polls, crashes between the provider's answer and
its recording, time passing, and users without permission trying each edit. After every
step the invariants I1-I5 of ``models/participant_sms.py`` are checked, computed here
from the records (not with the engine's own helpers), plus the conservation of credits.

Each example runs inside a savepoint rolled back at its end, with a frozen clock that
only the "time passes" rule moves. ``PSMS_STATE_EXAMPLES`` / ``PSMS_STATE_STEPS`` change
the amount (``bench/bench_engine_states.py`` runs many more, with random seeds).
"""

import logging
import os
from datetime import datetime, timedelta

from freezegun import freeze_time
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_engine import PendingSmsChecks
from .common_sms import SmsCommon, create_sms_user

_logger = logging.getLogger(__name__)
EXAMPLES = int(os.environ.get("PSMS_STATE_EXAMPLES", 200))
STEPS = int(os.environ.get("PSMS_STATE_STEPS", 25))
RANDOM = os.environ.get("PSMS_STATE_RANDOM") == "1"
START = datetime(2031, 3, 3, 8, 30)  # a Monday, 09:30 in Paris
MOBILES = [
    "+33 6 12 00 00 11",
    "+33 6 12 00 00 22",
    "+33 6 12 00 00 97",
    "+33 6 12 00 00 96",
    "+33 6 12 00 00 98",
    False,
    "0123",
]
EXPECTED = (UserError, ValidationError)
FINAL = {"delivered", "failed", "expired", "stop", "cancelled", "not_sent", "unknown"}


class EngineMachine(PendingSmsChecks, RuleBasedStateMachine):
    case = None  # the TransactionCase running the machine

    def __init__(self):
        super().__init__()
        case = self.case
        self.env = case.env
        self.savepoint = case.env.cr.savepoint()
        self.freezer = freeze_time(START)
        self.clock = self.freezer.start()
        self.records = []  # (model, id) created by the machine
        self.typed = set()  # (model, id) whose reminder text was typed by hand
        self.finals = {}  # sms id -> final state first seen
        self.participants = list(case.machine_participants.ids)

    def teardown(self):
        stats = self.case.stats
        for sms in self.env["participant.sms"].sudo().search([]):
            stats.setdefault(f"{sms.purpose or sms.origin}:{sms.state}", set()).add(
                (id(self), sms.id)
            )
        stats.setdefault("records", set()).update((id(self), r) for r in self.records)
        self.freezer.stop()
        self.savepoint.close(rollback=True)
        self.env.invalidate_all()

    # -- helpers -----------------------------------------------------------------------
    def _try(self, action):
        """Run ``action`` in a savepoint; an expected refusal rolls it back."""
        try:
            with self.env.cr.savepoint():
                action()
        except EXPECTED:
            self.env.invalidate_all()
            self.case.stats.setdefault("refused edits", set()).add(
                (id(self), len(self.case.stats))
            )
            return False
        return True

    def _record(self, data):
        model, res_id = data.draw(st.sampled_from(self.records))
        record = self.env[model].with_context(active_test=False).browse(res_id)
        return record if record.exists() else None

    def _start_field(self, record):
        return record._psms_event_start_field

    def _as(self, user, record):
        return record.with_user(user).with_context(active_test=False)

    # -- creating records --------------------------------------------------------------
    @initialize(
        data=st.data(),
        before=st.booleans(),
        after=st.booleans(),
        count=st.integers(1, 4),
    )
    def a_service(self, data, before, after, count):
        """Automations of the first collaborator, and appointments they apply to."""
        case = self.case
        for timing, wanted in (("before", before), ("after", after)):
            if wanted:
                self.create_automation(
                    timing, data.draw(st.integers(1, 3)), 0, 0, False
                )
        for _i in range(count):
            self.create_record(
                data,
                "appointment",
                data.draw(st.integers(30, 5 * 24)),
                data.draw(st.sampled_from([None, None, "template"])),
                "1",
                0,
                0,
            )
        case.stats.setdefault("services", set()).add(id(self))

    @rule(
        data=st.data(),
        kind=st.sampled_from(["appointment", "step", "orientation"]),
        hours=st.integers(2, 9 * 24),
        reminder=st.sampled_from([None, "template", "typed"]),
        delay=st.sampled_from(["1", "2", "3", False]),
        collaborator=st.integers(0, 1),
        appointment_type=st.integers(0, 1),
    )
    def create_record(
        self, data, kind, hours, reminder, delay, collaborator, appointment_type
    ):
        case = self.case
        partner_id = data.draw(st.sampled_from(self.participants))
        start = datetime.now().replace(minute=0, second=0) + timedelta(hours=hours)
        values = {"participant_id": partner_id}
        if reminder:
            values.update(sms_reminder=True, sms_reminder_days=delay)
            if not delay:
                values["sms_reminder_planned_at"] = start - timedelta(
                    hours=hours // 2 + 1
                )
        if kind == "appointment":
            model, template = "calendar.event", case.template
            values.update(
                name="RDV",
                start=start,
                stop=start + timedelta(hours=1),
                location="Espace Insertion",
                participant_collaborator_id=case.collaborators[collaborator].id,
                participant_appointment_type_id=case.types[appointment_type].id,
            )
        elif kind == "step":
            model, template = "participant.step", case.step_template
            values.update(step_type_id=case.step_type_training.id, planned_start=start)
        else:
            model, template = "participant.orientation", case.orientation_template
            values.update(
                orientation_type_id=case.orientation_type.id, planned_date=start
            )
        if reminder == "template":
            values["sms_reminder_template_id"] = template.id
        elif reminder == "typed":
            values["sms_reminder_body"] = "Rappel : rendez-vous bientôt."
        created = []
        if self._try(
            lambda: created.append(
                self.env[model].with_user(case.user_scheduled).create(values)
            )
        ):
            self.records.append((model, created[0].id))
            if reminder == "typed":
                self.typed.add((model, created[0].id))

    @rule(
        timing=st.sampled_from(["before", "after"]),
        days=st.integers(1, 4),
        collaborator=st.integers(0, 1),
        appointment_type=st.integers(0, 1),
        reply=st.booleans(),
    )
    def create_automation(self, timing, days, collaborator, appointment_type, reply):
        case = self.case
        self.env["participant.sms.automation"].create(
            {
                "name": "Auto",
                "timing": timing,
                "days": days,
                "user_ids": [(6, 0, case.collaborators[collaborator].ids)],
                "appointment_type_ids": [(6, 0, case.types[appointment_type].ids)],
                "template_id": (case.template_reply if reply else case.template).id,
            }
        )

    @rule(mobile=st.sampled_from(MOBILES), refuses=st.booleans())
    def create_participant(self, mobile, refuses):
        partner = self.env["res.partner"].create(
            {
                "name": f"Machine P{len(self.participants)}",
                "is_participant": True,
                "mobile": mobile,
                "accepts_sms": not refuses,
            }
        )
        self.participants.append(partner.id)

    # -- changing records --------------------------------------------------------------
    @precondition(lambda self: self.records)
    @rule(data=st.data(), user=st.sampled_from(["scheduled", "plain"]))
    def change_participant(self, data, user):
        record = self._record(data)
        partner_id = data.draw(st.sampled_from(self.participants))
        if record:
            self._try(
                lambda: self._as(self.case.users[user], record).write(
                    {
                        "participant_id": partner_id,
                        **(
                            {"participant_step_id": False}
                            if record._name == "calendar.event"
                            else {}
                        ),
                    }
                )
            )

    @precondition(lambda self: self.records)
    @rule(
        data=st.data(),
        hours=st.integers(-72, 72),
        user=st.sampled_from(["scheduled", "plain"]),
    )
    def move(self, data, hours, user):
        record = self._record(data)
        if record:
            field = self._start_field(record)
            values = {field: record[field] + timedelta(hours=hours)}
            if record._name == "calendar.event":
                values["stop"] = values[field] + timedelta(hours=1)
            self._try(lambda: self._as(self.case.users[user], record).write(values))

    @precondition(lambda self: self.records)
    @rule(
        data=st.data(),
        location=st.sampled_from(["Mairie", "Agence", ""]),
        collaborator=st.integers(0, 1),
        appointment_type=st.integers(0, 1),
    )
    def change_appointment(self, data, location, collaborator, appointment_type):
        record = self._record(data)
        if record and record._name == "calendar.event":
            case = self.case
            self._try(
                lambda: self._as(case.user_plain, record).write(
                    {
                        "location": location,
                        "participant_collaborator_id": case.collaborators[
                            collaborator
                        ].id,
                        "participant_appointment_type_id": case.types[
                            appointment_type
                        ].id,
                    }
                )
            )

    @precondition(lambda self: self.records)
    @rule(
        data=st.data(),
        what=st.sampled_from(["template", "text", "delay", "time", "untick", "tick"]),
        user=st.sampled_from(["scheduled", "plain"]),
    )
    def edit_reminder(self, data, what, user):
        """A user edits the reminder; without the permission, nothing may change."""
        record = self._record(data)
        if not record:
            return
        case = self.case
        start = record[self._start_field(record)]
        template = {
            "calendar.event": case.template,
            "participant.step": case.step_template,
            "participant.orientation": case.orientation_template,
        }[record._name]
        values = {
            "template": {
                "sms_reminder_template_id": template.id,
                "sms_reminder_body": False,
            },
            "text": {"sms_reminder_body": "Texte revu : à bientôt."},
            "delay": {"sms_reminder_days": data.draw(st.sampled_from(["1", "2", "4"]))},
            "time": {"sms_reminder_planned_at": start - timedelta(hours=5)},
            "untick": {"sms_reminder": False},
            "tick": {
                "sms_reminder": True,
                "sms_reminder_days": "1",
                "sms_reminder_template_id": template.id,
            },
        }[what]
        before = self._sms_snapshot()
        template_before = record.sms_reminder_template_id
        reminder_before = record.sms_reminder
        try:
            with self.env.cr.savepoint():
                self._as(case.users[user], record).write(values)
        except EXPECTED + (AccessError,) as error:
            self.env.invalidate_all()
            self.case.stats.setdefault(f"refused {type(error).__name__}", set()).add(
                (id(self), record.id, what)
            )
            if user == "plain":
                assert self._sms_snapshot() == before, "a refused edit changed SMS"
            elif isinstance(error, AccessError):
                raise
            return
        key = (record._name, record.id)
        if what == "text":
            self.typed.add(key)
        elif what == "template" or (
            what == "tick" and (template_before != template or not reminder_before)
        ):
            self.typed.discard(
                key
            )  # a template chosen, or switched back on: text rewritten

    @precondition(lambda self: self.records)
    @rule(data=st.data(), action=st.sampled_from(["archive", "unarchive", "delete"]))
    def archive_or_delete(self, data, action):
        record = self._record(data)
        if not record:
            return
        if action == "delete":
            self._try(record.unlink)
        elif "active" in record._fields:
            self._try(lambda: record.write({"active": action == "unarchive"}))

    @precondition(lambda self: len(self.participants) > 1)
    @rule(data=st.data())
    def delete_participant(self, data):
        partner = self.env["res.partner"].browse(
            data.draw(st.sampled_from(self.participants))
        )
        if self._try(partner.unlink):
            self.participants.remove(partner.id)

    @rule(data=st.data(), mobile=st.sampled_from(MOBILES), accepts=st.booleans())
    def change_participant_phone(self, data, mobile, accepts):
        partner = self.env["res.partner"].browse(
            data.draw(st.sampled_from(self.participants))
        )
        self._try(lambda: partner.write({"mobile": mobile, "accepts_sms": accepts}))

    # -- time, dispatch, provider ------------------------------------------------------
    @rule(hours=st.integers(3, 48))
    def time_passes_then_crons_run(self, hours):
        self.clock.tick(timedelta(hours=hours))
        self.env["participant.sms.dispatcher"]._cron_dispatch()
        self.env["participant.sms.dispatcher"]._cron_poll_statuses()

    @rule()
    def crash_after_the_provider_answered(self):
        """A dispatcher claims, the provider accepts, and the worker dies before
        recording."""
        dispatcher = self.env["participant.sms.dispatcher"]
        company = self.env.company
        if not company._psms_window().contains(datetime.now()):
            return
        _claimed, sendable, tag = dispatcher._claim_and_charge(company, 50)
        for account, group in sendable.grouped("account_id").items():
            dispatcher._send(group, account, tag)  # answers lost with the worker
        if sendable:
            self.case.stats.setdefault("crashes with SMS in flight", set()).add(
                (id(self), tag)
            )

    # -- invariants --------------------------------------------------------------------
    def _sms_snapshot(self):
        Sms = self.env["participant.sms"].sudo()
        Sms.invalidate_model()
        return sorted(
            Sms.search([]).read(
                [
                    "state",
                    "body",
                    "planned_at",
                    "number",
                    "origin",
                    "author_id",
                    "partner_id",
                ],
                load=None,
            ),
            key=lambda row: row["id"],
        )

    @invariant()
    def invariants_hold(self):
        self.env.invalidate_all()
        self.env.flush_all()
        Sms = self.env["participant.sms"].sudo()
        messages = Sms.search([])
        window = self.env.company._psms_window()
        stored = self.env["participant.sms.simulator.message"].sudo().search([])
        accepted = {}
        for row in stored:
            accepted.setdefault(row.ref, []).append(row.provider_id)
        for sms in messages:
            # I4: a final status never changes
            if sms.id in self.finals:
                assert sms.state == self.finals[sms.id], f"final SMS {sms.id} changed"
            elif sms.state in FINAL:
                self.finals[sms.id] = sms.state
            # I2: accepted at most once; what the provider has is never re-queued or
            #     refunded
            times = accepted.get(str(sms.id), [])
            assert len(times) <= 1, f"SMS {sms.id} sent {len(times)} times"
            if times:
                assert sms.state not in (
                    "queued",
                    "cancelled",
                    "failed",
                    "not_sent",
                ), f"SMS {sms.id} was sent but is {sms.state}"
                assert sms.credits > 0, f"SMS {sms.id} was sent but refunded"
            if sms.provider_id:
                assert times == [
                    sms.provider_id
                ], f"SMS {sms.id} has an unknown provider id"
            # I3: the author of a user's send holds the permission
            group = {
                "scheduled": "group_sms_send_scheduled",
                "instant": "group_sms_send_instant",
                "batch": "group_sms_send_batch",
                "free": "group_sms_send_free",
            }.get(sms.origin)
            if group:
                assert sms.author_id.has_group(f"participant_sms.{group}"), (
                    f"SMS {sms.id} ({sms.origin}) by {sms.author_id.login} without "
                    "permission"
                )
            # I5: nothing leaves outside the window but a test SMS
            if sms.sent_at and sms.origin != "test":
                assert window.contains(
                    sms.sent_at
                ), f"SMS {sms.id} left at {sms.sent_at}"
        # credits: what the package lost is what the SMS hold
        assert self.case.package.consumed == sum(messages.mapped("credits"))
        # I1 on every record
        for model, res_id in self.records:
            record = self.env[model].with_context(active_test=False).browse(res_id)
            pending = messages.filtered(
                lambda s, model=model, res_id=res_id: s.res_model == model
                and s.res_id == res_id
                and s.state == "queued"
                and s.purpose
            )
            if not record.exists():
                assert not pending, f"{model} {res_id} deleted with pending SMS"
                continue
            for purpose in ("reminder", "follow_up"):
                assert (
                    len(
                        pending.filtered(
                            lambda s, purpose=purpose: s.purpose == purpose
                        )
                    )
                    <= 1
                ), f"{model} {res_id}: two pending {purpose} SMS"
            for sms in pending:
                self._check_pending(record, sms, window)


@tagged("post_install", "-at_install")
class TestEngineStates(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"psms_window_start": 8.0, "psms_window_end": 19.0, "psms_max_segments": 3}
        )
        cls.package.quantity = 100000
        cls.env["participant.sms.automation"].search([]).write({"active": False})
        cls.user_scheduled = create_sms_user(
            cls.env,
            "psms_machine_sched",
            "group_participant_user",
            "group_sms_send_scheduled",
        )
        cls.user_plain = create_sms_user(
            cls.env, "psms_machine_plain", "group_participant_user"
        )
        cls.users = {"scheduled": cls.user_scheduled, "plain": cls.user_plain}
        cls.collaborators = [cls.user_scheduled, cls.user_plain]
        cls.types = [
            cls.type_individual,
            cls.env.ref("participant_sms.appointment_type_collective"),
        ]
        cls.template = cls.env.ref("participant_sms.sms_template_appointment")
        cls.template_reply = cls.env.ref(
            "participant_sms.sms_template_appointment_reply"
        )
        cls.step_template = cls.env.ref("participant_sms.sms_template_step")
        cls.orientation_template = cls.env.ref(
            "participant_sms.sms_template_orientation"
        )
        cls.machine_participants = cls.env["res.partner"].create(
            [
                {"name": f"Machine {name}", "is_participant": True, "mobile": mobile}
                for name, mobile in (
                    ("ALPHA", MOBILES[0]),
                    ("BRAVO", MOBILES[1]),
                    ("FAILING", MOBILES[2]),
                    ("LOST", MOBILES[3]),
                )
            ]
        )

    def test_invariants_under_random_sequences(self):
        self.stats = {}
        machine = type("Machine", (EngineMachine,), {"case": self})
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                derandomize=not RANDOM,
                suppress_health_check=list(HealthCheck),
                print_blob=True,
            ),
        )
        _logger.info(
            "engine state machine: %s examples of up to %s steps; reached %s",
            EXAMPLES,
            STEPS,
            ", ".join(
                f"{key} {len(value)}" for key, value in sorted(self.stats.items())
            ),
        )
