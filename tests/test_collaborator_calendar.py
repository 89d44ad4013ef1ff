# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The collaborator's calendar shows the participants' appointments they hold; the
engine's notes are written in the language of the record's staff, not the cron user's.

Invariants:
- every appointment of a participant (form, demo, upgraded data, or one out of a
  collective appointment) has its collaborator's partner among its attendees, never the
  participant, and nobody gets an invitation mail;
- a batch makes one collective appointment (the session): one event without participant
  data, organised and attended by the collaborator only, and one appointment per
  participant linked to it, without attendees; so the collaborator's calendar shows the
  session once. While linked, an appointment has its session's time and place (moving
  the session moves them through the ORM, their pending SMS reminders with them); an
  appointment given another time, place or collaborator leaves the session, and deleting
  the session leaves its appointments: either way they get their collaborator as
  attendee again;
- an employee outside the Participants groups reads no participant's name through a
  session, and cannot move or delete one that has participants' appointments;
- a note the engine posts from a cron (run as OdooBot, in English) on an appointment or
  a step is in the language of its collaborator or referent.
"""

import os
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from odoo.exceptions import AccessError
from odoo.modules.migration import load_script
from odoo.modules.module import get_module_path
from odoo.tests import tagged

from ..tools.providers import InboundReply
from .common import orm_examples
from .common_sms import SmsCommon, create_sms_user


@tagged("post_install", "-at_install")
class TestCollaboratorCalendar(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # without the common test context: the addon itself must keep invitations quiet
        cls.env = cls.env(context={})
        cls.user_batch = create_sms_user(
            cls.env, "psms_att_batch", "group_sms_send_batch"
        )
        cls.Event = cls.env["calendar.event"]

    def _appointment(self, user, **values):
        start = self.in_days(3)
        return self.Event.with_user(user).create(
            dict(
                {
                    "name": "Diagnosis",
                    "participant_id": self.participant.id,
                    "participant_appointment_type_id": self.type_individual.id,
                    "start": start,
                    "stop": start + timedelta(hours=1),
                },
                **values,
            )
        )

    def _assert_attends(self, events, user):
        partner = user.partner_id
        for event in events.sudo():
            self.assertIn(partner, event.partner_ids)
            self.assertIn(partner, event.attendee_ids.partner_id)
            self.assertNotIn(event.participant_id, event.partner_ids)
        invitations = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "calendar.event"),
                    ("res_id", "in", events.ids),
                    ("partner_ids", "in", partner.id),
                ]
            )
        )
        self.assertFalse(invitations, "no invitation mail to the collaborator")
        found = self.Event.with_user(user).search([("partner_ids", "in", partner.id)])
        self.assertEqual(
            found & events, events, "the collaborator's calendar shows them"
        )

    def test_form_create_adds_the_collaborator(self):
        event = self._appointment(
            self.user_participant, participant_collaborator_id=self.user_manager.id
        )
        self._assert_attends(event, self.user_manager)
        self.assertIn(
            self.user_participant.partner_id,
            event.partner_ids,
            "the other attendees are kept",
        )
        # the creator is the collaborator by default
        own = self._appointment(self.user_participant)
        self._assert_attends(own, self.user_participant)

    def test_collaborator_change_adds_the_new_one(self):
        event = self._appointment(self.user_participant)
        event.with_user(
            self.user_participant
        ).participant_collaborator_id = self.user_manager
        self._assert_attends(event, self.user_manager)
        self.assertIn(self.user_participant.partner_id, event.partner_ids)

    def test_demo_appointments(self):
        event = self.env.ref("participant_sms.appointment_01", raise_if_not_found=False)
        if not event:
            self.skipTest("no demo data")
        for i in range(1, 9):
            event = self.env.ref(f"participant_sms.appointment_0{i}")
            self._assert_attends(event, event.participant_collaborator_id)

    def test_upgrade_adds_missing_attendees_once(self):
        event = self._appointment(
            self.user_participant, participant_collaborator_id=self.user_manager.id
        )
        partner = self.user_manager.partner_id
        self.env.flush_all()
        # as a batch made it before 18.0.1.2.0: no attendee at all
        self.env.cr.execute(
            "DELETE FROM calendar_event_res_partner_rel WHERE calendar_event_id = %s",
            [event.id],
        )
        self.env.cr.execute(
            "DELETE FROM calendar_attendee WHERE event_id = %s", [event.id]
        )
        self.env.invalidate_all()
        path = os.path.join(
            get_module_path("participant_sms"),
            "migrations",
            "18.0.1.2.0",
            "post-collaborator_attendees.py",
        )
        script = load_script(path, "psms_collaborator_attendees")
        script.migrate(self.env.cr, False)  # a new install: nothing to do
        self.assertFalse(event.partner_ids)
        for _run in range(2):
            script.migrate(self.env.cr, "18.0.1.1.0")
        self.assertEqual(event.partner_ids, partner)
        self.assertEqual(event.attendee_ids.partner_id, partner)
        self.assertEqual(event.attendee_ids.state, "accepted")
        self.assertEqual(event.attendee_ids.common_name, partner.name)
        self.assertTrue(event.attendee_ids.access_token)


@tagged("post_install", "-at_install")
class TestCollectiveAppointment(SmsCommon):
    """A batch is one collective appointment in the collaborator's calendar (see the
    module's invariants above)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context={})
        cls.user_batch = create_sms_user(
            cls.env, "psms_coll_batch", "group_sms_send_batch"
        )
        cls.user_scheduled = create_sms_user(
            cls.env, "psms_coll_sched", "group_sms_send_scheduled"
        )
        cls.Event = cls.env["calendar.event"]
        cls.collaborator = cls.user_participant
        cls.attendees = cls.env["res.partner"].create(
            [
                {
                    "name": f"Collectif PARTICIPANT{i}",
                    "is_participant": True,
                    "mobile": f"+33 6 12 34 58 {10 + i}",
                }
                for i in range(3)
            ]
        )
        cls.start = cls.in_days(7, 13)

    def _batch(self, partners=None):
        """A validated batch; its session."""
        wizard = (
            self.env["participant.sms.batch"]
            .with_user(self.user_batch)
            .create(
                {
                    "partner_ids": [(6, 0, (partners or self.attendees).ids)],
                    "start": self.start,
                    "name": "Information collective",
                    "location": "Salle 2",
                    "collaborator_id": self.collaborator.id,
                    "appointment_type_id": self.type_individual.id,
                    "theme_id": self.env.ref("participant_sms.theme_employment").id,
                    "template_id": self.env.ref(
                        "participant_sms.sms_template_batch"
                    ).id,
                    "body": "Bonjour {{first_name}}, information collective jeudi.",
                }
            )
        )
        wizard.action_preview()
        wizard.action_validate()
        appointments = self.Event.search([("participant_id", "in", self.attendees.ids)])
        return appointments.participant_session_id

    def _calendar(self, user):
        """What the user's own calendar shows: the events they attend."""
        return self.Event.with_user(user).search(
            [("partner_ids", "in", user.partner_id.id)]
        )

    def _assert_linked(self, session, appointments):
        """The invariant of a session and the appointments still linked to it."""
        partner = self.collaborator.partner_id
        self.assertEqual(session.partner_ids, partner)
        self.assertEqual(session.attendee_ids.partner_id, partner)
        self.assertEqual(session.participant_session_appointment_ids, appointments)
        for appointment in appointments:
            for name in ("allday", "start", "stop", "location"):
                self.assertEqual(appointment[name], session[name], name)
            self.assertNotIn(partner, appointment.partner_ids)
            self.assertNotIn(appointment.participant_id, appointment.partner_ids)
            sms = appointment.sms_reminder_sms_id
            if appointment.sms_reminder and sms.state == "queued":
                self.assertEqual(
                    sms.deadline, appointment.start, "the reminder follows"
                )
                self.assertLess(sms.planned_at, appointment.start)

    def _assert_unlinked(self, appointments):
        for appointment in appointments:
            collaborator = appointment.participant_collaborator_id
            self.assertFalse(appointment.participant_session_id)
            self.assertIn(collaborator.partner_id, appointment.partner_ids)
            self.assertIn(collaborator.partner_id, appointment.attendee_ids.partner_id)
            self.assertIn(appointment, self._calendar(collaborator))

    def test_batch_is_one_session_in_the_collaborator_calendar(self):
        session = self._batch()
        self.assertEqual(len(session), 1)
        appointments = session.participant_session_appointment_ids
        self.assertEqual(appointments.participant_id, self.attendees)
        self.assertEqual(len(appointments), 3)
        self.assertFalse(session.participant_id)
        self.assertFalse(
            session.participant_company_id, "no participant data: not private"
        )
        self.assertEqual(session.name, "Information collective")
        self.assertEqual(session.user_id, self.collaborator)
        self.assertEqual((session.start, session.location), (self.start, "Salle 2"))
        self.assertEqual(session.stop - session.start, timedelta(hours=1))
        self._assert_linked(session, appointments)
        for appointment in appointments:
            self.assertFalse(appointment.partner_ids)
            self.assertEqual(appointment.participant_collaborator_id, self.collaborator)
        self.assertEqual(
            self._calendar(self.collaborator) & (session | appointments),
            session,
            "the collaborator's calendar shows the session once",
        )
        invitations = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "calendar.event"),
                    ("res_id", "in", (session | appointments).ids),
                    ("partner_ids", "in", self.collaborator.partner_id.id),
                ]
            )
        )
        self.assertFalse(invitations, "no invitation mail to the collaborator")
        # the SMS are the participants' appointments', one batch reference
        messages = self.Sms.search(
            [
                ("res_model", "=", "calendar.event"),
                ("res_id", "in", (session | appointments).ids),
            ]
        )
        self.assertEqual(sorted(messages.mapped("res_id")), sorted(appointments.ids))
        # a second batch is a second session
        other = self._batch(self.attendees[:1])
        self.assertEqual(len(other), 2)

    def test_moving_the_session_moves_the_appointments_and_their_reminders(self):
        session = self._batch()
        appointments = session.participant_session_appointment_ids
        reminded = appointments[0]
        reminded.with_user(self.user_scheduled).write(
            {
                "sms_reminder": True,
                "sms_reminder_days": "1",
                "sms_reminder_template_id": self.env.ref(
                    "participant_sms.sms_template_appointment"
                ).id,
            }
        )
        sms = reminded.sms_reminder_sms_id
        self.assertEqual(sms.state, "queued")
        before = sms.planned_at
        session.with_user(self.collaborator).write(
            {
                "start": self.start + timedelta(days=2),
                "stop": self.start + timedelta(days=2, hours=2),
                "location": "Maison de l'emploi",
            }
        )
        self.assertEqual(appointments.participant_session_id, session)
        self._assert_linked(session, appointments)
        self.assertEqual(reminded.start, self.start + timedelta(days=2))
        self.assertEqual(reminded.location, "Maison de l'emploi")
        pending = reminded.sms_reminder_sms_id
        self.assertEqual(pending.state, "queued")
        self.assertEqual(pending.planned_at.date(), (before + timedelta(days=2)).date())
        self.assertIn("Maison de l'emploi", pending.body)

    def test_deleting_the_session_gives_the_appointments_back_their_collaborator(self):
        session = self._batch()
        appointments = session.participant_session_appointment_ids
        session.with_user(self.collaborator).unlink()
        self.assertEqual(len(appointments.exists()), 3)
        self._assert_unlinked(appointments)
        self.assertEqual(appointments.mapped("start"), [self.start] * 3)

    def test_an_appointment_moved_on_its_own_leaves_the_session(self):
        session = self._batch()
        appointments = session.participant_session_appointment_ids
        moved, changed, kept = appointments
        moved.with_user(self.collaborator).write(
            {
                "start": self.start + timedelta(hours=3),
                "stop": self.start + timedelta(hours=4),
            }
        )
        changed.with_user(
            self.collaborator
        ).participant_collaborator_id = self.user_manager
        self.assertFalse(moved.participant_session_id)
        self._assert_unlinked(moved)
        self.assertFalse(changed.participant_session_id)
        self.assertIn(self.user_manager.partner_id, changed.partner_ids)
        self._assert_linked(session, kept)
        # what does not move it keeps it in the session
        kept.with_user(self.collaborator).participant_outcome_id = self.env.ref(
            "participant_sms.outcome_done"
        )
        kept.with_user(self.collaborator).write({"start": session.start})
        self._assert_linked(session, kept)
        # moving the session later leaves the ones that left where they are
        session.with_user(self.collaborator).write(
            {
                "start": self.start + timedelta(days=1),
                "stop": self.start + timedelta(days=1, hours=1),
            }
        )
        self.assertEqual(moved.start, self.start + timedelta(hours=3))
        self._assert_linked(session, kept)

    def test_outsider_reads_no_participant_through_the_session(self):
        session = self._batch()
        names = self.attendees.mapped("name") + self.attendees.mapped("mobile")
        outsider = self.user_internal  # an employee without the Participants groups
        as_outsider = session.with_user(outsider)
        self.assertIn(session, self._calendar(self.collaborator))
        values = as_outsider.read()[0]
        self.assertNotIn("participant_session_appointment_ids", values)
        self.assertFalse([name for name in names if name in str(values)])
        with self.assertRaises(AccessError):
            as_outsider.read(["participant_session_appointment_ids"])
        linked = self.Event.with_user(outsider).search(
            [("participant_session_id", "=", session.id)]
        )
        for read in linked.read(
            [
                "name",
                "display_name",
                "participant_id",
                "partner_ids",
                "participant_session_id",
                "description",
            ]
        ):
            self.assertFalse([name for name in names if name in str(read)], read)
            self.assertFalse(read["participant_id"])
        self.assertFalse(
            [
                name
                for name in names
                if name
                in str(
                    as_outsider.web_read(
                        {
                            "display_name": {},
                            "partner_ids": {"fields": {"display_name": {}}},
                            "attendee_ids": {"fields": {"display_name": {}}},
                            "location": {},
                        }
                    )
                )
            ]
        )
        # the participants' appointments change only by the Participants groups
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            as_outsider.write(
                {
                    "start": self.start + timedelta(days=1),
                    "stop": self.start + timedelta(days=1, hours=1),
                }
            )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            as_outsider.unlink()
        self.env.invalidate_all()
        self._assert_linked(session, session.participant_session_appointment_ids)

    @orm_examples(15)
    @given(
        st.lists(
            st.one_of(
                st.tuples(st.just("move_session"), st.integers(-2, 3)),
                st.tuples(
                    st.just("relocate_session"),
                    st.sampled_from(["Salle 2", "Salle 5", False]),
                ),
                st.tuples(
                    st.just("move_appointment"), st.integers(0, 2), st.integers(-2, 2)
                ),
                st.tuples(st.just("collaborator"), st.integers(0, 2)),
                st.tuples(st.just("outcome"), st.integers(0, 2)),
                st.tuples(st.just("delete_session")),
            ),
            min_size=1,
            max_size=6,
        )
    )
    def test_any_sequence_keeps_the_invariant(self, steps):
        """Whatever the order of moves, changes and deletion: an appointment is in its
        session exactly while nothing took it away, shares its time and place, and is in
        the collaborator's calendar once, through the session or on its own."""
        # the previous example was rolled back under the caches
        self.env.invalidate_all()
        with self.env.cr.savepoint(flush=False) as savepoint:
            Event = self.Event.with_user(self.collaborator).with_context(
                no_mail_to_attendees=True
            )
            session = Event.create(
                {
                    "name": "Atelier CV",
                    "start": self.start,
                    "stop": self.start + timedelta(hours=1),
                    "location": "Salle 2",
                    "participant_collaborator_id": self.collaborator.id,
                    "partner_ids": [(6, 0, self.collaborator.partner_id.ids)],
                    "participant_outcome_id": False,
                }
            )
            appointments = Event.create(
                [
                    {
                        "name": "Atelier CV",
                        "participant_id": partner.id,
                        "start": self.start,
                        "stop": self.start + timedelta(hours=1),
                        "location": "Salle 2",
                        "participant_appointment_type_id": self.type_individual.id,
                        "participant_session_id": session.id,
                        "partner_ids": [(5,)],
                    }
                    for partner in self.attendees
                ]
            )
            linked = list(appointments)
            for step in steps:
                linked = self._play(step, session, appointments, linked)
                kept = self.Event.browse([a.id for a in linked])
                if session.exists():
                    self._assert_linked(session, kept)
                self._assert_unlinked(appointments - kept)
            savepoint.close(rollback=True)

    def _play(self, step, session, appointments, linked):
        """One change by the collaborator; the appointments still linked afterwards."""
        action = step[0]
        if action == "delete_session":
            if session.exists():
                session.unlink()
            return []
        if action in ("move_session", "relocate_session") and not session.exists():
            return linked
        if action == "move_session":
            shift = timedelta(hours=step[1])
            session.write(
                {"start": session.start + shift, "stop": session.stop + shift}
            )
        elif action == "relocate_session":
            session.write({"location": step[1]})
        elif action == "move_appointment":
            appointment, shift = appointments[step[1]], timedelta(hours=step[2])
            appointment.write(
                {"start": appointment.start + shift, "stop": appointment.stop + shift}
            )
            if shift:
                return [a for a in linked if a != appointment]
        elif action == "collaborator":
            appointment = appointments[step[1]]
            new = (
                self.user_manager
                if appointment.participant_collaborator_id == self.collaborator
                else self.collaborator
            )
            appointment.participant_collaborator_id = new
            return [a for a in linked if a != appointment]
        elif action == "outcome":
            appointments[step[1]].participant_outcome_id = self.env.ref(
                "participant_sms.outcome_done"
            )
        return linked


@tagged("post_install", "-at_install")
class TestNotesInStaffLanguage(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["participant_sms"], ["fr_FR"], overwrite=True
        )
        cls.user_participant.lang = "fr_FR"
        cls.event.participant_collaborator_id = cls.user_participant
        cls.root = cls.env.ref("base.user_root")

    def _cron(self, method):
        # the cron's user and language: OdooBot, English
        dispatcher = self.Dispatcher.with_user(self.root).with_context(lang="en_US")
        getattr(dispatcher, method)()

    def test_sent_and_status_notes_in_collaborator_language(self):
        self.queue()
        self._cron("_cron_dispatch")
        self.assertIn("SMS envoyé à", self.event.message_ids[0].body)
        self._cron("_cron_poll_statuses")
        self._cron("_cron_poll_statuses")
        self.assertIn("Envoyé et reçu", self.event.message_ids[0].body)

    def _step(self):
        return (
            self.env["participant.step"]
            .with_user(self.user_participant)
            .create(
                {
                    "participant_id": self.participant.id,
                    "step_type_id": self.step_type_training.id,
                    "planned_start": self.in_days(10, 8),
                    "planned_end": self.in_days(40, 16),
                }
            )
        )

    def test_reply_notes_in_staff_language(self):
        step = self._step()
        for record, inbound in ((self.event, "fr-1"), (step, "fr-2")):
            sms = self.queue(
                reply_enabled=True, res_model=record._name, res_id=record.id
            )
            self._cron("_cron_dispatch")
            self.env["participant.sms.reply"].with_user(self.root).with_context(
                lang="en_US"
            )._process(self.simulator, [InboundReply(inbound, sms.number, "OUI", "")])
            note = record.message_ids[0].body
            self.assertIn("Réponse SMS du", note)
            self.assertIn("OUI", note)

    def test_step_note_in_referent_language(self):
        step = self._step()
        self.queue(res_model="participant.step", res_id=step.id)
        self._cron("_cron_dispatch")
        self.assertIn("SMS envoyé à", step.message_ids[0].body)

    def test_english_collaborator_keeps_english(self):
        self.user_participant.lang = "en_US"
        self.company.partner_id.lang = "fr_FR"
        self.queue()
        self._cron("_cron_dispatch")
        self.assertIn("SMS sent to", self.event.message_ids[0].body)
