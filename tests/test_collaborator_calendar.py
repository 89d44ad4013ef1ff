# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The collaborator's calendar shows the participants' appointments they hold; the engine's
notes are written in the language of the record's staff, not the cron user's.

Invariants:
- every appointment of a participant (form, batch, demo, upgraded data) has its collaborator's
  partner among its attendees, never the participant, and nobody gets an invitation mail;
- a note the engine posts from a cron (run as OdooBot, in English) on an appointment or a step
  is in the language of its collaborator or referent.
"""
import os
from datetime import timedelta

from odoo.modules.migration import load_script
from odoo.modules.module import get_module_path
from odoo.tests import tagged

from ..tools.providers import InboundReply
from .common_sms import SmsCommon, create_sms_user


@tagged("post_install", "-at_install")
class TestCollaboratorCalendar(SmsCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # without the common test context: the addon itself must keep invitations quiet
        cls.env = cls.env(context={})
        cls.user_batch = create_sms_user(cls.env, "psms_att_batch", "group_sms_send_batch")
        cls.Event = cls.env["calendar.event"]

    def _appointment(self, user, **values):
        start = self.in_days(3)
        return self.Event.with_user(user).create(dict({
            "name": "Diagnosis", "participant_id": self.participant.id,
            "participant_appointment_type_id": self.type_individual.id,
            "start": start, "stop": start + timedelta(hours=1)}, **values))

    def _assert_attends(self, events, user):
        partner = user.partner_id
        for event in events.sudo():
            self.assertIn(partner, event.partner_ids)
            self.assertIn(partner, event.attendee_ids.partner_id)
            self.assertNotIn(event.participant_id, event.partner_ids)
        invitations = self.env["mail.message"].sudo().search([
            ("model", "=", "calendar.event"), ("res_id", "in", events.ids),
            ("partner_ids", "in", partner.id)])
        self.assertFalse(invitations, "no invitation mail to the collaborator")
        found = self.Event.with_user(user).search([("partner_ids", "in", partner.id)])
        self.assertEqual(found & events, events, "the collaborator's calendar shows them")

    def test_form_create_adds_the_collaborator(self):
        event = self._appointment(self.user_participant,
                                  participant_collaborator_id=self.user_manager.id)
        self._assert_attends(event, self.user_manager)
        self.assertIn(self.user_participant.partner_id, event.partner_ids,
                      "the other attendees are kept")
        # the creator is the collaborator by default
        own = self._appointment(self.user_participant)
        self._assert_attends(own, self.user_participant)

    def test_collaborator_change_adds_the_new_one(self):
        event = self._appointment(self.user_participant)
        event.with_user(self.user_participant).participant_collaborator_id = self.user_manager
        self._assert_attends(event, self.user_manager)
        self.assertIn(self.user_participant.partner_id, event.partner_ids)

    def test_batch_appointments_have_their_collaborator_only(self):
        ok = self.env["res.partner"].create([
            {"name": f"Batch PARTICIPANT{i}", "is_participant": True,
             "mobile": f"+33 6 12 34 57 {10 + i}"} for i in range(3)])
        start = self.in_days(7, 13)
        wizard = self.env["participant.sms.batch"].with_user(self.user_batch).create({
            "partner_ids": [(6, 0, ok.ids)], "start": start,
            "collaborator_id": self.user_participant.id,
            "appointment_type_id": self.type_individual.id,
            "theme_id": self.env.ref("participant_sms.theme_employment").id,
            "template_id": self.env.ref("participant_sms.sms_template_batch").id,
            "body": "Bonjour {{first_name}}, rendez-vous jeudi."})
        wizard.action_preview()
        wizard.action_validate()
        events = self.Event.search([("participant_id", "in", ok.ids), ("start", "=", start)])
        self.assertEqual(len(events), 3)
        self._assert_attends(events, self.user_participant)
        for event in events:
            self.assertEqual(event.partner_ids, self.user_participant.partner_id)
            self.assertEqual(event.attendee_ids.partner_id, self.user_participant.partner_id)

    def test_demo_appointments(self):
        event = self.env.ref("participant_sms.appointment_01", raise_if_not_found=False)
        if not event:
            self.skipTest("no demo data")
        for i in range(1, 9):
            event = self.env.ref(f"participant_sms.appointment_0{i}")
            self._assert_attends(event, event.participant_collaborator_id)

    def test_upgrade_adds_missing_attendees_once(self):
        event = self._appointment(self.user_participant,
                                  participant_collaborator_id=self.user_manager.id)
        partner = self.user_manager.partner_id
        self.env.flush_all()
        # as a batch made it before 18.0.1.2.0: no attendee at all
        self.env.cr.execute(
            "DELETE FROM calendar_event_res_partner_rel WHERE calendar_event_id = %s", [event.id])
        self.env.cr.execute("DELETE FROM calendar_attendee WHERE event_id = %s", [event.id])
        self.env.invalidate_all()
        path = os.path.join(get_module_path("participant_sms"), "migrations", "18.0.1.2.0",
                            "post-collaborator_attendees.py")
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
class TestNotesInStaffLanguage(SmsCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["participant_sms"], ["fr_FR"],
                                                       overwrite=True)
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
        return self.env["participant.step"].with_user(self.user_participant).create({
            "participant_id": self.participant.id,
            "step_type_id": self.step_type_training.id,
            "planned_start": self.in_days(10, 8), "planned_end": self.in_days(40, 16)})

    def test_reply_notes_in_staff_language(self):
        step = self._step()
        for record, inbound in ((self.event, "fr-1"), (step, "fr-2")):
            sms = self.queue(reply_enabled=True, res_model=record._name, res_id=record.id)
            self._cron("_cron_dispatch")
            self.env["participant.sms.reply"].with_user(self.root).with_context(
                lang="en_US")._process(self.simulator, [
                    InboundReply(inbound, sms.number, "OUI", "")])
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
