# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ParticipantCommon

CONFIG_MODELS = [
    "participant.appointment.type",
    "participant.appointment.theme",
    "participant.appointment.outcome",
    "participant.channel",
    "participant.programme",
    "participant.step.type",
    "participant.step.end.reason",
    "participant.orientation.type",
]
SEND_GROUPS = [
    "participant_sms.group_sms_send_instant",
    "participant_sms.group_sms_send_scheduled",
    "participant_sms.group_sms_send_batch",
    "participant_sms.group_sms_send_free",
]


@tagged("post_install", "-at_install")
class TestAccess(ParticipantCommon):
    def test_user_cannot_write_configuration(self):
        for model in CONFIG_MODELS:
            with self.subTest(model=model):
                Model = self.env[model].with_user(self.user_participant)
                record = Model.search([], limit=1)
                self.assertTrue(record, "the user reads the configuration")
                with self.assertRaises(AccessError):
                    Model.create({"name": "Forbidden"})
                with self.assertRaises(AccessError):
                    record.write({"name": "Renamed"})
                with self.assertRaises(AccessError):
                    record.unlink()

    def test_manager_writes_configuration(self):
        for model in CONFIG_MODELS:
            with self.subTest(model=model):
                Model = self.env[model].with_user(self.user_manager)
                record = Model.create({"name": f"New {model}"})
                record.write({"name": f"Renamed {model}", "sequence": 5})
                self.assertEqual(record.name, f"Renamed {model}")
                record.unlink()
                self.assertFalse(record.exists())

    def test_user_works_on_files_but_does_not_delete(self):
        step = (
            self.env["participant.step"]
            .with_user(self.user_participant)
            .create(
                {
                    "participant_id": self.participant.id,
                    "step_type_id": self.step_type_training.id,
                    "planned_start": self.in_days(1),
                }
            )
        )
        orientation = (
            self.env["participant.orientation"]
            .with_user(self.user_participant)
            .create(
                {
                    "participant_id": self.participant.id,
                    "orientation_type_id": self.orientation_type.id,
                    "planned_date": self.in_days(2),
                }
            )
        )
        step.write({"planned_start": self.in_days(3)})
        with self.assertRaises(AccessError):
            step.unlink()
        with self.assertRaises(AccessError):
            orientation.unlink()
        step.with_user(self.user_manager).unlink()
        orientation.with_user(self.user_manager).unlink()
        self.assertFalse(step.exists() or orientation.exists())

    def test_plain_employee_has_no_participant_files(self):
        for model in (
            "participant.step",
            "participant.orientation",
            "participant.list",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.user_internal).search([])
        menu = self.env.ref("participant_sms.menu_participant_root")
        visible = (
            self.env["ir.ui.menu"].with_user(self.user_internal)._visible_menu_ids()
        )
        self.assertNotIn(menu.id, visible)
        visible = (
            self.env["ir.ui.menu"].with_user(self.user_participant)._visible_menu_ids()
        )
        self.assertIn(menu.id, visible)

    def test_configuration_menu_for_managers_only(self):
        menu = self.env.ref("participant_sms.menu_participant_config")
        Menu = self.env["ir.ui.menu"]
        self.assertNotIn(
            menu.id, Menu.with_user(self.user_participant)._visible_menu_ids()
        )
        self.assertIn(menu.id, Menu.with_user(self.user_manager)._visible_menu_ids())

    def test_plain_employee_still_uses_calendar(self):
        event = (
            self.env["calendar.event"]
            .with_user(self.user_internal)
            .create(
                {
                    "name": "Team meeting",
                    "start": self.in_days(1),
                    "stop": self.in_days(1, 11),
                }
            )
        )
        self.assertFalse(event.participant_id)

    def test_send_permissions_are_independent_check_boxes(self):
        groups = self.env["res.groups"]
        for xmlid in SEND_GROUPS:
            groups |= self.env.ref(xmlid)
        kinds = {
            tuple(gs.ids): kind
            for _app, kind, gs, _name in self.env[
                "res.groups"
            ].get_groups_by_application()
            if gs & groups
        }
        self.assertEqual(
            list(kinds.values()),
            ["boolean"],
            "the four send permissions form one category of check boxes",
        )
        self.assertEqual(set(next(iter(kinds))), set(groups.ids))
        for group in groups:
            self.assertFalse(
                group.implied_ids & groups, "no send permission implies another"
            )

    def test_send_permission_ticked_per_user(self):
        user = self.user_participant
        instant = self.env.ref("participant_sms.group_sms_send_instant")
        batch = self.env.ref("participant_sms.group_sms_send_batch")
        user.write({"groups_id": [(4, instant.id)]})
        self.assertTrue(user.has_group("participant_sms.group_sms_send_instant"))
        self.assertFalse(user.has_group("participant_sms.group_sms_send_batch"))
        self.assertFalse(user.has_group("participant_sms.group_sms_admin"))
        self.assertFalse(
            self.user_manager.has_group("participant_sms.group_sms_send_instant")
        )
        self.assertTrue(batch.exists())
        # the user form shows them (reified group fields)
        view = self.env["res.users"].get_view(
            self.env.ref("base.view_users_form").id, "form"
        )["arch"]
        for xmlid in SEND_GROUPS:
            self.assertIn(f"in_group_{self.env.ref(xmlid).id}", view)
