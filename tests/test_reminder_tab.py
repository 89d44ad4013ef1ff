# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The reminder tab guides (issue 17, item 2), on appointments, steps and orientations.

Invariants kept, checked through ``odoo.tests.Form`` (the form's own views, modifiers
and onchanges, as the web client runs them):

- R1 ticking *SMS reminder* saves nothing and raises nothing: it prepares the reminder
  in the form (delay from the automation, else two days; planned send; template
  proposed; its text); the toggle does not autosave and the planned send is never
  required before a delay can be chosen.
- R2 what saving would refuse is said in the tab as soon as it is known, in the engine's
  own words (``sms_reminder_warning``): no mobile, refuses SMS, STOP, date too close,
  text over the company's maximum; saving still refuses it, with the same words; an
  empty warning means the save schedules exactly the text shown.
- R3 without *SMS: individual scheduled* the reminder's fields are read-only and the tab
  says why; the server still refuses the change.
- R4 *Send an SMS now* shows only to instant senders, with a text on screen that can go;
  its notice gives the time in the user's language and time zone.
"""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from pytz import timezone

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import orm_examples
from .common_sms import SmsCommon, create_sms_user

FORMS = {
    "calendar.event": "calendar.view_calendar_event_form",
    "participant.step": "participant_sms.view_participant_step_form",
    "participant.orientation": "participant_sms.view_participant_orientation_form",
}
REMINDER_VIEW_FIELDS = (
    "sms_reminder_days",
    "sms_reminder_planned_at",
    "sms_reminder_template_id",
    "sms_reminder_body",
)


@tagged("post_install", "-at_install")
class TestReminderTab(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_scheduled = create_sms_user(
            cls.env, "psms_tab_scheduled", "group_sms_send_scheduled"
        )
        cls.user_both = create_sms_user(
            cls.env,
            "psms_tab_both",
            "group_sms_send_scheduled",
            "group_sms_send_instant",
        )
        cls.env["participant.sms.automation"].search([]).action_archive()
        cls.templates = {
            "calendar.event": cls.env.ref("participant_sms.sms_template_appointment"),
            "participant.step": cls.env.ref("participant_sms.sms_template_step"),
            "participant.orientation": cls.env.ref(
                "participant_sms.sms_template_orientation"
            ),
        }
        cls.participant_2.mobile = "+33 6 99 88 77 66"

    # -- helpers -----------------------------------------------------------------------
    def _form(self, model, user, record=None, participant=None, start=None):
        """A form of ``model`` as ``user``: a new record with its participant and date,
        or ``record``."""
        Model = self.env[model].with_user(user)
        form = Form(record.with_user(user) if record else Model, view=FORMS[model])
        if record:
            return form
        if model == "calendar.event":
            form.name = "Entretien"
            form.participant_appointment_type_id = self.type_individual
        elif model == "participant.step":
            form.step_type_id = self.step_type_training
        else:
            form.orientation_type_id = self.orientation_type
        form.participant_id = participant or self.participant
        self._set_start(form, start or self.in_days(5))
        return form

    @staticmethod
    def _start_field(model):
        return {
            "calendar.event": "start",
            "participant.step": "planned_start",
            "participant.orientation": "planned_date",
        }[model]

    def _set_start(self, form, start):
        model = form._record._name
        form[self._start_field(model)] = start
        if model == "calendar.event":
            form.stop = start + timedelta(hours=1)

    def _create(self, model, user, participant=None, **values):
        base = {"participant_id": (participant or self.participant).id}
        start = self.in_days(5)
        if model == "calendar.event":
            base.update(
                name="Entretien",
                participant_appointment_type_id=self.type_individual.id,
                start=start,
                stop=start + timedelta(hours=1),
            )
        elif model == "participant.step":
            base.update(step_type_id=self.step_type_training.id, planned_start=start)
        else:
            base.update(
                orientation_type_id=self.orientation_type.id, planned_date=start
            )
        return self.env[model].with_user(user).create(dict(base, **values))

    def _button_visible(self, form, user, name="action_sms_send_now"):
        """Whether the button shows in ``form`` for ``user``: in their view (groups) and
        not invisible for the form's current values (the web client's rule)."""
        model = form._record._name
        arch = (
            self.env[model]
            .with_user(user)
            .get_view(self.env.ref(FORMS[model]).id, "form")["arch"]
        )
        buttons = etree.fromstring(arch).xpath(f"//button[@name='{name}']")
        if not buttons:
            return False
        expr = buttons[0].get("invisible") or "False"
        return not safe_eval(expr, form._get_eval_context())

    def _reminder_sms(self, record):
        return self.Sms.search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("purpose", "=", "reminder"),
                ("state", "=", "queued"),
            ]
        )

    # -- R1 ----------------------------------------------------------------------------
    def test_tick_prepares_the_reminder_without_saving(self):
        window = self.company._psms_window()
        for model in FORMS:
            with self.subTest(model=model):
                count = self.Sms.search_count([])
                form = self._form(model, self.user_scheduled)
                form.sms_reminder = True
                self.assertFalse(form.id, "R1: ticking saves nothing")
                self.assertEqual(self.Sms.search_count([]), count)
                self.assertEqual(form.sms_reminder_days, "2", "R1: two days by default")
                start = form[self._start_field(model)]
                self.assertEqual(
                    form.sms_reminder_planned_at,
                    window.reminder_send_at(start, 2, now=fields.Datetime.now()),
                )
                self.assertEqual(form.sms_reminder_template_id, self.templates[model])
                self.assertIn("BENALI", form.sms_reminder_body, "R1: the text is shown")
                self.assertFalse(form.sms_reminder_warning)
                self.assertEqual(
                    form.sms_max_segments,
                    self.company.psms_max_segments,
                    "the counter knows the maximum on a new record",
                )
                record = form.save()
                sms = record.sms_reminder_sms_id
                self.assertEqual(sms.state, "queued")
                self.assertEqual(
                    sms.body, record.sms_reminder_body, "the text shown is sent"
                )

    def test_tick_on_a_saved_record_then_untick(self):
        """An existing step: ticking prepares, unticking before saving leaves
        nothing."""
        step = self._create("participant.step", self.user_scheduled)
        form = self._form("participant.step", self.user_scheduled, record=step)
        form.sms_reminder = True
        self.assertTrue(form.sms_reminder_body)
        self.assertFalse(step.sms_reminder, "R1: not saved")
        form.sms_reminder = False
        form.save()
        self.assertFalse(step.sms_reminder)
        self.assertFalse(self._reminder_sms(step))

    def test_delay_of_the_automation_and_its_template(self):
        """An appointment saved before its automation existed: ticking takes the
        automation's delay and template."""
        event = self._create("calendar.event", self.user_scheduled)
        automation = self.env["participant.sms.automation"].create(
            {
                "name": "J-4",
                "user_ids": [(6, 0, self.user_scheduled.ids)],
                "appointment_type_ids": [(6, 0, self.type_individual.ids)],
                "days": 4,
                "template_id": self.env.ref(
                    "participant_sms.sms_template_appointment_reply"
                ).id,
            }
        )
        form = self._form("calendar.event", self.user_scheduled, record=event)
        form.sms_reminder = True
        self.assertEqual(form.sms_reminder_days, "4", "R1: the automation's delay")
        self.assertEqual(form.sms_reminder_template_id, automation.template_id)
        self.assertIn("Reply YES", form.sms_reminder_body)
        form.save()
        self.assertEqual(event.sms_reminder_sms_id.origin, "automation")

    def test_the_toggle_does_not_save_and_planned_send_is_not_required(self):
        """What made ticking save at once with a red "Invalid fields: Planned send"."""
        for model, view in FORMS.items():
            with self.subTest(model=model):
                arch = etree.fromstring(
                    self.env[model]
                    .with_user(self.user_scheduled)
                    .get_view(self.env.ref(view).id, "form")["arch"]
                )
                page = arch.xpath("//page[@name='sms_reminder']")[0]
                toggle = page.xpath(".//field[@name='sms_reminder']")[0]
                self.assertIs(safe_eval(toggle.get("options"))["autosave"], False)
                planned = page.xpath(".//field[@name='sms_reminder_planned_at']")[0]
                self.assertFalse(planned.get("required"))

    # -- R2 ----------------------------------------------------------------------------
    def _impossible(self, form, words, error=UserError):
        self.assertIn(words, form.sms_reminder_warning or "")
        self.assertFalse(self._button_visible(form, self.user_both))
        with self.assertRaises(error) as caught:
            form.save()
        self.assertEqual(
            caught.exception.args[0],
            form.sms_reminder_warning,
            "R2: the tab said what saving refuses, in the same words",
        )

    def test_no_mobile_said_when_ticked(self):
        self.participant_2.mobile = False
        for model in FORMS:
            with self.subTest(model=model):
                form = self._form(model, self.user_both, participant=self.participant_2)
                form.sms_reminder = True
                self.assertTrue(form.sms_reminder, "R2: said, not unticked")
                self._impossible(form, "Kevin MOREAU has no mobile number.")

    def test_refusal_and_stop_said_when_ticked(self):
        self.participant_2.accepts_sms = False
        form = self._form(
            "participant.orientation", self.user_both, participant=self.participant_2
        )
        form.sms_reminder = True
        self._impossible(form, "Kevin MOREAU refuses SMS.")
        self.env["phone.blacklist"].sudo()._add(["+33612345678"])
        form = self._form("calendar.event", self.user_both)
        form.sms_reminder = True
        self._impossible(form, "Nadia BENALI answered STOP.")

    def test_participant_changed_after_ticking(self):
        self.participant_2.mobile = False
        form = self._form("participant.step", self.user_both)
        form.sms_reminder = True
        self.assertFalse(form.sms_reminder_warning)
        form.participant_id = self.participant_2
        self.assertIn("no mobile number", form.sms_reminder_warning)
        form.participant_id = self.participant
        self.assertFalse(form.sms_reminder_warning)

    def test_text_follows_the_form(self):
        """The text shown is the one saving sends: a date changed after ticking rewrites
        it from its template, as saving would."""
        for model in FORMS:
            with self.subTest(model=model):
                form = self._form(model, self.user_both)
                form.sms_reminder = True
                before = form.sms_reminder_body
                self._set_start(form, self.in_days(9, 15))
                self.assertNotEqual(form.sms_reminder_body, before)
                date = self.env["participant.sms.template"]._event_values(
                    self.in_days(9, 15), "en_US"
                )["date"]
                self.assertIn(date, form.sms_reminder_body)
                record = form.save()
                self.assertEqual(
                    record.sms_reminder_sms_id.body, record.sms_reminder_body
                )
                self.assertEqual(
                    record.sms_reminder_body,
                    record._psms_render(record.sms_reminder_template_id),
                )

    def test_date_too_close_said(self):
        form = self._form("participant.step", self.user_both)
        form.sms_reminder = True
        start = form.planned_start
        form.sms_reminder_planned_at = start + timedelta(hours=1)
        self.assertFalse(form.sms_reminder_days, "a typed send time replaces the delay")
        self.assertIn("before the start", form.sms_reminder_warning)
        form.sms_reminder_planned_at = fields.Datetime.now() - timedelta(days=1)
        self.assertIn("in the past", form.sms_reminder_warning)
        form.sms_reminder_planned_at = start - timedelta(days=1)
        self.assertFalse(form.sms_reminder_warning)
        form.planned_start = fields.Datetime.now() - timedelta(hours=2)
        self.assertIn(
            "only possible for something in the future", form.sms_reminder_warning
        )
        # a window that closes before the start: no moment left to send it
        self.company.write({"psms_window_start": 8.0, "psms_window_end": 9.0})
        form = self._form("calendar.event", self.user_both)
        tz = timezone(self.company._psms_zone().tz)
        now_local = fields.Datetime.now().replace(tzinfo=timezone("UTC")).astimezone(tz)
        # tomorrow 08:30 local, unless there is still time today: the check is the
        # engine's
        start = (
            tz.localize(
                (now_local + timedelta(days=1)).replace(
                    hour=8, minute=30, second=0, microsecond=0, tzinfo=None
                )
            )
            .astimezone(timezone("UTC"))
            .replace(tzinfo=None)
        )
        self._set_start(form, start)
        form.sms_reminder = True
        form.sms_reminder_days = "1"
        try:
            self.company._psms_window().reminder_send_at(
                start, 1, now=fields.Datetime.now()
            )
        except Exception:  # noqa: BLE001 - the engine's own verdict decides what to expect
            self._impossible(form, "inside the send window")
        else:
            self.assertFalse(form.sms_reminder_warning)

    def test_text_over_the_maximum_said(self):
        self.company.psms_max_segments = 3
        form = self._form("calendar.event", self.user_both)
        form.sms_reminder = True
        form.sms_reminder_body = "a" * 153 * 3 + "b"
        self._impossible(form, "The text needs 4 SMS", error=ValidationError)

    def test_empty_text_without_template_said(self):
        form = self._form("participant.step", self.user_both)
        form.sms_reminder = True
        form.sms_reminder_template_id = self.env["participant.sms.template"]
        form.sms_reminder_body = False
        self.assertIn(
            "Choose an SMS template or type the text", form.sms_reminder_warning
        )
        self.assertFalse(self._button_visible(form, self.user_both))

    # -- R3 ----------------------------------------------------------------------------
    def test_without_permission_read_only_with_reason(self):
        for model in FORMS:
            with self.subTest(model=model):
                form = self._form(model, self.user_participant)
                self.assertIn(
                    "SMS: individual scheduled", form.sms_reminder_readonly_reason
                )
                with self.assertRaisesRegex(AssertionError, "readonly"):
                    form.sms_reminder = True
        # a colleague's reminder on a participant the user does not refer
        for model in FORMS:
            with self.subTest(model=model, record="saved"):
                record = self._create(
                    model,
                    self.user_scheduled,
                    participant=self.participant_2,
                    sms_reminder=True,
                    sms_reminder_days="2",
                    sms_reminder_template_id=self.templates[model].id,
                )
                form = self._form(model, self.user_participant, record=record)
                self.assertFalse(form.sms_reminder_can_edit)
                self.assertIn(
                    "SMS: individual scheduled", form.sms_reminder_readonly_reason
                )
                for name in REMINDER_VIEW_FIELDS + ("sms_reminder",):
                    with self.assertRaisesRegex(AssertionError, "readonly"):
                        form[name] = form[name]
                # the server refuses it anyway (R3)
                as_user = record.with_user(self.user_participant)
                with self.assertRaises(AccessError):
                    as_user.write({"sms_reminder_days": "3"})
                with self.assertRaises(AccessError):
                    as_user.write({"sms_reminder": False})
                self.assertEqual(record.sms_reminder_sms_id.state, "queued")

    def test_referent_without_permission_may_switch_off(self):
        """The participant's referent may cancel the reminder (switch it off), not
        change it."""
        step = self._create(
            "participant.step",
            self.user_scheduled,
            sms_reminder=True,
            sms_reminder_days="2",
            sms_reminder_template_id=self.templates["participant.step"].id,
        )
        sms = step.sms_reminder_sms_id
        form = self._form("participant.step", self.user_participant, record=step)
        self.assertTrue(form.sms_reminder_can_switch_off)
        with self.assertRaisesRegex(AssertionError, "readonly"):
            form.sms_reminder_days = "3"
        form.sms_reminder = False
        form.save()
        self.assertEqual(sms.state, "cancelled")

    def test_automation_prefill_saved_by_a_user_without_permission(self):
        """The readonly prefill is still sent on save (force_save): the automation's
        reminder is scheduled, as the guide says."""
        self.env["participant.sms.automation"].create(
            {
                "name": "J-2",
                "user_ids": [(6, 0, self.user_participant.ids)],
                "appointment_type_ids": [(6, 0, self.type_individual.ids)],
                "days": 2,
                "template_id": self.templates["calendar.event"].id,
            }
        )
        form = self._form("calendar.event", self.user_participant)
        self.assertTrue(form.sms_reminder)
        self.assertIn("SMS: individual scheduled", form.sms_reminder_readonly_reason)
        event = form.save()
        self.assertEqual(event.sms_reminder_sms_id.origin, "automation")
        self.assertEqual(event.sms_reminder_sms_id.body, event.sms_reminder_body)

    def test_sent_reminder_is_read_only(self):
        step = self._create(
            "participant.step",
            self.user_scheduled,
            sms_reminder=True,
            sms_reminder_days="2",
            sms_reminder_template_id=self.templates["participant.step"].id,
        )
        step.sms_reminder_sms_id.sudo()._set_state("sent")
        form = self._form("participant.step", self.user_scheduled, record=step)
        self.assertIn("already left", form.sms_reminder_readonly_reason)
        with self.assertRaisesRegex(AssertionError, "readonly"):
            form.sms_reminder = False

    def test_a_record_whose_reminder_left_or_is_not_mine_still_moves(self):
        """Invariant: the form's copy of the text the engine renders is not a change of
        the user's: an appointment whose reminder left is still moved and saved (the
        sent SMS kept as it was), and a user without *SMS: individual scheduled* moves
        an appointment whose reminder is pending (the engine follows, as for any move).
        """
        for model in FORMS:
            with self.subTest(model=model):
                record = self._create(
                    model,
                    self.user_scheduled,
                    sms_reminder=True,
                    sms_reminder_days="2",
                    sms_reminder_template_id=self.templates[model].id,
                )
                sent = record.sms_reminder_sms_id
                text = sent.body
                sent.sudo()._set_state("sent")
                form = self._form(model, self.user_scheduled, record=record)
                self._set_start(form, self.in_days(8))
                form.save()
                self.assertEqual((sent.state, sent.body), ("sent", text))

                if model == "calendar.event":
                    # an appointment's form is its attendees' to change (calendar)
                    continue
                record = self._create(
                    model,
                    self.user_scheduled,
                    sms_reminder=True,
                    sms_reminder_days="2",
                    sms_reminder_template_id=self.templates[model].id,
                )
                pending = record.sms_reminder_sms_id
                # the participant's referent, without the permission
                form = self._form(model, self.user_participant, record=record)
                self._set_start(form, self.in_days(9))
                form.save()
                self.assertEqual(record.sms_reminder_sms_id, pending)
                self.assertEqual(pending.state, "queued")
                self.assertEqual(pending.planned_at, record.sms_reminder_planned_at)
                self.assertEqual(pending.body, record.sms_reminder_body)

    # -- R4 ----------------------------------------------------------------------------
    def test_send_now_only_for_a_text_on_screen_that_can_go(self):
        form = self._form("calendar.event", self.user_both)
        self.assertFalse(
            self._button_visible(form, self.user_both), "reminder off: no text"
        )
        form.sms_reminder = True
        self.assertTrue(self._button_visible(form, self.user_both))
        self.assertFalse(
            self._button_visible(form, self.user_scheduled),
            "only for *SMS: individual instant*",
        )
        form.sms_reminder_body = "x" * 1000
        self.assertFalse(self._button_visible(form, self.user_both), "cannot go")
        form.sms_reminder_body = False
        form.sms_reminder_template_id = self.env["participant.sms.template"]
        self.assertFalse(
            self._button_visible(form, self.user_both), "no text on screen"
        )

    def test_send_now_sends_the_text_shown_only(self):
        event = self._create(
            "calendar.event",
            self.user_both,
            sms_reminder_template_id=self.templates["calendar.event"].id,
        )
        with self.assertRaisesRegex(UserError, "type the text"):
            event.with_user(self.user_both).action_sms_send_now()

    def test_send_now_notice_in_the_user_format(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.user_both.write({"tz": "Pacific/Noumea", "lang": "fr_FR"})
        event = self._create(
            "calendar.event",
            self.user_both,
            sms_reminder_body="Bonjour, votre rendez-vous.",
        )
        action = (
            event.with_user(self.user_both)
            .with_context(lang="fr_FR", tz="Pacific/Noumea")
            .action_sms_send_now()
        )
        sms = self.Sms.search([("res_id", "=", event.id), ("origin", "=", "instant")])
        local = sms.planned_at.replace(tzinfo=timezone("UTC")).astimezone(
            timezone("Pacific/Noumea")
        )
        message = action["params"]["message"]
        self.assertIn(
            local.strftime("%d/%m/%Y %H:%M"), message, "R4: French, Nouméa time"
        )
        self.assertNotIn(fields.Datetime.to_string(sms.planned_at)[:16], message)

    # -- R1 + R2 over any sequence -----------------------------------------------------
    actions = st.lists(
        st.one_of(
            st.just(("tick",)),
            st.just(("untick",)),
            st.tuples(st.just("days"), st.sampled_from(["1", "2", "6"])),
            st.tuples(
                st.just("planned"), st.sampled_from([-30, -2, 2, 30])
            ),  # hours from start
            st.tuples(
                st.just("start"), st.sampled_from([-1, 1, 3, 8])
            ),  # days from now
            st.tuples(
                st.just("participant"), st.sampled_from(["ok", "no_mobile", "refuses"])
            ),
            st.tuples(st.just("body"), st.sampled_from(["short", "long", "empty"])),
        ),
        min_size=1,
        max_size=8,
    )

    @orm_examples(20)
    @given(st.sampled_from(sorted(FORMS)), actions)
    def test_any_sequence_never_raises_before_saving(self, model, steps):
        """R1/R2: whatever the user does in the form, nothing is raised before saving;
        then the save refuses exactly what the tab said (same words), or schedules the
        text shown."""
        # the previous example was rolled back under the caches
        self.env.invalidate_all()
        with self.env.cr.savepoint(flush=False) as savepoint:
            no_mobile = self.env["res.partner"].create(
                {"name": "Sans MOBILE", "is_participant": True}
            )
            refuses = self.env["res.partner"].create(
                {
                    "name": "Refus SMS",
                    "is_participant": True,
                    "mobile": "+33 6 55 44 33 22",
                    "accepts_sms": False,
                }
            )
            participants = {
                "ok": self.participant,
                "no_mobile": no_mobile,
                "refuses": refuses,
            }
            form = self._form(model, self.user_both)
            for step in steps:
                self._play(form, step, participants)
                if not form.sms_reminder:
                    self.assertFalse(form.sms_reminder_warning)
            warning = form.sms_reminder_warning if form.sms_reminder else False
            if warning:
                with self.assertRaises(UserError) as caught:  # ValidationError is one
                    form.save()
                self.assertEqual(caught.exception.args[0], warning)
            else:
                record = form.save()
                sms = self._reminder_sms(record)
                if record.sms_reminder:
                    self.assertEqual(sms.body, record.sms_reminder_body)
                else:
                    self.assertFalse(sms)
            savepoint.close(rollback=True)

    def _play(self, form, step, participants):
        """One user action, if the form lets the user do it (not read-only, visible)."""

        def editable(name):
            return not (
                form._get_modifier(name, "readonly")
                or form._get_modifier(name, "invisible")
            )

        kind = step[0]
        start_name = self._start_field(form._record._name)
        if kind in ("tick", "untick") and editable("sms_reminder"):
            form.sms_reminder = kind == "tick"
        elif kind == "days" and editable("sms_reminder_days"):
            form.sms_reminder_days = step[1]
        elif kind == "planned" and editable("sms_reminder_planned_at"):
            form.sms_reminder_planned_at = form[start_name] + timedelta(hours=step[1])
        elif kind == "start":
            self._set_start(form, self.in_days(step[1]))
        elif kind == "participant":
            form.participant_id = participants[step[1]]
        elif kind == "body" and editable("sms_reminder_body"):
            form.sms_reminder_body = {
                "short": "Rappel : à bientôt.",
                "long": "a" * 600,
                "empty": False,
            }[step[1]]
