# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import _, fields, models
from odoo.exceptions import UserError, ValidationError


class ParticipantSmsFollowUpMixin(models.AbstractModel):
    """The follow-up SMS after a record (J+n), part of
    ``participant.sms.reminder.mixin``.

    A model gives ``_psms_follow_up_plan(cache)``: the template and send time its
    record must have a follow-up for (appointments: a matching "after" automation),
    or None. At most one is pending per record; it follows the record (date,
    participant, texts) and is cancelled with a note when it no longer applies; one
    that was sent, or cancelled by a user, is not scheduled again."""

    _name = "participant.sms.follow.up.mixin"
    _description = "SMS follow-up"

    def _psms_follow_up_plan(self, cache):
        """``(template, planned_at)`` of the follow-up this record must have, or
        None."""
        return None

    def _psms_sync_follow_up(self, creating=False):
        cache = {}
        plans = {
            record.id: record._psms_is_active() and record._psms_follow_up_plan(cache)
            for record in self
        }
        existing = (
            self.env["participant.sms"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("purpose", "=", "follow_up"),
                ]
            )
            if self.ids
            else self.env["participant.sms"]
        )
        by_record = existing.grouped("res_id")
        now = fields.Datetime.now()
        for record in self:
            messages = by_record.get(record.id, existing.browse())
            pending = messages.filtered(lambda s: s.state == "queued")
            plan = plans[record.id]
            if not plan or plan[1] <= now:
                if pending:
                    record._psms_drop_follow_up(
                        pending,
                        _("the appointment no longer matches a follow-up automation."),
                    )
                continue
            done = messages.filtered(
                lambda s: s.state not in ("queued", "cancelled") or s.cancelled_by_id
            )
            if done and not pending:
                continue
            record._psms_apply_follow_up(pending, *plan, creating=creating)

    def _psms_after_flight(self, messages):
        """``messages`` of these records went back to the queue after a crash or a
        retry (the provider never got them): the follow-ups are planned again, as
        after any change."""
        self._psms_sync_follow_up()

    def _psms_apply_follow_up(self, pending, template, planned, creating=False):
        try:
            wanted = {
                "partner_id": self.participant_id.id,
                "number": self._psms_recipient(),
                "body": self._psms_render(template),
                "planned_at": planned,
                "deadline": self.env.company._psms_window().campaign_deadline(planned),
                "reply_enabled": template.reply_enabled,
            }
            if pending:
                pending._revise(wanted)
            else:
                self.env["participant.sms"].sudo()._queue(
                    [
                        dict(
                            wanted,
                            origin="automation",
                            purpose="follow_up",
                            res_model=self._name,
                            res_id=self.id,
                        )
                    ]
                )
        except (UserError, ValidationError) as error:
            self._psms_drop_follow_up(pending, error, note=creating)

    def _psms_drop_follow_up(self, pending, reason, note=False):
        """Cancel the pending follow-up; a note when one was cancelled (or ``note``)."""
        message = _("Follow-up SMS not scheduled: %s", reason)
        if pending:
            pending._cancel(message)
        if pending or note:
            self._message_log(body=Markup("<p>%s</p>") % message)
