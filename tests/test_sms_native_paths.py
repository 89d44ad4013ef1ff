# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's own SMS features (``sms``, ``calendar_sms``) never text a participant.

Invariant: whatever Odoo path a user takes (the composer in comment, mass and numbers
modes, the contact's "Send SMS" actions, an SMS server action, the calendar "SMS"
button, ``_message_sms``), a recipient who is a participant, or whose number is a
participant's mobile (in any spelling), is refused with one translated message before
any ``sms.sms`` exists; the same paths to other contacts work as in Odoo. The calendar
SMS alarm (a cron) never fails: it texts the other attendees and leaves participants to
the appointment's own reminder. Checked as an employee with Odoo's SMS rights only and
as a Participants user; Odoo's SMS service is Odoo's own test gateway
(``sms.tests.common.MockSMS``: Odoo blocks IAP calls in tests).
"""

import logging
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.sms.tests.common import MockSMS

REFUSAL = "Odoo's own SMS features do not send to participants"
PARTICIPANT_E164 = "+33612345678"
OTHER_E164 = "+33698765432"


@tagged("post_install", "-at_install")
class TestSmsNativePaths(MockSMS):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(
                cls.env.context, no_mail_to_attendees=True, mail_create_nolog=True
            )
        )
        france = cls.env.ref("base.fr")
        # Odoo's composer reads "0033…" (France's international prefix) with the
        # company's country, whatever the database (with or without demo data)
        cls.env.company.country_id = france
        cls.users = {
            "employee": mail_new_test_user(
                cls.env,
                login="psms_native_employee",
                name="Odoo SMS Employee",
                groups="base.group_user,base.group_partner_manager",
            ),
            "participant_user": mail_new_test_user(
                cls.env,
                login="psms_native_user",
                name="Participants User",
                groups="participant_sms.group_participant_user",
            ),
        }
        # a national spelling: the refusal must recognise it in E.164 form too
        cls.participant = cls.env["res.partner"].create(
            {
                "name": "Nadia BENALI",
                "is_participant": True,
                "mobile": "06 12 34 56 78",
                "country_id": france.id,
            }
        )
        cls.other = cls.env["res.partner"].create(
            {
                "name": "Company Contact",
                "mobile": "+33 6 98 76 54 32",
                "country_id": france.id,
            }
        )
        cls.other_2 = cls.env["res.partner"].create(
            {
                "name": "Second Contact",
                "mobile": "+33 6 98 76 54 31",
                "country_id": france.id,
            }
        )
        # not a participant, but their mobile is the participant's
        cls.same_phone = cls.env["res.partner"].create(
            {
                "name": "Mother of Nadia",
                "mobile": "+33 6 12 34 56 78",
                "country_id": france.id,
            }
        )
        cls.server_action = cls.env["ir.actions.server"].create(
            {
                "name": "SMS to contacts",
                "state": "sms",
                "sms_method": "sms",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "sms_template_id": cls.env["sms.template"]
                .create(
                    {
                        "name": "Contact SMS",
                        "model_id": cls.env["ir.model"]._get_id("res.partner"),
                        "body": "Hello {{ object.name }}",
                    }
                )
                .id,
            }
        )
        cls.start = fields.Datetime.now().replace(microsecond=0) + timedelta(minutes=30)

    # ----------------------------------------------------------------------------------
    # helpers
    # ----------------------------------------------------------------------------------

    def sms_count(self):
        return self.env["sms.sms"].sudo().search_count([])

    def assertRefused(self, call):
        """``call`` raises the refusal and leaves no new ``sms.sms``."""
        before = self.sms_count()
        with self.assertRaises(UserError) as caught:
            call()
        self.assertIn(REFUSAL, str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(self.sms_count(), before, "an sms.sms was created")
        return str(caught.exception)

    def assertTexted(self, call, numbers):
        """``call`` creates one ``sms.sms`` per number of ``numbers`` (E.164), as Odoo
        does."""
        before = self.env["sms.sms"].sudo().search([]).ids
        call()
        self.env.flush_all()
        created = self.env["sms.sms"].sudo().search([("id", "not in", before)])
        self.assertEqual(sorted(created.mapped("number")), sorted(numbers))
        self.assertNotIn(PARTICIPANT_E164, created.mapped("number"))

    def composer(self, env, mode, partners=None, numbers=None, body="Hello"):
        context = {"default_composition_mode": mode}
        if partners is not None:
            context["default_res_model"] = "res.partner"
            if mode == "comment" and len(partners) == 1:
                context["default_res_id"] = partners.id
            else:
                context["default_res_ids"] = repr(partners.ids)
        values = {"body": body}
        if numbers:
            values["numbers"] = numbers
        return env["sms.composer"].with_context(**context).create(values)

    def send(self, env, mode, partners=None, numbers=None):
        return lambda: self.composer(env, mode, partners, numbers).action_send_sms()

    def event(self, partners):
        return self.env["calendar.event"].create(
            {
                "name": "Information meeting",
                "start": self.start,
                "stop": self.start + timedelta(hours=1),
                "partner_ids": [(6, 0, partners.ids)],
            }
        )

    def user_envs(self):
        return [(name, self.env(user=user)) for name, user in self.users.items()]

    def sent_numbers(self):
        return [sms["number"] for sms in self._sms]

    # ----------------------------------------------------------------------------------
    # refused for participants
    # ----------------------------------------------------------------------------------

    def test_composer_refuses_participants_in_every_mode(self):
        for name, env in self.user_envs():
            with self.subTest(user=name), self.mockSMSGateway():
                participant = self.participant.with_env(env)
                self.assertRefused(self.send(env, "comment", participant))
                self.assertRefused(self.send(env, "mass", participant | self.other))
                # typed in another spelling than the participant's
                self.assertRefused(
                    self.send(env, "numbers", numbers="+33 6 12 34 56 78")
                )
                self.assertRefused(
                    self.send(env, "numbers", numbers=f"{OTHER_E164}, 0033612345678")
                )
                # a contact whose mobile is the participant's
                self.assertRefused(
                    self.send(env, "comment", self.same_phone.with_env(env))
                )
                self.assertFalse(self._sms)

    def test_contact_send_sms_actions_refuse_participants(self):
        for name, env in self.user_envs():
            with self.subTest(user=name), self.mockSMSGateway():
                # the contact form's and list's "Send SMS"
                # (sms/views/res_partner_views.xml)
                self.assertRefused(
                    lambda env=env: env["sms.composer"]
                    .with_context(
                        default_composition_mode="comment",
                        default_res_id=self.participant.id,
                        active_model="res.partner",
                        active_id=self.participant.id,
                    )
                    .create({"body": "Hello"})
                    .action_send_sms()
                )
                self.assertRefused(
                    lambda env=env: env["sms.composer"]
                    .with_context(
                        default_composition_mode="mass",
                        default_mass_keep_log=True,
                        default_res_ids=[self.other.id, self.participant.id],
                        active_model="res.partner",
                    )
                    .create({"body": "Hello"})
                    .action_send_sms()
                )
                self.assertRefused(
                    lambda env=env: self.other.with_env(env)._message_sms_schedule_mass(
                        body="Hello"
                    )
                    and self.participant.with_env(env)._message_sms_schedule_mass(
                        body="Hello"
                    )
                )
                self.assertFalse(self._sms)

    @mute_logger("odoo.addons.base.models.ir_actions")  # Odoo logs the refused action
    def test_sms_server_action_refuses_participants(self):
        """A participants user gets the refusal; an employee, who cannot see
        participants, is stopped by the access rules before."""
        for name, env in self.user_envs():
            with self.subTest(user=name), self.mockSMSGateway():
                run = (
                    self.server_action.with_env(env)
                    .with_context(
                        active_model="res.partner",
                        active_ids=self.participant.ids,
                        active_id=self.participant.id,
                    )
                    .run
                )
                if name == "employee":
                    before = self.sms_count()
                    with self.assertRaises(AccessError):
                        run()
                    self.assertEqual(self.sms_count(), before)
                else:
                    self.assertRefused(run)

    def test_calendar_sms_button_refuses_participant_attendees(self):
        event = self.event(self.participant | self.other)
        for name, env in self.user_envs():
            with self.subTest(user=name):
                message = self.assertRefused(event.with_env(env).action_send_sms)
                if name == "employee":
                    # the employee cannot read participants: they are not named to them
                    self.assertNotIn("BENALI", message)
                else:
                    self.assertIn("Nadia BENALI", message)

    def test_message_sms_refuses_participants(self):
        for name, env in self.user_envs():
            with self.subTest(user=name), self.mockSMSGateway():
                self.assertRefused(
                    lambda env=env: self.participant.with_env(env)._message_sms("Hello")
                )
                self.assertRefused(
                    lambda env=env: self.other.with_env(env)._message_sms(
                        "Hello", partner_ids=self.participant.ids
                    )
                )
                self.assertRefused(
                    lambda env=env: self.other.with_env(env)._message_sms(
                        "Hello", partner_ids=[], sms_numbers=[PARTICIPANT_E164]
                    )
                )
                self.assertRefused(
                    lambda env=env: self.same_phone.with_env(env)._message_sms("Hello")
                )
                self.assertFalse(self._sms)

    def test_sms_sms_itself_refuses_participants(self):
        """The last guard, whoever creates or readdresses an ``sms.sms`` (here the
        superuser)."""
        Sms = self.env["sms.sms"].sudo()
        self.assertRefused(
            lambda: Sms.create(
                {"partner_id": self.participant.id, "number": OTHER_E164, "body": "Hi"}
            )
        )
        self.assertRefused(
            lambda: Sms.create({"number": "06.12.34.56.78", "body": "Hi"})
        )
        sms = Sms.create(
            {"number": OTHER_E164, "body": "Hi", "partner_id": self.other.id}
        )
        self.assertRefused(lambda: sms.write({"number": PARTICIPANT_E164}))

    def test_queued_sms_of_a_new_participant_does_not_leave(self):
        """Queued by Odoo before the contact became a participant: cancelled, never
        sent."""
        sms = (
            self.env["sms.sms"]
            .sudo()
            .create({"number": OTHER_E164, "body": "Hi", "partner_id": self.other.id})
        )
        other = (
            self.env["sms.sms"]
            .sudo()
            .create(
                {"number": "+33698765431", "body": "Hi", "partner_id": self.other_2.id}
            )
        )
        self.other.is_participant = True
        with self.mockSMSGateway():
            (sms | other).send(unlink_sent=False)
        self.assertEqual((sms.state, sms.failure_type), ("canceled", "sms_optout"))
        self.assertEqual(other.state, "pending")
        self.assertEqual(self.sent_numbers(), ["+33698765431"])

    # ----------------------------------------------------------------------------------
    # Odoo's behaviour kept for other contacts
    # ----------------------------------------------------------------------------------

    def test_other_contacts_are_texted_as_in_odoo(self):
        for name, env in self.user_envs():
            with self.subTest(user=name), self.mockSMSGateway():
                other, other_2 = self.other.with_env(env), self.other_2.with_env(env)
                self.assertTexted(self.send(env, "comment", other), [OTHER_E164])
                self.assertTexted(
                    self.send(env, "mass", other | other_2),
                    [OTHER_E164, "+33698765431"],
                )
                self.assertTexted(
                    self.send(env, "numbers", numbers="+33 6 98 76 54 32"), [OTHER_E164]
                )
                self.assertTexted(
                    lambda other=other: other._message_sms("Hello"), [OTHER_E164]
                )
                event = self.event(self.other | self.other_2).with_env(env)
                action = event.action_send_sms()
                self.assertTexted(
                    lambda env=env, action=action: env["sms.composer"]
                    .with_context(**action["context"])
                    .create({"body": "Hello"})
                    .action_send_sms(),
                    [OTHER_E164, "+33698765431"],
                )
                # comment mode and numbers mode send at once, as in Odoo
                self.assertEqual(sorted(set(self.sent_numbers())), [OTHER_E164])
        self.assertTexted(
            lambda: self.server_action.with_context(
                active_model="res.partner",
                active_ids=self.other.ids,
                active_id=self.other.id,
            ).run(),
            [OTHER_E164],
        )

    # ----------------------------------------------------------------------------------
    # the calendar SMS alarm (cron)
    # ----------------------------------------------------------------------------------

    def test_calendar_sms_alarm_skips_participants_and_texts_the_others(self):
        alarm = self.env["calendar.alarm"].create(
            {
                "name": "SMS 1 hour before",
                "alarm_type": "sms",
                "duration": 1,
                "interval": "hours",
            }
        )
        event = self.event(self.participant | self.other | self.same_phone)
        event.alarm_ids = alarm
        # the cron reads the alarms in SQL, as a new transaction would
        self.env.flush_all()
        before = self.env["sms.sms"].sudo().search([]).ids
        logger = "odoo.addons.participant_sms.models.calendar_event_sms"
        with self.mockSMSGateway(), self.assertLogs(logger, logging.INFO) as logs:
            self.env["calendar.alarm_manager"].with_context(
                lastcall=fields.Datetime.now() - timedelta(hours=1)
            )._send_reminder()
        created = self.env["sms.sms"].sudo().search([("id", "not in", before)])
        self.assertEqual(created.mapped("number"), [OTHER_E164])
        self.assertEqual(created.partner_id, self.other)
        self.assertEqual(self.sent_numbers(), [OTHER_E164])
        output = "\n".join(logs.output)
        self.assertIn("2 participant attendee(s)", output)
        for personal in ("Nadia", "BENALI", "Mother", "12 34", "12345678"):
            self.assertNotIn(personal, output)
