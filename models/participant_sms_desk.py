# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The collaborator's own SMS desk ("Mon tableau de bord", guide §3.1.3).

What is "mine": the SMS I wrote, and the SMS of the appointments I hold and of the steps
and orientations I am the referent of; the replies to the appointments I hold; the
failures and STOPs of the participants I refer. Everything is read with the user's own
rights.
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

#: the users who have a desk: any send permission
SEND_GROUPS = (
    "participant_sms.group_sms_send_instant",
    "participant_sms.group_sms_send_scheduled",
    "participant_sms.group_sms_send_batch",
    "participant_sms.group_sms_send_free",
    "participant_sms.group_sms_admin",
)
PROBLEM_STATES = ("failed", "expired", "not_sent", "stop")
RECENT = timedelta(days=30)
#: a follow-up goes at most 60 days after its appointment
FOLLOW_UP_SPAN = timedelta(days=61)
LIMIT = 80


class ParticipantSmsDesk(models.TransientModel):
    _name = "participant.sms.desk"
    _description = "My SMS"

    upcoming_ids = fields.Many2many(
        "participant.sms",
        compute="_compute_desk",
        string="My upcoming reminders and follow-ups",
    )
    reply_ids = fields.Many2many(
        "participant.sms.reply",
        compute="_compute_desk",
        string="Replies to my appointments",
    )
    new_reply_count = fields.Integer(compute="_compute_desk", string="New replies")
    new_reply_message = fields.Char(
        compute="_compute_desk", string="New replies message"
    )
    problem_ids = fields.Many2many(
        "participant.sms",
        compute="_compute_desk",
        string="Failures and STOPs on my participants",
    )
    stop_reply_ids = fields.Many2many(
        "participant.sms.reply",
        compute="_compute_desk",
        string="STOP replies of my participants",
    )

    def _compute_display_name(self):
        for desk in self:
            desk.display_name = _("My SMS")

    @api.model
    def _check_desk_rights(self):
        if not any(self.env.user.has_group(group) for group in SEND_GROUPS):
            raise AccessError(_("My SMS is for users who may send SMS."))

    @api.model
    def _open(self):
        self._check_desk_rights()
        desk = self.create({})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": desk.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "name": _("My SMS"),
        }

    def _my_records_domain(self, user):
        """SMS of the appointments, steps and orientations that are the user's."""
        since = fields.Datetime.now() - FOLLOW_UP_SPAN
        events = self.env["calendar.event"].search(
            [("participant_collaborator_id", "=", user.id), ("start", ">=", since)]
        )
        steps = self.env["participant.step"].search(
            [("referent_id", "=", user.id), ("planned_start", ">=", since)]
        )
        orientations = self.env["participant.orientation"].search(
            [("referent_id", "=", user.id), ("planned_date", ">=", since)]
        )
        return [
            "|",
            "|",
            "|",
            ("author_id", "=", user.id),
            "&",
            ("res_model", "=", "calendar.event"),
            ("res_id", "in", events.ids),
            "&",
            ("res_model", "=", "participant.step"),
            ("res_id", "in", steps.ids),
            "&",
            ("res_model", "=", "participant.orientation"),
            ("res_id", "in", orientations.ids),
        ]

    def _compute_desk(self):
        Sms, Reply = self.env["participant.sms"], self.env["participant.sms.reply"]
        since = fields.Datetime.now() - RECENT
        for desk in self:
            user = self.env.user  # a desk shows its reader's own SMS, whoever made it
            desk.upcoming_ids = Sms.search(
                [("state", "=", "queued"), ("purpose", "!=", False)]
                + desk._my_records_domain(user),
                order="planned_at, id",
                limit=LIMIT,
            )
            replies = Reply.search(
                [
                    ("event_id.participant_collaborator_id", "=", user.id),
                    ("result", "!=", "stop"),
                ],
                order="seen, received_at desc, id desc",
                limit=LIMIT,
            )
            desk.reply_ids = replies
            desk.new_reply_count = len(replies.filtered(lambda reply: not reply.seen))
            desk.new_reply_message = desk._new_reply_message(desk.new_reply_count)
            mine = [("partner_id.participant_referent_id", "=", user.id)]
            desk.problem_ids = Sms.search(
                mine + [("state", "in", PROBLEM_STATES), ("status_at", ">=", since)],
                order="status_at desc, id desc",
                limit=LIMIT,
            )
            desk.stop_reply_ids = Reply.search(
                mine + [("result", "=", "stop"), ("received_at", ">=", since)],
                order="received_at desc, id desc",
                limit=LIMIT,
            )

    @api.model
    def _new_reply_message(self, count):
        """The banner over the replies, singular for one reply (empty without any)."""
        if not count:
            return False
        if count == 1:
            return _("1 new reply to your appointments.")
        return _("%s new replies to your appointments.", count)

    def action_new_appointment(self):
        """The guide's entry point: a new appointment of mine, its SMS reminder switched
        on."""
        self._check_desk_rights()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participant_appointments"
        )
        action.update(
            {
                "views": [
                    (
                        self.env.ref(
                            "participant_sms.view_participant_appointment_form"
                        ).id,
                        "form",
                    )
                ],
                "view_mode": "form",
                "target": "current",
                "context": {
                    "default_participant_collaborator_id": self.env.uid,
                    "default_sms_reminder": True,
                    "default_partner_ids": [self.env.user.partner_id.id],
                    "form_view_ref": (
                        "participant_sms.view_participant_appointment_form"
                    ),
                },
            }
        )
        return action
