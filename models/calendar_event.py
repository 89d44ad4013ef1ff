# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

#: what a participant's appointment shares with its collective appointment (session)
SESSION_FIELDS = ("allday", "start", "stop", "location")
#: written, these may take an appointment away from its session's time or place
SESSION_MOVE_FIELDS = frozenset(SESSION_FIELDS) | {
    "start_date",
    "stop_date",
    "duration",
}


class CalendarEvent(models.Model):
    """Appointments ("entretiens") are Odoo calendar events linked to a participant."""

    _name = "calendar.event"
    _inherit = ["calendar.event", "participant.sms.source"]
    _psms_context_type = "appointment"
    _psms_event_start_field = "start"
    _psms_template_type = "appointment"
    #: the fields the SMS text is made of (a change re-renders it)
    _psms_text_fields = frozenset(
        (
            "start",
            "location",
            "participant_collaborator_id",
            "participant_appointment_type_id",
            "participant_theme_id",
            "participant_id",
        )
    )

    participant_id = fields.Many2one(
        "res.partner",
        string="Followed participant",
        index=True,
        tracking=True,
        domain=[("is_participant", "=", True)],
        ondelete="restrict",
        help="Participant whose file this appointment belongs to.",
    )
    participant_appointment_type_id = fields.Many2one(
        "participant.appointment.type", string="Appointment type", tracking=True
    )
    participant_theme_id = fields.Many2one(
        "participant.appointment.theme", string="Theme"
    )
    participant_outcome_id = fields.Many2one(
        "participant.appointment.outcome",
        string="Outcome",
        tracking=True,
        default=lambda self: self.env["participant.appointment.outcome"].search(
            [("is_default", "=", True)], limit=1
        ),
    )
    participant_collaborator_id = fields.Many2one(
        "res.users",
        string="Collaborator",
        tracking=True,
        domain=[("share", "=", False)],
        default=lambda self: self.env.user if self.env.user._is_internal() else False,
        help="Staff member who holds the appointment.",
    )
    participant_channel_id = fields.Many2one("participant.channel", string="Channel")
    participant_programme_id = fields.Many2one(
        "participant.programme", string="Programme"
    )
    participant_step_id = fields.Many2one(
        "participant.step",
        string="Step",
        domain="[('participant_id', '=', participant_id)]",
        help="Step of the participant's pathway this appointment belongs to.",
    )
    participant_synthesis = fields.Html(string="Synthesis")
    participant_theme_line_ids = fields.One2many(
        "participant.appointment.theme.line",
        "event_id",
        string="Themes addressed",
        help="Themes addressed during the appointment, each with its synthesis; an "
        "SMS reply "
        'adds the theme "SMS reply".',
    )
    participant_outcome_from_reply = fields.Boolean(
        string="Outcome from an SMS reply",
        readonly=True,
        copy=False,
        index=True,
        help="The outcome was set by the participant's answer to an SMS.",
    )
    participant_reply_at = fields.Datetime(
        string="SMS reply date", readonly=True, copy=False
    )
    participant_reply_ids = fields.One2many(
        "participant.sms.reply", "event_id", string="SMS replies"
    )
    participant_company_id = fields.Many2one(
        "res.company",
        string="Participant's company",
        compute="_compute_participant_company_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        help="Company whose participant this appointment belongs to: only its users "
        "see it.",
    )
    # a collective appointment (batch): one event in the collaborator's calendar, the
    # session, and one appointment per participant linked to it; the session holds no
    # participant data
    participant_session_id = fields.Many2one(
        "calendar.event",
        string="Collective appointment",
        index=True,
        ondelete="set null",
        copy=False,
        readonly=True,
        help="The collaborator's event of the collective appointment this appointment "
        "belongs "
        "to: it is in their calendar once for all its participants, and moving it "
        "moves "
        "this appointment. Moved on its own, the appointment leaves it.",
    )
    participant_session_appointment_ids = fields.One2many(
        "calendar.event",
        "participant_session_id",
        string="Participants' appointments",
        groups="participant_sms.group_participant_user",
    )

    @api.depends("participant_id", "participant_id.company_id")
    def _compute_participant_company_id(self):
        for event in self:
            if not event.participant_id:
                event.participant_company_id = False
            else:
                event.participant_company_id = (
                    event.participant_id.company_id
                    or event.participant_company_id
                    or self.env.company
                )

    # ----------------------------------------------------------------------------------
    # who sees what: a participant's appointment is "busy" time for users who do not
    # follow participants (calendar's own mechanism for others' private events)
    # ----------------------------------------------------------------------------------
    @api.model
    def _get_public_fields(self):
        return super()._get_public_fields() | {"participant_company_id"}

    def _fetch_query(self, query, fields):
        # what _check_private_event_conditions needs is fetched with the rest
        extra = self._fields["participant_company_id"]
        if not self.env.su and extra not in fields:
            fields = [*fields, extra]
        events = super()._fetch_query(query, fields)
        if not self.env.su:
            events._psms_show_staff_attendees()
        return events

    def _psms_show_staff_attendees(self):
        """A participant's appointment hidden from this user (and only for that reason)
        keeps its staff attendees, so that it stays in their calendars as busy time; a
        participant among the attendees is never shown."""
        if self.env.user.has_group("participant_sms.group_participant_user"):
            return  # nothing is hidden from them (one check, not one per event)
        field = self._fields["partner_ids"]
        hidden = self.filtered(
            lambda event: event.env.cache.contains(event, field)
            and event._psms_hidden_from_user()
        )
        if not hidden:
            return
        self.env.cr.execute(
            """
            SELECT rel.calendar_event_id, array_agg(rel.res_partner_id ORDER BY
                rel.res_partner_id)
              FROM calendar_event_res_partner_rel rel
              JOIN res_partner partner ON partner.id = rel.res_partner_id
             WHERE rel.calendar_event_id IN %s AND partner.is_participant IS NOT TRUE
             GROUP BY rel.calendar_event_id""",
            [tuple(hidden.ids)],
        )
        staff = dict(self.env.cr.fetchall())
        for event in hidden:
            if not super(CalendarEvent, event)._check_private_event_conditions():
                self.env.cache.set(event, field, tuple(staff.get(event.id, ())))

    def get_formview_id(self, access_uid=None):
        """A participant's appointment opens in the appointment form (links from the
        chatter, My SMS, the SMS lists) for those who follow participants; meetings, and
        every user outside the Participants groups, keep calendar's form."""
        user = self.env["res.users"].browse(access_uid) if access_uid else self.env.user
        if (
            len(self) == 1
            and user.has_group("participant_sms.group_participant_user")
            and self.sudo().participant_id
        ):
            return self.env.ref("participant_sms.view_participant_appointment_form").id
        return super().get_formview_id(access_uid=access_uid)

    def _psms_hidden_from_user(self):
        return bool(self.participant_company_id) and not self.env.user.has_group(
            "participant_sms.group_participant_user"
        )

    @api.model
    def _psms_sees_participants(self):
        return self.env.su or self.env.user.has_group(
            "participant_sms.group_participant_user"
        )

    @api.model
    def _psms_hidden_query(self):
        """The participants' appointments the current user may only see as busy time
        (their messages and attachments included), as a query; None when the user sees
        them all."""
        if self._psms_sees_participants():
            return None
        return (
            self.sudo()
            .with_context(active_test=False)
            ._search([("participant_company_id", "!=", False)])
        )

    @api.model
    def _psms_hidden_among(self, ids):
        """Those of ``ids`` that the current user may only see as busy time."""
        if self._psms_sees_participants() or not ids:
            return set()
        return set(
            self.sudo()
            .with_context(active_test=False)
            ._search([("id", "in", list(ids)), ("participant_company_id", "!=", False)])
        )

    @api.model
    def _get_mail_message_access(self, res_ids, operation, model_name=None):
        # a participant's appointment is no document of theirs for other employees:
        # reading its messages needs what changing it needs, which they may not do
        check = super()._get_mail_message_access(
            res_ids, operation, model_name=model_name
        )
        if check == "read" and self._psms_hidden_among(res_ids):
            return "write"
        return check

    def _check_private_event_conditions(self):
        return (
            self._psms_hidden_from_user() or super()._check_private_event_conditions()
        )

    def _get_default_privacy_domain(self):
        domain = super()._get_default_privacy_domain()
        if not self.env.user.has_group("participant_sms.group_participant_user"):
            domain = expression.AND([domain, [("participant_company_id", "=", False)]])
        return domain

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        events._psms_add_collaborator_attendee()
        return events

    def write(self, vals):
        result = super().write(vals)
        moved = SESSION_MOVE_FIELDS & set(vals)
        sessions = moved and self.filtered_domain([("participant_id", "=", False)])
        if sessions:
            sessions._psms_move_session_appointments()
        in_session = self.filtered("participant_session_id")
        if in_session and (moved or "participant_collaborator_id" in vals):
            in_session._psms_leave_moved_sessions(vals)
        if {
            "participant_collaborator_id",
            "participant_id",
            "participant_session_id",
        } & set(vals):
            self._psms_add_collaborator_attendee()
        return result

    def unlink(self):
        sessions = self and self.filtered_domain([("participant_id", "=", False)])
        appointments = sessions and sessions._psms_session_appointments() - self
        if appointments:
            appointments.write({"participant_session_id": False})
        return super().unlink()

    def _psms_add_collaborator_attendee(self):
        """A participant's appointment has its collaborator's partner among its
        attendees (the other attendees are kept), so that it is in their calendar; no
        invitation mail. One that belongs to a collective appointment is in their
        calendar through it, once."""
        for event in self.filtered_domain(
            [
                ("participant_id", "!=", False),
                ("participant_collaborator_id", "!=", False),
                ("participant_session_id", "=", False),
            ]
        ):
            partner = event.participant_collaborator_id.partner_id
            if partner not in event.partner_ids:
                event.with_context(no_mail_to_attendees=True).write(
                    {"partner_ids": [Command.link(partner.id)]}
                )

    # ----------------------------------------------------------------------------------
    # collective appointments: the session and its participants' appointments
    # ----------------------------------------------------------------------------------
    def _psms_session_appointments(self):
        """The participants' appointments of those of these events that are sessions, as
        the current user (record rules apply: changing them needs the Participants
        groups)."""
        sessions = self.filtered(lambda event: not event.participant_id)
        if not sessions:
            return self.browse()
        return self.search([("participant_session_id", "in", sessions.ids)])

    def _psms_move_session_appointments(self):
        """These sessions moved (time, place) move their participants' appointments
        through the ORM, so that their SMS reminders follow."""
        for session in self:
            values = session._psms_session_values()
            moved = session._psms_session_appointments().filtered(
                lambda appointment, values=values: appointment._psms_session_values()
                != values
            )
            if moved:
                moved.write(values)

    def _psms_leave_moved_sessions(self, vals):
        """An appointment given a time, place or collaborator other than its session's
        leaves the session (and gets its collaborator as attendee again)."""
        compared = list(SESSION_FIELDS)
        if "participant_collaborator_id" in vals:
            compared.append("participant_collaborator_id")
        leaving = self.filtered(
            lambda event: event.participant_session_id
            and any(
                event[name] != event.participant_session_id[name] for name in compared
            )
        )
        if leaving:
            leaving.write({"participant_session_id": False})

    def _psms_session_values(self):
        self.ensure_one()
        return {name: self[name] for name in SESSION_FIELDS}

    @api.onchange("participant_id")
    def _onchange_participant_id(self):
        if self.participant_step_id.participant_id != self.participant_id:
            self.participant_step_id = False

    @api.constrains("participant_step_id", "participant_id")
    def _check_participant_step(self):
        for event in self.filtered("participant_step_id"):
            if event.participant_step_id.participant_id != event.participant_id:
                raise ValidationError(
                    _("The step of an appointment must belong to its participant.")
                )

    # ----------------------------------------------------------------------------------
    # SMS reminder
    # ----------------------------------------------------------------------------------
    def _psms_merge_values(self):
        values = self._psms_common_values()
        values.update(
            location=self.location or "",
            collaborator=self.participant_collaborator_id.name or "",
            appointment_type=self.participant_appointment_type_id.name or "",
            theme=self.participant_theme_id.name or "",
        )
        return values

    # hooks of participant.sms.source: automations
    def _psms_prefill(self, vals_list):
        """New appointments that match a reminder automation are created with their
        reminder switched on and prefilled (delay and template: the text follows from
        the template), unless the creator chose (``sms_reminder`` given)."""
        Automation = self.env["participant.sms.automation"]
        Users, Types = self.env["res.users"], self.env["participant.appointment.type"]
        default = self.default_get(["participant_collaborator_id"]).get(
            "participant_collaborator_id"
        )
        cache, now, prefilled = {}, fields.Datetime.now(), []
        for vals in vals_list:
            start = fields.Datetime.to_datetime(vals.get("start"))
            automation = Automation
            if "sms_reminder" not in vals and vals.get("participant_id") and start:
                automation = start > now and Automation._match(
                    Users.browse(vals.get("participant_collaborator_id", default)),
                    Types.browse(vals.get("participant_appointment_type_id")),
                    "before",
                    cache,
                )
            prefilled.append(
                dict(vals, **automation._reminder_values()) if automation else vals
            )
        return prefilled

    def _psms_is_automation_prefill(self, body):
        automation = self.env["participant.sms.automation"]._match(
            self.participant_collaborator_id,
            self.participant_appointment_type_id,
            "before",
        )
        return bool(
            automation
            and self.sms_reminder_template_id == automation.template_id
            and self.sms_reminder_days == str(automation.days)
            and body == self._psms_render(automation.template_id)
        )

    def _psms_follow_up_plan(self, cache):
        if not (self.participant_id and self.start):
            return None
        automation = self.env["participant.sms.automation"]._match(
            self.participant_collaborator_id,
            self.participant_appointment_type_id,
            "after",
            cache,
        )
        if not automation:
            return None
        window = self.env.company._psms_window()
        return automation.template_id, window.follow_up_send_at(
            self.start, automation.days
        )

    @api.onchange(
        "participant_id",
        "participant_collaborator_id",
        "participant_appointment_type_id",
        "start",
    )
    def _onchange_psms_automation(self):
        if self.sms_reminder or self.sms_reminder_sms_id or not self.participant_id:
            return
        if not self.start or self.start <= fields.Datetime.now():
            return
        automation = self.env["participant.sms.automation"]._match(
            self.participant_collaborator_id,
            self.participant_appointment_type_id,
            "before",
        )
        if automation:
            try:
                self._psms_recipient()
            except UserError:
                # the participant cannot receive SMS: no prefill to refuse on save
                return
            self.update(automation._reminder_values())
            self.sms_reminder_body = self._psms_render(automation.template_id)
            self._onchange_sms_reminder_days()
