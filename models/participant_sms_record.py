# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The records that have SMS: what the engine asks of any of them.

An SMS with a ``purpose`` belongs to a record (``res_model``, ``res_id``) of a model
inheriting ``participant.sms.record``; the engine finds them as Odoo finds a model's
heirs (``registry.descendants``) and names none of them. Two kinds exist:

- the **sources** (``participant.sms.source``): records that happen at a date and want
  a reminder before it and a follow-up after it (appointments, steps, orientations);
- the **documents** (``participant.document``): a participant agrees to one with a code
  sent by SMS (purpose *agreement code*), sent at once in the referent's request.

A record has a ``participant_id``, a ``_psms_context_type`` (the SMS's context) and
answers the engine's hooks below: the language of its notes, what it decides when one
of its SMS comes back to the queue (``_psms_after_flight``) or when its participant's
mobile or consent changes (``_psms_reconcile``), and when a user cancels one of its
SMS.
"""

from markupsafe import Markup

from odoo import _, models


class ParticipantSmsRecord(models.AbstractModel):
    _name = "participant.sms.record"
    _description = "Record with SMS"

    _psms_context_type = None

    def _psms_note_lang(self):
        """Language of the notes the engine (often a cron, as OdooBot) posts on this
        record: its collaborator's (appointment) or referent's (step, orientation),
        else that of the participant's company, else the participant's."""
        record = self.sudo()
        user = record.env["res.users"]
        for name in ("participant_collaborator_id", "referent_id"):
            if name in record._fields:
                user = record[name]
                break
        company = record.participant_id.company_id or record.env.company
        return (
            user.lang
            or company.partner_id.lang
            or record.participant_id.lang
            or "en_US"
        )

    def _psms_tell(self, message):
        """Say ``message`` on the record (a note) and to the user (a notification)."""
        self._message_log(body=Markup("<p>%s</p>") % message)
        self.env.user._bus_send(
            "simple_notification",
            {"type": "warning", "title": _("SMS"), "message": message},
        )

    def _psms_reconcile(self, *args, **kwargs):
        """Make the pending SMS of these records what they want now (after a change
        of the record, or of its participant's mobile or consent)."""
        return None

    def _psms_after_flight(self, messages):
        """``messages`` of these records went back to the queue after a crash or a
        retry (the provider never got them): the records decide again."""
        self._psms_reconcile()

    def _psms_sms_cancelled_by_user(self, messages):
        """A user cancelled these SMS of the record (Upcoming SMS)."""
        return None
