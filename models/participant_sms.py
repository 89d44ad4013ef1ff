# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The SMS record: one durable row per SMS, and the only way to create or change one.

The engine keeps these invariants (README, "How sending works"; proved by
``tests/test_sms_engine_states.py``, a stateful property test):

I1. A record (appointment, step, orientation) has at most one pending SMS per purpose
    (reminder, follow-up); while pending, its recipient, number, text, reply mode,
    planned time and deadline match the record's current state, or it is cancelled
    with a note on the record saying why (``participant.sms.source``).
I2. An SMS that the provider accepted, or may have accepted (no answer after the
    request left, unreadable success answer), is never sent again: it is reconciled
    with the provider by its dispatch tag, never resent, failed or refunded blind
    (``participant.sms.dispatcher``).
I3. SMS are created (``_queue``) and changed (``_revise``) only here, after checking
    the acting user's permission for that kind of send; users have no create/write
    right on the model.
I4. A final status never changes (``write``).
I5. Nothing leaves outside the send window but an explicit test SMS and an agreement
    code, sent at once in the referent's request (the dispatcher).
"""

import logging
from collections import defaultdict
from types import MappingProxyType

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import ormcache

from ..tools import sms_text
from ..tools.phone import format_international
from ..tools.phone_search import number_domain
from ..tools.schedule import retry_deadline
from .bulk_insert import insert_rows
from .participant_sms_selections import (
    CONTEXT_TYPES,
    FINAL_STATES,
    ORIGIN_GROUPS,
    ORIGINS,
    PURPOSES,
    STATES,
)

_logger = logging.getLogger(__name__)

#: FINAL_STATES for the domains of ``filtered_domain`` (which reads a list or a tuple)
FINAL_STATE_LIST = tuple(sorted(FINAL_STATES))

#: the operators of a Phone search that ``_search_number_display`` normalises
SEARCH_OPERATORS = ("ilike", "like", "=ilike", "not ilike", "not like")

#: what ``_revise`` may change on a pending SMS
REVISABLE = frozenset(
    (
        "partner_id",
        "number",
        "body",
        "planned_at",
        "deadline",
        "reply_enabled",
        "origin",
        "author_id",
    )
)


class ParticipantSms(models.Model):
    """One SMS, kept with its whole context (to whom, why, by whom, which text, which
    operator status)."""

    _name = "participant.sms"
    _description = "SMS"
    _order = "planned_at desc, id desc"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
        ondelete="restrict",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Recipient",
        index="btree_not_null",
        readonly=True,
        ondelete="set null",
        help="Empty for free sends to numbers that are not participants.",
    )
    number = fields.Char(
        string="Phone",
        required=True,
        readonly=True,
        help="Number of the recipient (E.164), followed until the SMS goes.",
    )
    number_display = fields.Char(
        compute="_compute_number_display",
        search="_search_number_display",
        string="Phone number",
    )
    body = fields.Text(string="Text", required=True, readonly=True)
    encoding = fields.Selection(
        [("GSM-7", "GSM-7"), ("UCS-2", "UCS-2 (Unicode)")], readonly=True
    )
    segments = fields.Integer(
        string="SMS count",
        readonly=True,
        help="Number of SMS (segments) the text needs.",
    )
    state = fields.Selection(
        STATES,
        string="Status",
        default="queued",
        required=True,
        readonly=True,
    )
    is_final = fields.Boolean(
        compute="_compute_is_final", search="_search_is_final", string="Final status"
    )
    planned_at = fields.Datetime(
        string="Planned send",
        required=True,
        index=True,
        readonly=True,
        default=fields.Datetime.now,
    )
    sent_at = fields.Datetime(string="Actual send", readonly=True)
    status_at = fields.Datetime(string="Status date", readonly=True)
    deadline = fields.Datetime(
        string="Retry deadline",
        readonly=True,
        help="Until when the SMS may still be sent or retried.",
    )
    origin = fields.Selection(ORIGINS, required=True, readonly=True)
    purpose = fields.Selection(
        PURPOSES,
        readonly=True,
        help="For an SMS of an appointment, step or orientation: the "
        "reminder before it or the follow-up after it; for a document, the code that "
        "collects the participant's agreement.",
    )
    context_type = fields.Selection(CONTEXT_TYPES, string="Context", readonly=True)
    res_model = fields.Char(string="Context model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Context record",
        model_field="res_model",
        readonly=True,
        index="btree_not_null",
    )
    context_name = fields.Char(
        compute="_compute_context_name", string="Context record name"
    )
    author_id = fields.Many2one(
        "res.users",
        string="Author",
        readonly=True,
        index=True,
        default=lambda self: self.env.user,
        ondelete="set null",
        help="The user who created or scheduled the SMS.",
    )
    cancelled_by_id = fields.Many2one(
        "res.users",
        string="Cancelled by",
        readonly=True,
        ondelete="set null",
        copy=False,
    )
    batch_ref = fields.Char(
        string="Batch reference", readonly=True, index="btree_not_null"
    )
    reply_enabled = fields.Boolean(string="Reply possible", readonly=True)
    account_id = fields.Many2one(
        "participant.sms.account",
        string="Provider account",
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    # no index here: the status callbacks and polls find the SMS by its own table
    # (models/participant_sms_provider_ref.py), so that the dispatch's answer,
    # which writes it, changes no indexed column (an in-place, HOT, update)
    provider_id = fields.Char(
        string="Provider message id",
        readonly=True,
        copy=False,
    )
    # no index: the reconciliation reads the tags of the stale claims it found by
    # status, and a reply's reference is looked for among the SMS of its number
    provider_tag = fields.Char(string="Provider tag", readonly=True, copy=False)
    raw_status = fields.Char(string="Provider status", readonly=True, copy=False)
    attempts = fields.Integer(readonly=True, copy=False)
    last_error = fields.Text(string="Last error", readonly=True, copy=False)
    next_attempt_at = fields.Datetime(string="Next attempt", readonly=True, copy=False)
    claimed_at = fields.Datetime(string="Claimed at", readonly=True, copy=False)
    credits = fields.Integer(string="Credits used", readonly=True, copy=False)
    reply_ids = fields.One2many("participant.sms.reply", "sms_id", string="Replies")
    package_id = fields.Many2one(
        "participant.sms.package",
        string="Package",
        readonly=True,
        copy=False,
        ondelete="restrict",
    )
    simulated = fields.Boolean(
        compute="_compute_simulated",
        help="Sent through the built-in simulator: no real SMS left.",
    )
    rewrite_after_flight = fields.Boolean(
        string="Text to rewrite after its flight",
        readonly=True,
        copy=False,
        help="What its text is made of changed while it was in flight: back in the "
        "queue, it is "
        "rewritten from its template.",
    )
    anonymized_at = fields.Datetime(
        string="Anonymised on",
        readonly=True,
        copy=False,
        help="Past the retention period its text and number were removed (SMS "
        "settings).",
    )

    # ----------------------------------------------------------------------------------
    # computes
    # ----------------------------------------------------------------------------------
    @api.depends("number")
    def _compute_number_display(self):
        for sms in self:
            sms.number_display = (
                format_international(sms.number) if sms.number else False
            )

    def _search_number_display(self, operator, value):
        """A number as the user types it (06 12 34 56 78, +33 6..., 5678), searched by
        the indexes of the E.164 ``number`` (``tools/phone_search.py``)."""
        if not isinstance(value, str) or operator not in SEARCH_OPERATORS:
            return [("number", operator, value)]
        domain = number_domain(value, self.env.company._psms_zone().region)
        if operator in ("not ilike", "not like"):
            return ["!", *domain]
        return self._psms_number_search(domain)

    @api.depends("account_id.provider")
    def _compute_simulated(self):
        for sms in self:
            sms.simulated = sms.sudo().account_id.provider == "simulator"

    @api.depends("state")
    def _compute_is_final(self):
        for sms in self:
            sms.is_final = sms.state in FINAL_STATES

    def _search_is_final(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on the final status."))
        final = (operator == "=") == value
        return [("state", "in" if final else "not in", list(FINAL_STATES))]

    @api.depends("res_model", "res_id")
    def _compute_context_name(self):
        """The name of each SMS' record, read per context model (a list page of 80
        SMS: one query for which records still exist and one for their names per
        model, not a query per SMS)."""
        records = self._context_records()
        for sms in self:
            record = records.get(sms.id)
            sms.context_name = record.sudo().display_name if record else False

    @api.depends("number", "context_type")
    def _compute_display_name(self):
        labels = dict(self._fields["context_type"]._description_selection(self.env))
        for sms in self:
            sms.display_name = " - ".join(
                part
                for part in (labels.get(sms.context_type), sms.number_display)
                if part
            )

    def _context_record(self):
        self.ensure_one()
        return self._context_records().get(self.id, False)

    def _context_records(self):
        """``{SMS id: its record}`` for those of these SMS whose record still exists:
        one query per context model, the records of a model sharing their prefetch
        (their names read together)."""
        ids_of = defaultdict(set)  # model -> ids of the records of these SMS
        for sms in self:
            if sms.res_model in self.env and sms.res_id:
                ids_of[sms.res_model].add(sms.res_id)
        alive = {}  # model -> {id: record} of those that still exist
        for model, ids in ids_of.items():
            records = self.env[model].browse(ids).exists()  # one query
            alive[model] = {record.id: record for record in records}
        return {
            sms.id: alive[sms.res_model][sms.res_id]
            for sms in self
            if sms.res_id in alive.get(sms.res_model, ())
        }

    @api.model
    @ormcache("contract")
    def _context_models(self, contract="participant.sms.record"):
        """``{model name: context type}`` of the models that have SMS (those
        inheriting ``participant.sms.record``, or ``contract``, with a
        ``_psms_context_type``), found the way Odoo finds a model's heirs (the
        registry's ``_inherit`` graph), once per registry (read-only); the engine
        names none of them."""
        registry, context_types = self.env.registry, {}
        for name in registry.descendants([contract], "_inherit"):
            if registry[name]._psms_context_type:
                context_types[name] = registry[name]._psms_context_type
        return MappingProxyType(context_types)

    @api.model
    def _reminder_models(self):
        """The models of records with SMS at a date (``participant.sms.source``):
        reminders and follow-ups."""
        return self._context_models("participant.sms.source")

    # ----------------------------------------------------------------------------------
    # actions
    # ----------------------------------------------------------------------------------
    def action_open_context(self):
        """Open the record the SMS was sent for (the SMS itself for free and batch
        sends)."""
        self.ensure_one()
        record = self._context_record()
        target = record if record and record.has_access("read") else self
        return {
            "type": "ir.actions.act_window",
            "res_model": target._name,
            "res_id": target.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_simulate_reply(self):
        """Simulator accounts only: answer this SMS as the participant would."""
        self.ensure_one()
        self.env["participant.sms.simulate.reply"].check_access("create")
        return {
            "type": "ir.actions.act_window",
            "res_model": "participant.sms.simulate.reply",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "name": _("Simulate a reply"),
            "context": {"default_sms_id": self.id},
        }

    def action_export_xlsx(self):
        """Export the selected SMS (all those of the list when none is selected) to
        Excel."""
        domain = list(self.env.context.get("active_domain") or []) + {
            "sent": [("state", "not in", ("queued", "cancelled"))],
            "upcoming": [("state", "=", "queued")],
        }.get(self.env.context.get("psms_list"), [])
        return self.env["participant.sms.export"]._request(self, domain)

    def action_dispatch_now(self):
        return self.env["participant.sms.dispatcher"].action_dispatch_now()

    def action_update_statuses(self):
        return self.env["participant.sms.dispatcher"].action_update_statuses()

    # ----------------------------------------------------------------------------------
    # the one way in: permission, number, text and window checks
    # ----------------------------------------------------------------------------------
    @api.model
    def _check_origin_permission(self, origin):
        """The server-side check of the seed's "authorised users": raise AccessError
        when the current user may not create an SMS of ``origin``."""
        if origin not in ORIGIN_GROUPS:
            raise ValidationError(_("Unknown SMS origin: %s", origin))
        group = ORIGIN_GROUPS[origin]
        if self.env.su:
            return
        if group is None or not self.env.user.has_group(group):
            raise AccessError(
                _(
                    "You are not allowed to send SMS of this kind: %s.",
                    dict(self._fields["origin"]._description_selection(self.env)).get(
                        origin, origin
                    ),
                )
            )

    @api.model
    def _prepare_values(self, vals, companies):
        """Complete and check one SMS's values (the permission for its origin first);
        ``companies`` caches what is per company (account, window) across a batch,
        and the origins already allowed (key ``"origins"``: one check per origin)."""
        checked = companies.setdefault("origins", set())
        if vals.get("origin") not in checked:
            self._check_origin_permission(vals.get("origin"))
            checked.add(vals.get("origin"))
        vals = dict(vals)
        company_id = vals.get("company_id") or self.env.company.id
        if company_id not in companies:
            company = self.env["res.company"].browse(company_id)
            companies[company_id] = {
                "company": company,
                "account": company._psms_account().id,
            }
        per_company = companies[company_id]
        company = per_company["company"]
        vals["company_id"] = company.id
        raw_number = (
            vals.get("number")
            or self.env["res.partner"].browse(vals.get("partner_id")).mobile
        )
        vals["number"] = self.env["participant.sms.recipient"]._normalize(
            raw_number, company
        )
        # a campaign's SMS often share one text: prepared once per company and text
        texts = per_company.setdefault("texts", {})
        body = vals.get("body")
        if body not in texts:
            texts[body] = self._prepare_text(body, company)
        vals["body"], measure = texts[body]
        vals.update(encoding=measure.encoding, segments=measure.segments)
        if vals.get("res_model"):
            vals.setdefault(
                "context_type", self._context_models().get(vals["res_model"])
            )
        now = fields.Datetime.now()
        planned = vals.get("planned_at") and fields.Datetime.to_datetime(
            vals["planned_at"]
        )
        if not planned:
            if "window" not in per_company:
                per_company["window"] = company._psms_window()
            planned = per_company["window"].immediate_send_at(now)
        vals["planned_at"] = planned
        if not vals.get("deadline"):
            vals["deadline"] = retry_deadline(max(now, planned))
        vals.setdefault("account_id", per_company["account"])
        vals.setdefault("author_id", self.env.uid)
        return vals

    @api.model
    def _convert_text(self, body, company):
        """The text as it will be sent: typography (and accents) written in GSM-7
        after the company's "SMS characters" choice (``tools.sms_text.convert``): the
        text stored is the text sent."""
        return sms_text.convert(body or "", company.psms_text_mode)

    @api.model
    def _prepare_text(self, body, company):
        """``(text as it will be sent, its measure)``, or a ValidationError saying
        why not: blank, or more SMS than the company allows per message."""
        body = sms_text.convert(body or "", company.psms_text_mode)
        measure = sms_text.measure(body)
        if sms_text.is_blank(body):
            raise ValidationError(
                _(
                    "The SMS text is empty, or holds only spaces or invisible "
                    "characters."
                )
            )
        maximum = company.psms_max_segments
        if measure.segments > maximum:
            values = {
                "count": measure.segments,
                "units": measure.units,
                "encoding": measure.encoding,
                "hint": _(
                    " or remove the characters that force Unicode: %s",
                    " ".join(measure.ucs2_chars),
                )
                if measure.ucs2_chars
                else "",
            }
            raise ValidationError(
                _(
                    "The text needs %(count)s SMS (%(units)s characters, "
                    "%(encoding)s) but only 1 SMS per message is allowed. Shorten "
                    "it%(hint)s.",
                    **values,
                )
                if maximum == 1
                else _(
                    "The text needs %(count)s SMS (%(units)s characters, "
                    "%(encoding)s) but at most "
                    "%(max)s SMS per message are allowed. Shorten it%(hint)s.",
                    max=maximum,
                    **values,
                )
            )
        return body, measure

    @api.model_create_multi
    def create(self, vals_list):
        companies, prepared = {}, []
        for vals in vals_list:
            prepared.append(self._prepare_values(vals, companies))
        return super().create(prepared)

    @api.model
    def _queue(self, vals_list):
        """Create SMS after checking, with the current user's rights, that they may
        send SMS of each origin; the records are created as superuser (users have no
        direct create right), the user as their author."""
        for origin in {vals.get("origin") for vals in vals_list}:
            self._check_origin_permission(origin)
        return self.sudo().create(vals_list)

    @api.model
    def _queue_many(self, vals_list):
        """``_queue`` for a send to many numbers (free and batch sends): the same
        permission check and the same values completed and checked one by one
        (``_prepare_values``: company, number, text, window, deadline, account,
        author), stored in one INSERT (``bulk_insert.insert_rows``: defaults, log
        columns, constraints and dependents as ``create`` does)."""
        for origin in {vals.get("origin") for vals in vals_list}:
            self._check_origin_permission(origin)
        Sms, companies = self.sudo(), {}
        return insert_rows(
            Sms, [Sms._prepare_values(vals, companies) for vals in vals_list]
        )

    def _revise(self, vals, origin=None):
        """Change this pending SMS to ``vals`` (only REVISABLE fields). With ``origin``,
        the change is the current user's own send of that kind: their permission is
        checked and they become its author."""
        self.ensure_one()
        if self.state != "queued":
            raise UserError(_("This SMS has already left: it cannot be changed."))
        unknown = set(vals) - REVISABLE
        if unknown:
            raise ValidationError(
                _("These SMS fields cannot be changed: %s", ", ".join(sorted(unknown)))
            )
        vals = dict(vals)
        if origin:
            self._check_origin_permission(origin)
            vals.update(origin=origin, author_id=self.env.uid)
        if "number" in vals or "partner_id" in vals:
            raw = (
                vals.get("number")
                or self.env["res.partner"]
                .browse(vals.get("partner_id", self.partner_id.id))
                .mobile
            )
            vals["number"] = self.env["participant.sms.recipient"]._normalize(
                raw, self.company_id
            )
        if "body" in vals:
            vals["body"], measure = self._prepare_text(vals["body"], self.company_id)
            vals.update(encoding=measure.encoding, segments=measure.segments)
        changed = {}
        for key, value in vals.items():
            field = self._fields[key]
            new = field.convert_to_record(field.convert_to_cache(value, self), self)
            if new != self[key]:
                changed[key] = value
        if changed:
            self.sudo().write(changed)
        return bool(changed)

    # ----------------------------------------------------------------------------------
    # the state machine: final statuses never change again
    # ----------------------------------------------------------------------------------
    def write(self, vals):
        if "state" in vals:
            locked = self.filtered_domain(
                [("state", "in", FINAL_STATE_LIST), ("state", "!=", vals["state"])]
            )
            if locked:
                raise UserError(
                    _(
                        "An SMS in a final status (%s) cannot change status.",
                        ", ".join(sorted(set(locked.mapped("state")))),
                    )
                )
            vals.setdefault("status_at", fields.Datetime.now())
        return super().write(vals)

    def _resync_requeued(self):
        """SMS back in the queue (crash, retry): their records, maybe changed meanwhile
        in another transaction, decide again (I1)."""
        if not self:
            return
        self.env.flush_all()
        self.env.invalidate_all()
        for model, group in self.filtered("purpose").grouped("res_model").items():
            self.env[model].sudo().with_context(active_test=False).browse(
                set(group.mapped("res_id"))
            ).exists()._psms_after_flight(group)

    @api.model
    def _cron_anonymize(self, auto_commit=False):
        """Daily: remove the text and number of the SMS and replies past their company's
        retention period (see participant.sms.privacy)."""
        return self.env["participant.sms.privacy"]._anonymize(auto_commit)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_kept(self):
        """SMS are kept, as evidence of what was sent or meant to be (the retention
        anonymises them): none is deleted, not even by a superuser; an SMS not yet sent
        is cancelled instead (*Cancel the SMS*)."""
        raise UserError(
            _(
                'SMS are kept. An SMS not yet sent can be cancelled with "Cancel '
                'the SMS"; it then stays in the history as Cancelled.'
            )
        )

    def action_cancel(self):
        """Cancel SMS not sent yet (a user's decision); the reminder of their record is
        switched off, and a cancelled follow-up is not scheduled again."""
        queued = self.filtered(lambda s: s.state == "queued")
        if not queued:
            raise UserError(_("Only SMS not yet sent can be cancelled."))
        queued._check_cancel_rights()
        queued.sudo()._cancel(_("Cancelled by %s.", self.env.user.name), by_user=True)
        return True

    def _check_cancel_rights(self):
        """Cancelling an SMS is for its author, the referent of its participant and the
        SMS administrators."""
        if self.env.su or self.env.user.has_group("participant_sms.group_sms_admin"):
            return
        self.check_access("read")
        user = self.env.user
        others = self.sudo().filtered(
            lambda s: s.author_id != user
            and s.partner_id.participant_referent_id != user
        )
        if others:
            raise AccessError(
                _(
                    "You may only cancel the SMS you wrote or those of the "
                    "participants you refer."
                )
            )

    def _cancel(self, reason, by_user=False):
        """Cancel these pending SMS with ``reason``; tell their records (reminder
        switched off when a user cancelled it). Return the SMS cancelled."""
        pending = self.filtered_domain([("state", "=", "queued")])
        values = {"next_attempt_at": False, "last_error": reason}
        if by_user:
            values["cancelled_by_id"] = self.env.uid
        cancelled = pending.sudo()._set_state("cancelled", **values)
        if by_user:
            for (model, res_id), group in cancelled.grouped(
                lambda s: (s.res_model, s.res_id)
            ).items():
                if model in self._context_models() and res_id:
                    record = (
                        self.env[model]
                        .sudo()
                        .with_context(active_test=False)
                        .browse(res_id)
                    )
                    record.exists()._psms_sms_cancelled_by_user(group)
        return cancelled

    def _set_state(self, state, **values):
        """Move to ``state`` the SMS that are not final yet; return them."""
        movable = self.filtered_domain(
            [("state", "not in", FINAL_STATE_LIST), ("state", "!=", state)]
        )
        if movable:
            movable.write(dict(values, state=state))
            if state in FINAL_STATES and state != "cancelled":
                movable._post_context_notes("final")
        return movable

    # ----------------------------------------------------------------------------------
    # chatter of the context record
    # ----------------------------------------------------------------------------------
    def _post_context_notes(self, kind):
        """A note on the record of each of these SMS (``kind``: "sent" or "final"),
        in the language of the record's staff, not the cron user's (OdooBot); which
        note quotes which SMS is recorded for the retention
        (models/participant_sms_note.py)."""
        by_model = {}
        models_ = self._context_models()
        for sms in self:
            if sms.res_model in models_ and sms.res_id:
                by_model.setdefault(sms.res_model, {}).setdefault(sms.res_id, [])
                by_model[sms.res_model][sms.res_id].append(sms)
        for model, of_record in by_model.items():
            records = self.env[model].sudo().browse(list(of_record)).exists()
            # one note per SMS: ``_message_log_batch`` logs one per record, so the SMS
            # of one record go in successive rounds (nearly always one)
            for round_ in range(max(len(smss) for smss in of_record.values())):
                messages = {
                    record.id: of_record[record.id][round_]
                    for record in records
                    if round_ < len(of_record[record.id])
                }
                self._post_context_notes_round(
                    records.browse(list(messages)), messages, kind
                )

    def _post_context_notes_round(self, records, messages, kind):
        """One note on each of ``records`` about its SMS (``messages``: {record id:
        SMS}), linked to it for the retention."""
        bodies = {}
        for record in records:
            sms = messages[record.id].with_context(lang=record._psms_note_lang())
            number = format_international(sms.number) if sms.number else ""
            recipient = sms.partner_id.name or number
            if kind == "sent":
                head = sms.env._(
                    "SMS sent to %(recipient)s (%(number)s)",
                    recipient=recipient,
                    number=number,
                )
            else:
                states = sms._fields["state"]._description_selection(sms.env)
                head = sms.env._(
                    "SMS to %(recipient)s (%(number)s): %(status)s",
                    recipient=recipient,
                    number=number,
                    status=dict(states)[sms.state],
                )
            body = Markup("<p><strong>%s</strong></p><p>%s</p>") % (head, sms.body)
            if kind != "sent" and sms.last_error:
                body += Markup("<p><em>%s</em></p>") % sms.last_error
            bodies[record.id] = body
        if bodies:
            notes = records._message_log_batch(bodies)
            self._psms_link_notes(
                [(messages[note.res_id].id, note.id) for note in notes]
            )
