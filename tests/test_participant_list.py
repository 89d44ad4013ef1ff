# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ParticipantCommon


@tagged("post_install", "-at_install")
class TestParticipantList(ParticipantCommon):
    def test_saved_list_reused_by_another_user(self):
        plist = (
            self.env["participant.list"]
            .with_user(self.user_participant)
            .create(
                {
                    "name": "Job fair",
                    "partner_ids": [
                        (6, 0, (self.participant | self.participant_2).ids)
                    ],
                }
            )
        )
        self.assertEqual(plist.user_id, self.user_participant)
        self.assertEqual(plist.participant_count, 2)
        other = (
            self.env["participant.list"]
            .with_user(self.user_manager)
            .search([("name", "=", "Job fair")])
        )
        self.assertEqual(other, plist)
        self.assertEqual(other.partner_ids, self.participant | self.participant_2)
        action = other.action_open_participants()
        self.assertEqual(
            self.env["res.partner"].search(action["domain"]),
            self.participant | self.participant_2,
        )

    def test_create_from_selection_keeps_only_participants(self):
        selection = self.participant | self.participant_2 | self.non_participant
        action = (
            self.env["participant.list"]
            .with_user(self.user_participant)
            .action_create_from_partners(selection)
        )
        plist = self.env["participant.list"].browse(action["res_id"])
        self.assertEqual(plist.partner_ids, self.participant | self.participant_2)
        self.assertTrue(plist.name)

    def test_create_from_selection_without_participant_is_refused(self):
        count = self.env["participant.list"].search_count([])
        with self.assertRaises(UserError):
            self.env["participant.list"].action_create_from_partners(
                self.non_participant
            )
        self.assertEqual(self.env["participant.list"].search_count([]), count)

    def test_archived_list_kept(self):
        plist = self.env["participant.list"].create({"name": "Old list"})
        plist.action_archive()
        self.assertFalse(
            self.env["participant.list"].search([("name", "=", "Old list")])
        )
        self.assertTrue(
            self.env["participant.list"]
            .with_context(active_test=False)
            .search([("name", "=", "Old list")])
        )

    def test_server_action_saves_selection(self):
        server_action = self.env.ref(
            "participant_sms.action_server_participant_list_create"
        )
        selection = self.participant | self.non_participant
        result = (
            server_action.with_user(self.user_participant)
            .with_context(
                active_model="res.partner",
                active_ids=selection.ids,
                active_id=selection[0].id,
            )
            .run()
        )
        plist = self.env["participant.list"].browse(result["res_id"])
        self.assertEqual(plist.partner_ids, self.participant)
        self.assertEqual(plist.user_id, self.user_participant)
