# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The contract between the SMS engine and the records that have SMS.

A **source** is a record that happens at a date and has SMS about it: an appointment,
a pathway step, an orientation (any model inheriting ``participant.sms.source``; the
engine finds them as Odoo finds a model's heirs, ``registry.descendants``). It gives
``_psms_context_type``, ``_psms_event_start_field``, ``_psms_template_type``,
``_psms_text_fields`` (the fields its texts are made of: a change re-renders them) and
``_psms_merge_values()``, has a ``participant_id``, and answers one question for each
purpose (the **reminder** before it, the **follow-up** after it):

    ``_psms_wanted(purpose)``: the SMS it wants now (recipient, number, text, reply
    mode, planned time, deadline, origin), or why none.

One engine function, ``_psms_reconcile``, compares what is wanted with what is pending
and applies the difference: create, revise, or cancel with a note on the record saying
why. It runs after a create, a write that touches a watched field, a participant's
change of mobile or consent, an SMS back from a crash or a retry, and an upgrade.
Invariant I1 follows: a record has at most one pending SMS per purpose, and while
pending it matches the record.

- An **explicit** change is the user's own change of the reminder (tick, delay, planned
  send, template, text) that makes the record differ from its SMS: it is the user's own
  scheduled send, needs *SMS: individual scheduled* unless the reminder is still its
  automation's untouched prefill (I3), and a reminder that is impossible is refused with
  a clear error.
- A **consequential** change (participant, date, location, collaborator, archiving, the
  participant's mobile or consent) changes nothing the user chose: the SMS follows,
  keeping its origin and author, or is cancelled with a note when it can no longer go.
- What the engine writes back on the record (the reminder's planned send, its text as
  sent, the SMS it is) is the SMS's own: written through ``write`` like any change, it
  is neither explicit nor consequential, and reconciles to nothing.
"""

from dataclasses import dataclass, field

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import sms_text
from ..tools.merge import render
from ..tools.schedule import PAST_TOLERANCE, ScheduleError

REMINDER_FIELDS = (
    "sms_reminder",
    "sms_reminder_days",
    "sms_reminder_planned_at",
    "sms_reminder_template_id",
    "sms_reminder_body",
)
#: the reminder's fields that are a copy of its SMS once the engine wrote them back
COPIED_FROM_SMS = {
    "sms_reminder_planned_at": "planned_at",
    "sms_reminder_body": "body",
}
DAYS = [(str(day), f"{day} day{'s' if day > 1 else ''} before") for day in range(1, 7)]
PURPOSES = ("reminder", "follow_up")


@dataclass
class Wanted:
    """A source's answer for one purpose: the SMS it wants (``values``), or why none
    (``reason``: its pending SMS is cancelled with it), or nothing to decide
    (``keep``: what exists stays as it is)."""

    values: dict = None
    reason: str = ""
    keep: bool = False
    #: the values are the user's own send (their permission is checked, they become
    #: its author)
    by_user: bool = False
    #: ``reason`` also switches the reminder off on the record
    switch_off: bool = False
    #: when ``reason`` is written on the record: "always", "cancelled" (only when a
    #: pending SMS was cancelled) or "" (never)
    tell: str = ""
    #: what the record says once the values are applied (a text rewritten, ...)
    notes: list = field(default_factory=list)


class ParticipantSmsSource(models.AbstractModel):
    _name = "participant.sms.source"
    _inherit = "participant.sms.record"
    _description = "Record with SMS at a date"

    _psms_event_start_field = None
    _psms_template_type = None
    _psms_text_fields = frozenset()

    sms_reminder = fields.Boolean(string="SMS reminder", copy=False)
    sms_reminder_days = fields.Selection(DAYS, string="Reminder delay", copy=False)
    sms_reminder_planned_at = fields.Datetime(
        string="Planned send",
        copy=False,
        help="When the reminder goes out, inside the send window (filled from the "
        "delay).",
    )
    sms_reminder_template_id = fields.Many2one(
        "participant.sms.template",
        string="SMS template",
        copy=False,
        domain=lambda self: [("template_type", "=", self._psms_template_type)],
    )
    sms_reminder_body = fields.Text(string="SMS text", copy=False)
    sms_reminder_sms_id = fields.Many2one(
        "participant.sms",
        string="Reminder SMS",
        copy=False,
        readonly=True,
        # the foreign key's lookup when SMS are deleted (else a scan of the records
        # per SMS); few records have one
        index="btree_not_null",
    )
    sms_reminder_state = fields.Selection(
        related="sms_reminder_sms_id.state", string="Reminder status"
    )

    # ----------------------------------------------------------------------------------
    # what the record is made of: its start, its merge values, its text
    # ----------------------------------------------------------------------------------
    def _psms_lang(self):
        """Texts are written in the language of the user who writes them (the
        service's)."""
        return (
            self.env.lang or self.env.user.lang or self.participant_id.lang or "en_US"
        )

    def _psms_common_values(self):
        """Merge values every type has."""
        self.ensure_one()
        return self.env["participant.sms.template"]._common_values(
            self.participant_id, self[self._psms_event_start_field], self._psms_lang()
        )

    def _psms_merge_values(self):
        return self._psms_common_values()

    def _psms_render(self, template):
        """The template's text for this record, as it will be sent (company's GSM-7
        choice)."""
        body = template.with_context(lang=self._psms_lang()).body
        text = render(body, self._psms_merge_values())
        return sms_text.convert(text, self.env.company.psms_text_mode)

    def _psms_recipient(self):
        """The participant's E.164 mobile, or a clear UserError when they cannot
        receive SMS."""
        self.ensure_one()
        partner = self.participant_id
        if not partner:
            raise UserError(_("An SMS needs a participant."))
        Recipient = self.env["participant.sms.recipient"]
        (verdict,) = Recipient._check([(partner, False)], self.env.company)
        if verdict.code:
            raise UserError(
                _(
                    "%s The SMS is impossible.",
                    Recipient._sentence(verdict.code, partner.name),
                )
            )
        return verdict.number

    def _psms_planned_at(self, days=None, typed=False):
        """The reminder's send time, as it will happen (moved into the window), or a
        clear error; ``days`` defaults to the reminder's delay. A send time ``typed``
        now must not be in the past; one typed earlier that has passed while the SMS
        waited (outside the window) goes at the next opening."""
        self.ensure_one()
        days = self.sms_reminder_days if days is None else days
        start = self[self._psms_event_start_field]
        window = self.env.company._psms_window()
        now = fields.Datetime.now()
        if not start or start <= now:
            raise UserError(
                _("An SMS reminder is only possible for something in the future.")
            )
        if days:
            try:
                return window.reminder_send_at(start, int(days), now=now)
            except ScheduleError:
                raise UserError(
                    _(
                        "The reminder cannot be sent inside the send window before "
                        "it starts: choose another delay or send time."
                    )
                ) from None
        if not self.sms_reminder_planned_at:
            raise UserError(_("Choose a reminder delay or a planned send date."))
        planned = window.clamp_same_day(self.sms_reminder_planned_at)
        if planned < now - PAST_TOLERANCE and typed:
            raise UserError(
                _(
                    "The planned send of the reminder is in the past: choose a later "
                    "one."
                )
            )
        if planned < now:
            planned = window.next_opening(now)
        if planned >= start:
            raise UserError(
                _(
                    "The planned send must be before the start, inside the send "
                    "window."
                )
            )
        return planned

    # ----------------------------------------------------------------------------------
    # create, write, unlink: each reconciles what it touched
    # ----------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(self._psms_prefill(vals_list))
        # the reminder fields the creator gave are theirs, an automation's prefill not
        groups = {}
        for record, vals in zip(records, vals_list, strict=True):
            explicit = (
                set(REMINDER_FIELDS) & set(vals) if vals.get("sms_reminder") else ()
            )
            groups.setdefault(frozenset(explicit), []).append(record.id)
        for explicit, ids in groups.items():
            self.browse(ids)._psms_reconcile(explicit=explicit, creating=True)
        return records

    def write(self, vals):
        watched = set(vals) & (self._psms_text_fields | {*REMINDER_FIELDS, "active"})
        if not watched:
            return super().write(vals)
        if vals.get("sms_reminder_planned_at") and "sms_reminder_days" not in vals:
            vals = dict(vals, sms_reminder_days=False)  # a typed send time wins
        changed = watched - set(REMINDER_FIELDS)
        # the reminder before the write, and whether its text was typed over its
        # template's (then a change that rewrites it says so)
        text_changed = bool(changed & self._psms_text_fields)
        before = {}
        for record in self:
            snapshot = before[record.id] = {}
            for name in REMINDER_FIELDS:
                snapshot[name] = record[name]
            snapshot["typed"] = bool(
                text_changed
                and record.sms_reminder
                and record.sms_reminder_template_id
                and record.sms_reminder_body
                and not record._psms_body_is_rendered()
            )
        result = super().write(vals)
        # explicit: the reminder fields this write changed as the user's own choice:
        # changed, and not a copy of the reminder's SMS (what the engine writes back,
        # or the form sending back its rendered text). Records alike reconcile
        # together; one with neither an explicit nor a consequential change has
        # nothing to reconcile.
        groups = {}
        for record in self:
            snapshot, sms = before[record.id], record.sms_reminder_sms_id
            explicit = set()
            for name in REMINDER_FIELDS:
                if name not in vals or record[name] == snapshot[name]:
                    continue
                copied = COPIED_FROM_SMS.get(name)
                if copied and sms.state == "queued" and record[name] == sms[copied]:
                    continue
                explicit.add(name)
            if "sms_reminder_body" in explicit and record._psms_body_is_rendered():
                explicit.discard("sms_reminder_body")  # the form's copy of the render
            explicit = frozenset(explicit)
            if explicit or changed:
                key = (explicit, snapshot["typed"])
                groups.setdefault(key, []).append(record.id)
        for (explicit, typed), ids in groups.items():
            self.browse(ids)._psms_reconcile(changed, explicit, typed=typed)
        return result

    def _psms_body_is_rendered(self):
        template = self.sms_reminder_template_id
        return bool(
            template
            and self.participant_id
            and self.sms_reminder_body
            and self.sms_reminder_body == self._psms_render(template)
        )

    def unlink(self):
        self.env["participant.sms"].sudo().search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("state", "=", "queued"),
                ("purpose", "!=", False),
            ]
        )._cancel(_("Its record was deleted."))
        return super().unlink()

    # ----------------------------------------------------------------------------------
    # the engine: what is wanted against what is pending
    # ----------------------------------------------------------------------------------
    def _psms_reconcile(
        self,
        changed=frozenset(),
        explicit=frozenset(),
        creating=False,
        typed=False,
        pending_only=False,
    ):
        """Make the pending SMS of these records what they want, purpose by purpose
        (I1): create, revise, or cancel with the reason (on the record when it says
        so). ``changed``: the fields a consequential change touched; ``explicit``: the
        reminder fields the user changed; ``creating``: the records are new;
        ``typed``: their reminder's text was typed over its template's;
        ``pending_only``: only the SMS pending are decided (an upgrade makes what an
        earlier version left pending match its record, it plans nothing new)."""
        Sms = self.env["participant.sms"].sudo()
        pending = {}
        for sms in Sms.search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("state", "=", "queued"),
                ("purpose", "!=", False),
            ]
        ):
            pending[sms.res_id, sms.purpose] = sms
        cache = {}  # what is per company across these records (automations)
        for record in self:
            for purpose in PURPOSES:
                sms = pending.get((record.id, purpose), Sms)
                if pending_only and not sms:
                    continue
                wanted = record._psms_wanted(
                    purpose, changed, explicit, creating, cache, typed
                )
                if wanted.keep:
                    continue
                if wanted.values is None:
                    if sms and wanted.by_user:
                        sms.with_env(self.env)._check_cancel_rights()
                    if sms:
                        sms._cancel(wanted.reason)
                    if wanted.switch_off and record.sms_reminder:
                        record.write({"sms_reminder": False})
                    if wanted.tell == "always" or (wanted.tell and sms):
                        record._psms_tell(wanted.reason)
                    continue
                values = wanted.values
                if sms and wanted.by_user:
                    sms.with_env(self.env)._revise(values, origin=values["origin"])
                elif sms:
                    sms._revise(values)
                else:
                    sender = self.env["participant.sms"] if wanted.by_user else Sms
                    sms = sender._queue(
                        [
                            dict(
                                values,
                                purpose=purpose,
                                res_model=record._name,
                                res_id=record.id,
                            )
                        ]
                    )
                if purpose == "reminder":
                    # the record shows its SMS: a copy, not a change (see write)
                    record.write(
                        {
                            "sms_reminder_days": record.sms_reminder_days,
                            "sms_reminder_planned_at": sms.planned_at,
                            "sms_reminder_body": sms.body,
                            "sms_reminder_sms_id": sms.id,
                        }
                    )
                for note in wanted.notes:
                    record._psms_tell(note)

    def _psms_wanted(
        self,
        purpose,
        changed=frozenset(),
        explicit=frozenset(),
        creating=False,
        cache=None,
        typed=False,
    ):
        """The SMS this record wants now for ``purpose`` (a :class:`Wanted`):
        ``changed``, ``explicit``, ``creating`` and ``typed`` say what happened to the
        record (see ``_psms_reconcile``); ``cache`` keeps what is per company across
        records."""
        self.ensure_one()
        if purpose == "reminder":
            return self._psms_wanted_reminder(changed, explicit, creating, typed)
        return self._psms_wanted_follow_up(creating, {} if cache is None else cache)

    def _psms_wanted_reminder(self, changed, explicit, creating, typed):
        last = self.sms_reminder_sms_id
        if not self.sms_reminder:
            return Wanted(
                reason=_("The SMS reminder was switched off."), by_user=bool(explicit)
            )
        if "active" in self._fields and not self.active:
            return Wanted(
                reason=_("The record was archived: its SMS reminder is cancelled."),
                switch_off=True,
                tell="always",
            )
        if last and last.state not in ("queued", "cancelled"):
            return self._psms_reminder_left(last, changed, explicit)
        if not (last.state == "queued" or explicit or creating):
            return Wanted(keep=True)
        try:
            # checked in the order the tab says them: recipient, send time, text
            values = {
                "partner_id": self.participant_id.id,
                "number": self._psms_recipient(),
                "planned_at": self._psms_planned_at(
                    typed="sms_reminder_planned_at" in explicit
                ),
                "deadline": self[self._psms_event_start_field],
                "reply_enabled": self.sms_reminder_template_id.reply_enabled,
            }
            values["body"], rerendered = self._psms_reminder_text(changed, explicit)
        except (UserError, ValidationError) as error:
            if explicit:
                raise
            first = creating or not last
            return Wanted(
                reason=_("Automatic SMS not scheduled: %s", error)
                if first
                else _("SMS reminder cancelled: %s", error),
                switch_off=True,
                tell="always",
            )
        if last.state == "queued" and not explicit:
            # a consequential change: the SMS follows, keeping its origin and author
            values["origin"], by_user = last.origin, False
        else:
            automation = self._psms_is_automation_prefill(values["body"])
            values["origin"] = "automation" if automation else "scheduled"
            by_user = not automation
        notes = []
        if rerendered and typed:
            notes.append(
                _(
                    "The SMS reminder was rewritten from its template after this "
                    "change; manual additions to its text were dropped."
                )
            )
        return Wanted(values=values, by_user=by_user, notes=notes)

    def _psms_reminder_left(self, last, changed, explicit):
        """The reminder's SMS left: nothing to decide, and nothing the user may change
        (but erase the copy of its text, as the retention does)."""
        if explicit and (explicit != {"sms_reminder_body"} or self.sms_reminder_body):
            raise UserError(_("The SMS reminder already left: it cannot be changed."))
        # in flight, it may come back to the queue: then its record decides again, and
        # only whether its text must be rewritten cannot be seen from the record
        if (
            last.state == "processing"
            and not last.provider_id
            and changed & self._psms_text_fields
        ):
            last.sudo().rewrite_after_flight = True
        return Wanted(keep=True)

    def _psms_reminder_text(self, changed, explicit):
        """The reminder's text now, and whether it was rewritten over the user's."""
        template, body = self.sms_reminder_template_id, self.sms_reminder_body
        if "sms_reminder_body" in explicit and body:
            return body, False
        # switched (back) on: the stored text was not kept up to date while it was off
        switched_on = "sms_reminder" in explicit
        if template and (
            not body or "sms_reminder_template_id" in explicit or switched_on
        ):
            return self._psms_render(template), False
        if changed & self._psms_text_fields:
            if not template:
                raise UserError(
                    _(
                        "its text was typed by hand and may no longer be right after "
                        "this change: check it and switch the reminder on again."
                    )
                )
            new_body = self._psms_render(template)
            return new_body, bool(body) and new_body != body
        if not body:
            raise UserError(
                _("Choose an SMS template or type the text of the reminder.")
            )
        return body, False

    def _psms_wanted_follow_up(self, creating, cache):
        """The follow-up after the record (J+n): what ``_psms_follow_up_plan`` gives;
        one that was sent, or cancelled by a user, is not scheduled again."""
        plan = ("active" not in self._fields or self.active) and (
            self._psms_follow_up_plan(cache)
        )
        if not plan or plan[1] <= fields.Datetime.now():
            return Wanted(
                reason=_(
                    "Follow-up SMS not scheduled: %s",
                    _("the appointment no longer matches a follow-up automation."),
                ),
                tell="cancelled",
            )
        template, planned = plan
        done = (
            self.env["participant.sms"]
            .sudo()
            .search_count(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("purpose", "=", "follow_up"),
                    "|",
                    ("state", "not in", ("queued", "cancelled")),
                    ("cancelled_by_id", "!=", False),
                ],
                limit=1,
            )
        )
        if done:
            return Wanted(keep=True)
        try:
            values = {
                "partner_id": self.participant_id.id,
                "number": self._psms_recipient(),
                "body": self._psms_render(template),
                "planned_at": planned,
                "deadline": self.env.company._psms_window().campaign_deadline(planned),
                "reply_enabled": template.reply_enabled,
                "origin": "automation",
            }
        except (UserError, ValidationError) as error:
            return Wanted(
                reason=_("Follow-up SMS not scheduled: %s", error),
                tell="always" if creating else "cancelled",
            )
        return Wanted(values=values)

    def _psms_after_flight(self, messages):
        """``messages`` of these records went back to the queue after a crash or a
        retry (the provider never got them); the records may have changed while they
        were in flight, so they decide again, as after any change: a reminder whose
        record is gone or names another SMS is cancelled, one whose record changed the
        text of is rewritten."""
        rewrite = self.browse()
        for sms in messages:
            record = self.browse(sms.res_id) & self
            if sms.purpose == "reminder" and record.sms_reminder_sms_id != sms:
                sms._cancel(
                    _("Its reminder was replaced while it was being sent.")
                    if record
                    else _("Its record was deleted.")
                )
            elif sms.rewrite_after_flight:
                rewrite |= record
            sms.rewrite_after_flight = False
        (self - rewrite)._psms_reconcile()
        for record in rewrite:
            record._psms_reconcile(changed=record._psms_text_fields)

    def _psms_sms_cancelled_by_user(self, messages):
        """The engine's hook: a user cancelled these SMS of the record (Upcoming
        SMS): its reminder is switched off."""
        if self.sms_reminder_sms_id in messages and self.sms_reminder:
            self.write({"sms_reminder": False})

    # ----------------------------------------------------------------------------------
    # hooks of the concrete models (automations: appointments only)
    # ----------------------------------------------------------------------------------
    def _psms_prefill(self, vals_list):
        """The values of new records with the reminders an automation prescribes."""
        return vals_list

    def _psms_is_automation_prefill(self, body):
        """Whether the reminder is still an automation's untouched prefill."""
        return False

    def _psms_follow_up_plan(self, cache):
        """``(template, planned_at)`` of the follow-up this record must have, or
        None; ``cache`` (a dict) keeps what is per company across records."""
        return None
