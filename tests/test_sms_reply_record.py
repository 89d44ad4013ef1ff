# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Replies recorded as the guide says (§3.4.4–3.4.5): the first reply adds the theme
"SMS reply" to the appointment, its synthesis giving the date, time and text; an outcome
marked "alert the collaborator" gives the appointment's collaborator a to-do when a
reply sets it."""

from odoo.tests import new_test_user, tagged

from .test_sms_replies import RepliesCommon


@tagged("post_install", "-at_install")
class TestReplyRecord(RepliesCommon):
    def setUp(self):
        super().setUp()
        self.theme = self.env.ref("participant_sms.theme_sms_reply")

    def _lines(self, event=None):
        return (event or self.event).participant_theme_line_ids.filtered(
            lambda line: line.theme_id == self.theme
        )

    def test_first_reply_adds_the_theme_sms_reply_with_date_time_and_text(self):
        self._reply("OUI je viendrai", "in-1")
        line = self._lines()
        self.assertEqual(len(line), 1)
        reply = self.sms.reply_ids
        self.assertIn("OUI je viendrai", line.synthesis)
        self.assertRegex(line.synthesis, r"Reply received on \S+ at \d{1,2}:\d{2}")
        # the later reply is recorded and noted, but adds no second theme entry
        self._reply("finalement non", "in-2")
        self.assertEqual(len(self._lines()), 1)
        self.assertEqual(len(self.sms.reply_ids), 2)
        self.assertEqual(reply.result, "applied")

    def test_a_reply_without_keyword_is_recorded_too(self):
        self._reply("Je serai en retard", "in-1")
        self.assertEqual(self.sms.reply_ids.result, "no_keyword")
        self.assertIn("Je serai en retard", self._lines().synthesis)

    def test_stop_and_unmatched_replies_add_no_theme(self):
        self._reply("STOP", "in-1")
        self._reply("Bonjour", "in-2", number="+33699999999")
        self.assertFalse(self._lines())

    def test_synthesis_in_the_collaborators_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search(
            [("name", "=", "participant_sms")]
        )._update_translations(["fr_FR"])
        collaborator = new_test_user(
            self.env,
            login="psms_fr_collab",
            lang="fr_FR",
            groups="base.group_user,participant_sms.group_participant_user",
        )
        self.event.participant_collaborator_id = collaborator
        self._reply("oui", "in-1")
        self.assertIn("Réponse reçue le", self._lines().synthesis)

    def test_an_alert_outcome_gives_the_collaborator_a_todo(self):
        collaborator = new_test_user(
            self.env,
            login="psms_alert_collab",
            groups="base.group_user,participant_sms.group_participant_user",
        )
        self.event.participant_collaborator_id = collaborator
        cancelled = self.env.ref("participant_sms.outcome_cancelled_by_participant")
        cancelled.reply_alert = True
        self._reply("NON", "in-1")
        self.assertEqual(self.event.participant_outcome_id, cancelled)
        activity = self.participant.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, collaborator)
        self.assertIn(cancelled.name, activity.summary)
        self.assertIn("NON", activity.note)
        self.assertIn(self.event.name, activity.note)

    def test_no_alert_without_the_option_or_for_a_later_reply(self):
        collaborator = new_test_user(
            self.env,
            login="psms_calm_collab",
            groups="base.group_user,participant_sms.group_participant_user",
        )
        self.event.participant_collaborator_id = collaborator
        self._reply("OUI", "in-1")  # "confirmed" does not alert
        self.env.ref(
            "participant_sms.outcome_cancelled_by_participant"
        ).reply_alert = True
        self._reply("NON", "in-2")  # a later reply changes nothing
        self.assertFalse(self.participant.activity_ids)

    def test_the_theme_is_made_again_if_deleted(self):
        self.env["participant.appointment.theme.line"].search(
            [("theme_id", "=", self.theme.id)]
        ).unlink()
        self.theme.unlink()
        self._reply("OUI", "in-1")
        line = self.event.participant_theme_line_ids
        self.assertEqual(line.theme_id.name, "SMS reply")
        self.assertEqual(self.env.ref("participant_sms.theme_sms_reply"), line.theme_id)
