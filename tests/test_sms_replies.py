# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common_sms import CallbackTokens, create_ovh_account
from .fakes.fake_providers import FakeOvh


class RepliesCommon(CallbackTokens, HttpCase):
    """A participant, an appointment and its reply-enabled reminder, sent."""

    def setUp(self):
        super().setUp()
        self.env.company.write(
            {
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
                "psms_max_segments": 3,
                "psms_account_id": False,
            }
        )
        self.env["participant.sms.package"].create({"name": "Credit", "quantity": 50})
        self.simulator = self.env.ref("participant_sms.sms_account_simulator")
        self.participant = self.env["res.partner"].create(
            {
                "name": "Reply PARTICIPANT",
                "is_participant": True,
                "mobile": "+33 6 12 34 56 78",
            }
        )
        self.confirmed = self.env.ref("participant_sms.outcome_confirmed")
        self.cancelled = self.env.ref(
            "participant_sms.outcome_cancelled_by_participant"
        )
        self.event, self.sms = self._reminder()

    def _reminder(self, participant=None):
        participant = participant or self.participant
        start = fields.Datetime.now() + timedelta(days=3)
        event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Confirm me",
                    "participant_id": participant.id,
                    "participant_appointment_type_id": self.env.ref(
                        "participant_sms.appointment_type_individual"
                    ).id,
                    "start": start,
                    "stop": start + timedelta(hours=1),
                }
            )
        )
        sms = self.env["participant.sms"]._queue(
            [
                {
                    "origin": "scheduled",
                    "partner_id": participant.id,
                    "reply_enabled": True,
                    "body": "RDV jeudi. Répondez OUI ou NON.",
                    "res_model": "calendar.event",
                    "res_id": event.id,
                    "planned_at": fields.Datetime.now() - timedelta(minutes=1),
                }
            ]
        )
        self.env["participant.sms.dispatcher"]._cron_dispatch()
        return event, sms

    def _post(self, account=None, **params):
        """Post a reply as the provider does, then run the cron that the webhook
        wakes."""
        account = account or self.simulator
        response = self.url_open(
            f"/participant_sms/inbound/{self.token(account)}", data=params
        )
        self.env["participant.sms.reply"]._cron_process_replies()
        return response

    def _reply(self, text, inbound_id, number="+33612345678", **extra):
        return self._post(id=inbound_id, number=number, text=text, **extra)


@tagged("post_install", "-at_install")
class TestSmsReplies(RepliesCommon):
    """The inbound endpoint and the polling path, with real HTTP requests."""

    def test_valid_reply_applied_with_note(self):
        response = self._reply("OUI", "in-1")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.event.participant_outcome_id, self.confirmed)
        self.assertTrue(self.event.participant_outcome_from_reply)
        self.assertTrue(self.event.participant_reply_at)
        reply = self.sms.reply_ids
        self.assertEqual(
            (reply.result, reply.outcome_id, reply.event_id),
            ("applied", self.confirmed, self.event),
        )
        notes = " ".join(self.event.message_ids.mapped("body"))
        self.assertIn("SMS reply", notes)
        self.assertIn("OUI", notes)
        self.assertIn("Confirmed by the participant", notes)
        found = self.env["calendar.event"].search(
            [("participant_outcome_from_reply", "=", True), ("id", "=", self.event.id)]
        )
        self.assertEqual(found, self.event, "the 'SMS replies' filter finds it")

    def test_the_webhook_records_and_the_cron_applies_the_first_reply_first(self):
        token = self.token(self.simulator)
        for inbound_id, text in (("q-1", "non"), ("q-2", "oui")):
            response = self.url_open(
                f"/participant_sms/inbound/{token}",
                data={"id": inbound_id, "number": "+33612345678", "text": text},
            )
            self.assertEqual(response.status_code, 200)
        replies = self.env["participant.sms.reply"].search(
            [("inbound_id", "in", ("q-1", "q-2"))], order="id"
        )
        self.assertEqual(replies.mapped("result"), ["pending", "pending"])
        self.assertTrue(
            self.env["ir.cron.trigger"].search(
                [
                    (
                        "cron_id",
                        "=",
                        self.env.ref("participant_sms.ir_cron_sms_process_replies").id,
                    )
                ]
            ),
            "the webhook wakes the cron",
        )
        self.assertNotEqual(self.event.participant_outcome_id, self.cancelled)
        self.assertEqual(self.env["participant.sms.reply"]._cron_process_replies(), 2)
        self.assertEqual(replies.mapped("result"), ["applied", "later"])
        self.assertEqual(
            self.event.participant_outcome_id, self.cancelled, "the first counts"
        )
        self.assertEqual(self.env["participant.sms.reply"]._cron_process_replies(), 0)

    def test_keyword_variants(self):
        for index, text in enumerate(["Oui.", " OUI ", "oui merci", "Ok!"]):
            with self.subTest(text=text):
                event, sms = self._reminder(
                    self.env["res.partner"].create(
                        {
                            "name": f"Variant{index} PARTICIPANT",
                            "is_participant": True,
                            "mobile": f"+33 6 22 33 44 {50 + index}",
                        }
                    )
                )
                self._reply(text, f"variant-{index}", number=sms.number)
                self.assertEqual(event.participant_outcome_id, self.confirmed)

    def test_second_reply_recorded_not_applied(self):
        self._reply("non", "in-1")
        self.assertEqual(self.event.participant_outcome_id, self.cancelled)
        self._reply("oui finalement", "in-2")
        self.assertEqual(self.event.participant_outcome_id, self.cancelled)
        self.assertEqual(
            sorted(self.sms.reply_ids.mapped("result")), ["applied", "later"]
        )
        self.assertIn("Later reply", self.event.message_ids[0].body)

    def test_reply_without_keyword(self):
        self._reply("Je serai en retard", "in-1")
        self.assertEqual(self.event.participant_outcome_id.name, "Planned")
        self.assertEqual(self.sms.reply_ids.result, "no_keyword")
        self.assertIn("Je serai en retard", self.event.message_ids[0].body)

    def test_unmatched_reply_kept(self):
        self._reply("oui", "in-x", number="+33699887766")
        reply = self.env["participant.sms.reply"].search([("inbound_id", "=", "in-x")])
        self.assertEqual(reply.result, "unmatched")
        self.assertFalse(reply.sms_id)

    def test_stop(self):
        self._reply("STOP", "in-stop")
        self.assertTrue(
            self.env["phone.blacklist"].sudo().search([("number", "=", "+33612345678")])
        )
        self.assertFalse(self.participant.accepts_sms)
        self.assertEqual(self.event.participant_outcome_id.name, "Planned")
        self.assertEqual(
            self.env["participant.sms.reply"]
            .search([("inbound_id", "=", "in-stop")])
            .result,
            "stop",
        )

    def test_duplicate_delivery_recorded_once(self):
        self._reply("non", "dup-1")
        self._reply("non", "dup-1")
        self.assertEqual(len(self.sms.reply_ids), 1)

    def test_matched_by_provider_reference(self):
        other_event, other_sms = self._reminder()  # a later SMS to the same number
        self._reply("non", "ref-1", ref=self.sms.provider_tag)
        self.assertEqual(self.event.participant_outcome_id, self.cancelled)
        self.assertEqual(other_event.participant_outcome_id.name, "Planned")
        self._reply("oui", "ref-2")  # no reference: the last reply-enabled SMS
        self.assertEqual(other_event.participant_outcome_id, self.confirmed)

    @mute_logger("odoo.addons.participant_sms.controllers.main")
    def test_wrong_token_and_malformed_change_nothing(self):
        count = self.env["participant.sms.reply"].search_count([])
        for token in ("", "nope", "x" * 43):
            response = self.url_open(
                f"/participant_sms/inbound/{token}",
                data={"id": "a", "number": "+33612345678", "text": "oui"},
            )
            self.assertIn(response.status_code, (403, 404))
        for params in ({}, {"id": "a"}, {"number": "+33612345678", "text": "oui"}):
            self.assertEqual(self._post(**params).status_code, 400)
        response = self.url_open(
            f"/participant_sms/inbound/{self.token(self.simulator)}",
            data=b"{oops",
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.env["participant.sms.reply"].search_count([]), count)
        self.assertEqual(self.event.participant_outcome_id.name, "Planned")

    def test_endpoint_is_public_but_needs_the_token(self):
        # no session at all: the token alone authorises it
        self.assertEqual(self._reply("oui", "public-1").status_code, 200)
        self.assertEqual(self.event.participant_outcome_id, self.confirmed)

    def test_polling_path(self):
        with FakeOvh() as server:
            self.env.company.psms_account_id = create_ovh_account(self.env, server)
            event, sms = self._reminder(
                self.env["res.partner"].create(
                    {
                        "name": "Polled PARTICIPANT",
                        "is_participant": True,
                        "mobile": "+33 6 98 76 54 32",
                    }
                )
            )
            self.assertEqual(server.jobs[-1]["senderForResponse"], True)
            server.add_incoming(sms.number, "Oui !", tag=sms.provider_tag)
            self.env["participant.sms.reply"]._cron_poll_replies()
            self.assertEqual(event.participant_outcome_id, self.confirmed)
            self.assertTrue(server.incoming, "kept at the provider until the commit")
            self.env.cr.postcommit.run()  # the cron's commit: only now deleted at OVH
            self.assertEqual(server.incoming, {}, "acknowledged at the provider")
            self.env["participant.sms.reply"]._cron_poll_replies()
            self.assertEqual(len(sms.reply_ids), 1)

    def test_simulated_reply_loop(self):
        """Demo loop: reminder -> delivered -> reply OUI -> appointment confirmed."""
        self.env["participant.sms.dispatcher"]._cron_poll_statuses()
        self.env["participant.sms.dispatcher"]._cron_poll_statuses()
        self.assertEqual(self.sms.state, "delivered")
        action = self.sms.action_simulate_reply()
        wizard = (
            self.env[action["res_model"]].with_context(**action["context"]).create({})
        )
        self.assertEqual(wizard.text, "OUI")
        wizard.action_send()
        self.assertEqual(self.event.participant_outcome_id, self.confirmed)

    def test_keyword_belongs_to_one_outcome(self):
        from odoo.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            self.env.ref(
                "participant_sms.reply_keyword_oui"
            ).outcome_ids |= self.cancelled
        keyword = self.env["participant.reply.keyword"].create(
            {"name": " Volontiers! "}
        )
        self.assertEqual(keyword.name, "volontiers")
        keyword.name = "Évidemment"
        self.assertEqual(keyword.name, "evidemment")
        with self.assertRaises(ValidationError):
            keyword.name = "pas sûr"
