# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Invariant I1 for one pending SMS of a record, computed from the record itself (used
by the state machine of ``test_sms_engine_states``)."""

from datetime import timedelta

from ..tools.phone import PhoneError, normalize_mobile
from ..tools.sms_text import convert


def e164(raw):
    try:
        return normalize_mobile(raw, "FR")
    except PhoneError:
        return None


class PendingSmsChecks:
    """Needs ``self.env`` and ``self.typed`` (records whose reminder text was typed)."""

    def _check_pending(self, record, sms, window):
        label = f"{record._name} {record.id} SMS {sms.id} ({sms.purpose})"
        start = record[record._psms_event_start_field]
        partner = record.participant_id
        assert (
            "active" not in record._fields or record.active
        ), f"{label}: record archived"
        assert sms.partner_id == partner, f"{label}: addressed to another participant"
        assert sms.number == e164(
            partner.mobile
        ), f"{label}: not the participant's number"
        assert partner.accepts_sms, f"{label}: the participant refuses SMS"
        assert window.contains(sms.planned_at), f"{label}: planned outside the window"
        if sms.purpose == "reminder":
            template = record.sms_reminder_template_id
            assert (
                record.sms_reminder and record.sms_reminder_sms_id == sms
            ), f"{label}: not the reminder"
            assert (
                sms.body == record.sms_reminder_body
            ), f"{label}: text differs from the record"
            if template and (record._name, record.id) not in self.typed:
                rendered = convert(
                    template.with_context(lang=record._psms_lang())._render(
                        record._psms_merge_values()
                    ),
                    self.env.company.psms_text_mode,
                )
                assert (
                    sms.body == rendered
                ), f"{label}: text not the template's for this record"
            assert (
                sms.planned_at == record.sms_reminder_planned_at
            ), f"{label}: time differs"
            assert (
                sms.planned_at < start and sms.deadline == start
            ), f"{label}: after the start"
            assert sms.reply_enabled == bool(
                template.reply_enabled
            ), f"{label}: reply mode"
            if sms.origin == "automation":
                assert (
                    template
                    and record.sms_reminder_days
                    and (record._name, record.id) not in self.typed
                ), f"{label}: automation changed"
        else:
            automation = self.env["participant.sms.automation"].search(
                [
                    ("timing", "=", "after"),
                    ("user_ids", "in", record.participant_collaborator_id.ids),
                    (
                        "appointment_type_ids",
                        "in",
                        record.participant_appointment_type_id.ids,
                    ),
                ],
                limit=1,
                order="sequence, id",
            )
            assert automation, f"{label}: no follow-up automation applies"
            planned = window.follow_up_send_at(start, automation.days)
            assert (
                sms.planned_at == planned
            ), f"{label}: follow-up not J+{automation.days}"
            assert sms.deadline == planned + timedelta(hours=24), f"{label}: deadline"
            rendered = convert(
                automation.template_id.with_context(lang=record._psms_lang())._render(
                    record._psms_merge_values()
                ),
                self.env.company.psms_text_mode,
            )
            assert sms.body == rendered, f"{label}: follow-up text"
            assert sms.origin == "automation", f"{label}: origin"
