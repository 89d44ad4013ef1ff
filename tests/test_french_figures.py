# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What French users read (issue 17): the time of a reply, the counts, the remaining
credit.

Invariants:

- a reply's time is converted once, to the company's zone: the theme line "SMS reply",
  the chatter note and the collaborator's to-do give the same local date and time, in
  winter, in summer and on the days the clocks change (Europe/Paris), whatever the zone
  of the user who applies the replies;
- a count of 1 reads in the singular ("1 nouvelle réponse", "1 crédit"), other counts in
  the plural;
- the settings show the real remaining credit when they open (the web client's first
  ``onchange`` on a new record), not 0.
"""

from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common_sms import SmsCommon


@tagged("post_install", "-at_install")
class TestFrenchFigures(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"].search(
            [("name", "=", "participant_sms")]
        )._update_translations(["fr_FR"])
        cls.company.psms_zone = "metropole"
        # the user applying the replies (the cron's) lives in Paris too: a second
        # conversion to their zone would show one or two hours more
        cls.env.user.tz = "Europe/Paris"
        cls.collaborator = new_test_user(
            cls.env,
            login="psms_fr_figures",
            lang="fr_FR",
            tz="Europe/Paris",
            groups="base.group_user,participant_sms.group_participant_user,"
            "participant_sms.group_sms_send_scheduled",
        )
        cls.env.ref("participant_sms.outcome_confirmed").reply_alert = True

    def _sent_reminder(self):
        """A new appointment of the collaborator and its reminder, sent and open to
        replies."""
        start = self.in_days(3)
        event = self.env["calendar.event"].create(
            {
                "name": "Bilan",
                "participant_id": self.participant.id,
                "participant_collaborator_id": self.collaborator.id,
                "participant_appointment_type_id": self.type_individual.id,
                "start": start,
                "stop": start + timedelta(hours=1),
            }
        )
        sms = self.queue(res_id=event.id, reply_enabled=True)
        sms.sudo().write(
            {
                "state": "sent",
                "sent_at": fields.Datetime.now(),
                "account_id": self.simulator.id,
            }
        )
        return event, sms

    def _reply_at(self, received_at, inbound_id):
        event, sms = self._sent_reminder()
        reply = (
            self.env["participant.sms.reply"]
            .sudo()
            .create(
                {
                    "account_id": self.simulator.id,
                    "inbound_id": inbound_id,
                    "number": sms.number,
                    "text": "OUI",
                    "received_at": received_at,
                    "result": "pending",
                }
            )
        )
        reply._apply_all()
        return event, reply

    def test_reply_time_is_the_same_local_time_everywhere(self):
        theme = self.env.ref("participant_sms.theme_sms_reply")
        cases = [  # received (UTC) -> date and time in Paris
            (datetime(2026, 1, 15, 4, 1), "15/01/2026", "05:01"),  # winter, UTC+1
            (datetime(2026, 7, 15, 3, 1), "15/07/2026", "05:01"),  # summer, UTC+2
            (
                datetime(2026, 3, 28, 23, 30),
                "29/03/2026",
                "00:30",
            ),  # the night clocks go on
            (
                datetime(2026, 10, 25, 0, 30),
                "25/10/2026",
                "02:30",
            ),  # before they go back
            (
                datetime(2026, 10, 25, 1, 30),
                "25/10/2026",
                "02:30",
            ),  # after: 02:30 again
        ]
        for index, (received_at, day, time) in enumerate(cases):
            with self.subTest(received_at=received_at):
                event, reply = self._reply_at(received_at, f"fr-{index}")
                self.assertEqual(reply.result, "applied")
                line = event.participant_theme_line_ids.filtered(
                    lambda line: line.theme_id == theme
                )
                self.assertIn(f"Réponse reçue le {day} à {time}", line.synthesis)
                note = event.message_ids.filtered(lambda message: "OUI" in message.body)
                self.assertEqual(len(note), 1)
                self.assertIn(f"{day} {time}", note.body)
                todo = self.participant.activity_ids
                self.assertEqual(len(todo), 1)
                self.assertIn(f"{day} à {time}", todo.note)
                self.participant.activity_ids.unlink()

    def test_new_replies_banner_singular_and_plural(self):
        desk_model = (
            self.env["participant.sms.desk"]
            .with_user(self.collaborator)
            .with_context(lang="en_US")
        )
        event, sms = self._sent_reminder()
        Reply = self.env["participant.sms.reply"].sudo()
        values = {
            "account_id": self.simulator.id,
            "number": sms.number,
            "text": "ok",
            "sms_id": sms.id,
            "partner_id": self.participant.id,
            "event_id": event.id,
            "result": "no_keyword",
        }
        self.assertFalse(desk_model.create({}).new_reply_message)
        Reply.create(dict(values, inbound_id="desk-1"))
        desk = desk_model.create({})
        self.assertEqual(desk.new_reply_count, 1)
        self.assertEqual(desk.new_reply_message, "1 new reply to your appointments.")
        Reply.create(dict(values, inbound_id="desk-2"))
        desk = desk_model.create({})
        self.assertEqual(desk.new_reply_message, "2 new replies to your appointments.")

    def test_counts_in_french(self):
        """The French of the singular and plural forms (read from i18n/fr.po merged with
        the translation template: it needs the template regenerated with the new
        strings)."""
        Desk = self.env["participant.sms.desk"].with_context(lang="fr_FR")
        self.assertEqual(
            Desk._new_reply_message(1), "1 nouvelle réponse à vos entretiens."
        )
        self.assertEqual(
            Desk._new_reply_message(2), "2 nouvelles réponses à vos entretiens."
        )
        self.package.quantity = 1
        opened = self._settings_as_opened()
        self.assertEqual(opened["psms_credit_unit"], "crédit,")
        self.assertEqual(
            opened["psms_credit_month_unit"], "crédits utilisés ce mois-ci"
        )
        self.package.quantity = 2
        self.queue().sudo().write(
            {"state": "sent", "sent_at": fields.Datetime.now(), "credits": 1}
        )
        opened = self._settings_as_opened()
        self.assertEqual(opened["psms_credit_unit"], "crédits,")
        self.assertEqual(opened["psms_credit_month_unit"], "crédit utilisé ce mois-ci")

    def _settings_as_opened(self, lang="fr_FR"):
        """The settings as the web client opens them: ``onchange`` on a new record."""
        spec = dict.fromkeys(
            (
                "company_id",
                "psms_credit_remaining",
                "psms_credit_unit",
                "psms_credit_month",
                "psms_credit_month_unit",
            ),
            {},
        )
        return (
            self.env["res.config.settings"]
            .with_context(lang=lang)
            .onchange({}, [], spec)["value"]
        )

    def test_settings_show_the_remaining_credit_when_they_open(self):
        self.package.quantity = 1000
        opened = self._settings_as_opened("en_US")
        self.assertEqual(
            (opened["psms_credit_remaining"], opened["psms_credit_unit"]),
            (1000, "credits,"),
        )
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.psms_credit_remaining, 1000)

    def test_settings_credit_singular_and_plural(self):
        self.package.unlink()
        self.env["participant.sms.package"].create({"name": "One", "quantity": 1})
        self.queue().sudo().write(
            {"state": "sent", "sent_at": fields.Datetime.now(), "credits": 1}
        )
        opened = self._settings_as_opened("en_US")
        self.assertEqual(
            (opened["psms_credit_remaining"], opened["psms_credit_unit"]),
            (1, "credit,"),
        )
        self.assertEqual(
            (opened["psms_credit_month"], opened["psms_credit_month_unit"]),
            (1, "credit used this month"),
        )
        self.env["participant.sms.package"].create({"name": "Two", "quantity": 1})
        self.queue().sudo().write(
            {"state": "sent", "sent_at": fields.Datetime.now(), "credits": 1}
        )
        opened = self._settings_as_opened("en_US")
        self.assertEqual(
            (opened["psms_credit_remaining"], opened["psms_credit_unit"]),
            (2, "credits,"),
        )
        self.assertEqual(
            (opened["psms_credit_month"], opened["psms_credit_month_unit"]),
            (2, "credits used this month"),
        )
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(
            (
                settings.psms_credit_remaining,
                settings.psms_credit_unit,
                settings.psms_credit_month_unit,
            ),
            (2, "credits,", "credits used this month"),
        )
