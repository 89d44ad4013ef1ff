# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import copy
import logging
from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..tools.merge import MergeError, render

_logger = logging.getLogger(__name__)


class ParticipantSmsBatch(models.TransientModel):
    """Batch SMS (the seed's "SMS par lot"): one appointment in each participant's file
    and one SMS each, tagged with one batch reference."""

    _name = "participant.sms.batch"
    _inherit = ["participant.sms.send.mixin"]
    _description = "Batch SMS"
    _psms_group = "participant_sms.group_sms_send_batch"
    _psms_line_model = "participant.sms.batch.line"

    list_id = fields.Many2one("participant.list", string="Saved participant list")
    partner_ids = fields.Many2many(
        "res.partner", string="Participants", domain=[("is_participant", "=", True)]
    )
    # the appointment created in every file
    name = fields.Char(string="Subject")
    start = fields.Datetime(string="Date and time", required=True)
    duration = fields.Float(default=1.0)
    collaborator_id = fields.Many2one(
        "res.users",
        string="Collaborator",
        required=True,
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
    )
    appointment_type_id = fields.Many2one(
        "participant.appointment.type", string="Appointment type", required=True
    )
    theme_id = fields.Many2one(
        "participant.appointment.theme", string="Theme", required=True
    )
    outcome_id = fields.Many2one(
        "participant.appointment.outcome",
        string="Outcome",
        required=True,
        default=lambda self: self.env[
            "participant.appointment.outcome"
        ]._get_default_outcome(),
    )
    location = fields.Char()
    channel_id = fields.Many2one("participant.channel", string="Channel")
    programme_id = fields.Many2one("participant.programme", string="Programme")
    synthesis = fields.Html()
    # the SMS
    template_id = fields.Many2one(
        "participant.sms.template",
        string="SMS template",
        domain=[("template_type", "=", "batch")],
    )
    body = fields.Text(string="Text")
    # preview
    line_ids = fields.One2many(
        "participant.sms.batch.line", "batch_id", string="Preview"
    )
    recipient_count = fields.Integer(compute="_compute_totals", string="Recipients")
    sms_count = fields.Integer(compute="_compute_totals", string="SMS")

    @api.depends("line_ids.selected", "line_ids.segments")
    def _compute_totals(self):
        for wizard in self:
            selected = wizard.line_ids.filtered("selected")
            wizard.recipient_count = len(selected)
            wizard.sms_count = sum(selected.mapped("segments"))

    @api.onchange("template_id")
    def _onchange_template_id(self):
        if self.template_id:
            self.body = self.template_id.body

    @api.onchange("appointment_type_id")
    def _onchange_appointment_type_id(self):
        if self.appointment_type_id and not self.name:
            self.name = self.appointment_type_id.name

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "res.partner" and context.get("active_ids"):
            values["partner_ids"] = [
                (
                    6,
                    0,
                    self.env["res.partner"]
                    .browse(context["active_ids"])
                    .filtered("is_participant")
                    .ids,
                )
            ]
        if context.get("active_model") == "participant.list" and context.get(
            "active_id"
        ):
            values["list_id"] = context["active_id"]
        return values

    # ----------------------------------------------------------------------------------
    def _recipients(self):
        return (self.list_id.partner_ids | self.partner_ids).filtered("is_participant")

    def _appointment_merge_values(self, lang):
        """The merge values of the appointment created in every file (its own:
        location, collaborator, type, theme), names in ``lang``."""
        return {
            "location": self.location or "",
            "collaborator": self.collaborator_id.name or "",
            "appointment_type": self.appointment_type_id.with_context(lang=lang).name
            or "",
            "theme": self.theme_id.with_context(lang=lang).name or "",
        }

    def _line_values(self, partners):
        """One preview line per participant: rendered text, its measure, and the
        reason it cannot go, if any (the recipient check's label, else the engine's
        text rule). Bulk: one blacklist query, no per-line ORM write. The merge
        values are the template model's (``_common_values`` is ``_partner_values``
        with ``_event_values``): the date's half, about 0.7 ms, is computed once for
        the batch, with the appointment's own values, not once per participant."""
        company = self.env.company
        Template = self.env["participant.sms.template"]
        lang = self.env.lang or self.env.user.lang or "en_US"
        shared = dict(
            Template._event_values(self.start, lang),
            **self._appointment_merge_values(lang),
        )
        verdicts = self.env["participant.sms.recipient"]._check(
            [(partner, False) for partner in partners], company
        )
        Recipient, lines = self.env["participant.sms.recipient"], []
        for partner, verdict in zip(partners, verdicts, strict=False):
            typed = self._render_body(
                dict(Template._partner_values(partner, lang), **shared)
            )
            text, measure, text_error = self._text_verdict(typed)
            error = Recipient._label(verdict.code) or text_error
            lines.append(
                {
                    "batch_id": self.id,
                    "partner_id": partner.id,
                    "number": verdict.number or partner.mobile,
                    "body": text,
                    "units": measure.units,
                    "segments": measure.segments,
                    "encoding": measure.encoding,
                    "error": error or False,
                    "selected": not error,
                    "replaced": self._replaced_label(typed, text),
                }
            )
        return lines

    def _render_body(self, values):
        try:
            return render(self.body or "", values)
        except MergeError as merge_error:
            raise UserError(
                _(
                    "The text uses unknown merge fields: %s",
                    ", ".join(merge_error.unknown + merge_error.malformed),
                )
            ) from None

    def action_preview(self):
        self.ensure_one()
        self._check_prepare()
        if not self.body:
            raise UserError(_("Choose a batch template or type the text."))
        if not self.start or self.start <= fields.Datetime.now():
            raise UserError(_("The appointment must be in the future."))
        partners = self._recipients()
        if not partners:
            raise UserError(_("Choose at least one participant."))
        return self._show_preview(self._line_values(partners))

    def action_validate(self):
        self.ensure_one()
        self._check_permission()
        lines = self._selected_lines(
            _("No SMS can go: every line is unticked or in error.")
        )
        self._check_credit()
        batch_ref = self.env["ir.sequence"].next_by_code("participant.sms.batch") or (
            fields.Datetime.now().strftime("LOT-%Y%m%d-%H%M%S")
        )
        stop = self.start + timedelta(hours=self.duration or 1.0)
        # no "created" log, follower or tracking per event: the SMS notes tell the story
        Event = self.env["calendar.event"].with_context(
            no_mail_to_attendees=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            tracking_disable=True,
        )
        session = Event.create(self._session_values(stop))
        events = self._create_appointments(Event, lines, session)
        planned = self._planned()
        deadline = self.env.company._psms_window().campaign_deadline(planned)
        messages = self.env["participant.sms"]._queue_many(
            [
                {
                    "origin": "batch",
                    "context_type": "batch",
                    "batch_ref": batch_ref,
                    "partner_id": line.partner_id.id,
                    "number": line.number,
                    "body": line.body,
                    "planned_at": planned,
                    "deadline": deadline,
                    "res_model": event._name,
                    "res_id": event.id,
                    "reply_enabled": self.template_id.reply_enabled,
                }
                for line, event in zip(lines, events, strict=False)
            ]
        )
        _logger.info(
            "Batch %s: %s appointments and %s SMS scheduled",
            batch_ref,
            len(events),
            len(messages),
        )
        scheduled = (
            _("1 SMS scheduled")
            if len(messages) == 1
            else _("%s SMS scheduled", len(messages))
        )
        created = (
            _("1 appointment created")
            if len(events) == 1
            else _("%s appointments created", len(events))
        )
        return self._done(
            _("Batch SMS %s", batch_ref),
            _("%(scheduled)s and %(created)s.", scheduled=scheduled, created=created),
        )

    def _session_values(self, stop):
        """The collective appointment: one event in the collaborator's calendar for the
        whole batch, organised and attended by them only (no invitation mail), without
        any participant data: its participants' appointments link to it."""
        return {
            "name": self.name or self.appointment_type_id.name,
            "start": self.start,
            "stop": stop,
            "location": self.location,
            "user_id": self.collaborator_id.id,
            "participant_collaborator_id": self.collaborator_id.id,
            "partner_ids": [Command.set(self.collaborator_id.partner_id.ids)],
            "participant_outcome_id": False,
            "sms_reminder": False,
        }

    def _appointments_values(self, Event, lines, session):
        """The values of the appointments of ``lines``, complete: what ``create``
        would otherwise add record by record, at a cost that dominated the batch send
        (a ``default_get``, a ``new`` record for the precomputed company, then an
        ``UPDATE`` of the dates computed after the insert), is given here once for all,
        with the values Odoo would give: the defaults are model-level (one
        ``default_get`` for all, the one ``create`` calls, on the same environment
        ``Event``); the dates are the session's, computed by Odoo from the same start,
        stop and all-day flag."""
        vals_list = [
            self._appointment_values(line.partner_id, session) for line in lines
        ]
        if not vals_list:
            return vals_list
        first = vals_list[0]
        defaults = {
            name: value
            for name, value in Event._add_missing_default_values(dict(first)).items()
            if name not in first
        }
        dates = {
            "allday": session.allday,
            "duration": session.duration,
            "start_date": session.start_date,
            "stop_date": session.stop_date,
        }
        return [dict(copy.deepcopy(defaults), **dates, **vals) for vals in vals_list]

    def _create_appointments(self, Event, lines, session):
        """The participants' appointments, created by Odoo's ``create``. Calendar's
        ``create`` gathers the events whose alarms it sets up one union at a time
        (quadratic in their number): it is told not to (``dont_notify``), and the same
        set-up is called once for them all, as it would be for these events (not all
        day, not recurrent)."""
        created = Event.with_context(dont_notify=True).create(
            self._appointments_values(Event, lines, session)
        )
        events = Event.browse(created.ids)
        if not session.allday:  # all day: calendar's own inverse sets them up
            events._setup_alarms()
        self._skip_document_model(events)
        return events

    def _skip_document_model(self, events):
        """``res_model`` (related to ``res_model_id``) is marked for recomputation on
        every new event; on these appointments, which have no document model, Odoo
        would compute False and ``UPDATE`` it over the NULL the insert stored. Only
        those whose ``res_model_id`` is empty are spared."""
        field = events._fields["res_model"]
        unlinked = events.filtered(lambda event: not event.res_model_id)
        self.env.remove_to_compute(field, unlinked)

    def _appointment_values(self, partner, session):
        """The appointment in the participant's file, linked to the session: the
        collaborator sees it there, once, so it has no attendee (never the participant).
        """
        return {
            "name": session.name,
            "participant_id": partner.id,
            # precomputed (calendar.event's _compute_participant_company_id)
            "participant_company_id": (partner.company_id or self.env.company).id,
            "start": session.start,
            "stop": session.stop,
            "participant_collaborator_id": self.collaborator_id.id,
            "user_id": self.collaborator_id.id,
            "participant_session_id": session.id,
            "partner_ids": [Command.clear()],
            "participant_appointment_type_id": self.appointment_type_id.id,
            "participant_theme_id": self.theme_id.id,
            "participant_outcome_id": self.outcome_id.id,
            "location": self.location,
            "participant_channel_id": self.channel_id.id,
            "participant_programme_id": self.programme_id.id,
            "participant_synthesis": self.synthesis,
            "sms_reminder": False,  # the batch SMS is the message: no reminder prefill
        }


class ParticipantSmsBatchLine(models.TransientModel):
    _name = "participant.sms.batch.line"
    _inherit = ["participant.sms.preview.line.mixin"]
    _description = "Batch SMS preview line"
    _order = "error desc, id"

    batch_id = fields.Many2one(
        "participant.sms.batch", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Participant",
        readonly=True,
        index="btree_not_null",  # a partner deleted anywhere in Odoo: no scan
    )
    number = fields.Char(readonly=True)
    body = fields.Text(string="Text", readonly=True)
    units = fields.Integer(string="Characters", readonly=True)
    segments = fields.Integer(string="SMS", readonly=True)
    encoding = fields.Char(readonly=True)
    replaced = fields.Char(
        string="Replaced characters",
        readonly=True,
        help="Characters written with their GSM-7 equivalents before sending.",
    )
