import logging
import random
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

import psycopg2.errors
from markupsafe import Markup

from odoo import _, api, fields, models, modules
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import sms_text
from ..tools.phone import PhoneError, format_international, normalize_mobile
from ..tools.providers import OutgoingSms, ProviderError, StatusQuery
from ..tools.schedule import retry_deadline

_logger = logging.getLogger(__name__)

STATES = [
    ("queued", "Not yet sent"),
    ("processing", "Processing"),
    ("sent", "Delivered to operator"),
    ("delivered", "Delivered"),
    ("not_received", "Sent, not received"),
    ("failed", "Failed"),
    ("expired", "Expired"),
    ("stop", "STOP"),
    ("cancelled", "Cancelled"),
    ("not_sent", "Not sent"),
]
FINAL_STATES = frozenset(("delivered", "failed", "expired", "stop", "cancelled", "not_sent"))
POLLED_STATES = ("processing", "sent", "not_received")
ORIGINS = [
    ("instant", "Individual instant"),
    ("scheduled", "Individual scheduled"),
    ("batch", "Batch"),
    ("free", "Free"),
    ("automation", "Automation"),
    ("test", "Test"),
]
#: the group a user needs to create an SMS of each origin (automation: the system only)
ORIGIN_GROUPS = {
    "instant": "participant_sms.group_sms_send_instant",
    "scheduled": "participant_sms.group_sms_send_scheduled",
    "batch": "participant_sms.group_sms_send_batch",
    "free": "participant_sms.group_sms_send_free",
    "test": "participant_sms.group_sms_admin",
    "automation": None,
}
CONTEXT_TYPES = [
    ("appointment", "Appointment"),
    ("step", "Step"),
    ("orientation", "Orientation"),
    ("batch", "Batch"),
    ("free", "Free"),
    ("test", "Test"),
]
CONTEXT_MODELS = {
    "calendar.event": "appointment",
    "participant.step": "step",
    "participant.orientation": "orientation",
}
STALE_CLAIM = timedelta(minutes=10)
EXPIRY_DELAY = timedelta(hours=48)
RETRY_BACKOFF = timedelta(minutes=5)
DEFAULT_BATCH = 500
MAX_CONFLICT_RETRIES = 5
ADVISORY_LOCK_BASE = 0x50534D53_00000000  # "PSMS", + company id




class ParticipantSms(models.Model):
    """One SMS, kept forever with its whole context (to whom, why, by whom, which text, which
    operator status)."""

    _name = "participant.sms"
    _description = "SMS"
    _order = "planned_at desc, id desc"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True,
                                 default=lambda self: self.env.company)
    partner_id = fields.Many2one("res.partner", string="Recipient", index=True, readonly=True,
                                 help="Empty for free sends to numbers that are not participants.")
    number = fields.Char(string="Phone", required=True, readonly=True,
                         help="Number of the recipient when the SMS was created (E.164).")
    number_display = fields.Char(compute="_compute_number_display", string="Phone number")
    body = fields.Text(string="Text", required=True, readonly=True)
    encoding = fields.Selection([("GSM-7", "GSM-7"), ("UCS-2", "UCS-2 (Unicode)")],
                                readonly=True)
    segments = fields.Integer(string="SMS count", readonly=True,
                              help="Number of SMS (segments) the text needs.")
    state = fields.Selection(STATES, string="Status", default="queued", required=True,
                             index=True, readonly=True)
    is_final = fields.Boolean(compute="_compute_is_final", search="_search_is_final",
                              string="Final status")
    planned_at = fields.Datetime(string="Planned send", required=True, index=True,
                                 readonly=True, default=fields.Datetime.now)
    sent_at = fields.Datetime(string="Actual send", readonly=True)
    status_at = fields.Datetime(string="Status date", readonly=True)
    deadline = fields.Datetime(string="Retry deadline", readonly=True,
                               help="Until when the SMS may still be sent or retried.")
    origin = fields.Selection(ORIGINS, required=True, readonly=True, index=True)
    context_type = fields.Selection(CONTEXT_TYPES, string="Context", readonly=True, index=True)
    res_model = fields.Char(string="Context model", readonly=True, index=True)
    res_id = fields.Many2oneReference(string="Context record", model_field="res_model",
                                      readonly=True, index=True)
    context_name = fields.Char(compute="_compute_context_name", string="Context record name")
    author_id = fields.Many2one("res.users", string="Author", readonly=True, index=True,
                                default=lambda self: self.env.user,
                                help="The user who created or scheduled the SMS.")
    batch_ref = fields.Char(string="Batch reference", readonly=True, index=True)
    reply_enabled = fields.Boolean(string="Reply possible", readonly=True)
    account_id = fields.Many2one("participant.sms.account", string="Provider account",
                                 readonly=True, index=True)
    provider_id = fields.Char(string="Provider message id", readonly=True, index=True,
                              copy=False)
    provider_tag = fields.Char(string="Provider tag", readonly=True, copy=False)
    raw_status = fields.Char(string="Provider status", readonly=True, copy=False)
    attempts = fields.Integer(readonly=True, copy=False)
    last_error = fields.Text(string="Last error", readonly=True, copy=False)
    next_attempt_at = fields.Datetime(string="Next attempt", readonly=True, copy=False)
    claimed_at = fields.Datetime(string="Claimed at", readonly=True, copy=False)
    credits = fields.Integer(string="Credits used", readonly=True, copy=False)
    reply_ids = fields.One2many("participant.sms.reply", "sms_id", string="Replies")
    package_id = fields.Many2one("participant.sms.package", string="Package", readonly=True,
                                 copy=False)

    # ------------------------------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------------------------------
    @api.depends("number")
    def _compute_number_display(self):
        for sms in self:
            sms.number_display = format_international(sms.number) if sms.number else False

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
        for sms in self:
            record = sms._context_record()
            sms.context_name = record.sudo().display_name if record else False

    @api.depends("number", "context_type")
    def _compute_display_name(self):
        labels = dict(self._fields["context_type"]._description_selection(self.env))
        for sms in self:
            sms.display_name = " - ".join(
                part for part in (labels.get(sms.context_type), sms.number_display) if part)

    def _context_record(self):
        self.ensure_one()
        if self.res_model in self.env and self.res_id:
            record = self.env[self.res_model].browse(self.res_id)
            return record if record.exists() else False
        return False

    def action_open_context(self):
        """Open the record the SMS was sent for (the SMS itself for free and batch sends)."""
        self.ensure_one()
        record = self._context_record()
        if record and record.has_access("read"):
            return {"type": "ir.actions.act_window", "res_model": record._name,
                    "res_id": record.id, "view_mode": "form", "views": [(False, "form")],
                    "target": "current"}
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "views": [(False, "form")], "target": "current"}

    def action_simulate_reply(self):
        """Simulator accounts only: answer this SMS as the participant would."""
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "participant.sms.simulate.reply",
                "view_mode": "form", "views": [(False, "form")], "target": "new",
                "name": _("Simulate a reply"), "context": {"default_sms_id": self.id}}

    def action_export_xlsx(self):
        """Export the selected SMS (all those of the list when none is selected) to Excel."""
        records = self
        if not records:
            domain = {"sent": [("state", "not in", ("queued", "cancelled"))],
                      "upcoming": [("state", "=", "queued")]}.get(
                self.env.context.get("psms_list"), [])
            records = self.search(list(self.env.context.get("active_domain") or []) + domain)
        ids = ",".join(str(record_id) for record_id in records.ids)
        return {"type": "ir.actions.act_url", "target": "download",
                "url": f"/participant_sms/export_xlsx?ids={ids}"}

    # ------------------------------------------------------------------------------------------
    # creation: the one way in, with permissions, number, text and window checks
    # ------------------------------------------------------------------------------------------
    @api.model
    def _check_origin_permission(self, origin):
        """The server-side check of the seed's "authorised users": raise AccessError when the
        current user may not create an SMS of ``origin``."""
        if origin not in ORIGIN_GROUPS:
            raise ValidationError(_("Unknown SMS origin: %s", origin))
        group = ORIGIN_GROUPS[origin]
        if self.env.su:
            return
        if group is None or not self.env.user.has_group(group):
            labels = dict(ORIGINS)
            raise AccessError(_("You are not allowed to send SMS of this kind: %s.",
                                labels.get(origin, origin)))

    @api.model
    def _phone_error_message(self, error, raw):
        messages = {
            "empty": _("There is no mobile number."),
            "unparsable": _("“%s” is not a phone number.", raw),
            "invalid": _("“%s” is not a valid phone number.", raw),
            "not_mobile": _("“%s” is not a mobile number: SMS cannot be sent to it.", raw),
        }
        return messages[error.code]

    @api.model
    def _normalize_number(self, raw, company):
        try:
            return normalize_mobile(raw, company._psms_zone().region)
        except PhoneError as error:
            raise ValidationError(self._phone_error_message(error, raw)) from None

    @api.model
    def _check_text(self, body, company):
        measure = sms_text.measure(body)
        if not measure.segments:
            raise ValidationError(_("The SMS text is empty."))
        if measure.segments > company.psms_max_segments:
            raise ValidationError(_(
                "The text needs %(count)s SMS (%(units)s characters, %(encoding)s) but at most "
                "%(max)s SMS per message are allowed. Shorten it%(hint)s.",
                count=measure.segments, units=measure.units, encoding=measure.encoding,
                max=company.psms_max_segments,
                hint=_(" or remove the characters that force Unicode: %s",
                       " ".join(measure.ucs2_chars)) if measure.ucs2_chars else ""))
        return measure

    @api.model
    def _prepare_values(self, vals, companies):
        """Complete and check one SMS's values; ``companies`` caches what is per company
        (window, account) across a batch."""
        vals = dict(vals)
        company_id = vals.get("company_id") or self.env.company.id
        if company_id not in companies:
            company = self.env["res.company"].browse(company_id)
            companies[company_id] = (company, company._psms_window(),
                                     company._psms_account().id)
        company, window, account_id = companies[company_id]
        vals["company_id"] = company.id
        raw_number = vals.get("number") or self.env["res.partner"].browse(
            vals.get("partner_id")).mobile
        vals["number"] = self._normalize_number(raw_number, company)
        measure = self._check_text(vals.get("body"), company)
        vals.update(encoding=measure.encoding, segments=measure.segments)
        if vals.get("res_model"):
            vals.setdefault("context_type", CONTEXT_MODELS.get(vals["res_model"]))
        now = fields.Datetime.now()
        planned = vals.get("planned_at") and fields.Datetime.to_datetime(vals["planned_at"])
        vals["planned_at"] = planned or window.immediate_send_at(now)
        if not vals.get("deadline"):
            vals["deadline"] = retry_deadline(max(now, vals["planned_at"]))
        vals.setdefault("account_id", account_id)
        vals.setdefault("author_id", self.env.uid)
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        for origin in {vals.get("origin") for vals in vals_list}:
            self._check_origin_permission(origin)
        companies = {}
        return super().create([self._prepare_values(vals, companies) for vals in vals_list])

    @api.model
    def _queue(self, vals_list):
        """Create SMS after checking, with the current user's rights, that they may send SMS of
        each origin; the records are created as superuser (users have no direct create right)."""
        for origin in {vals.get("origin") for vals in vals_list}:
            self._check_origin_permission(origin)
        author = self.env.uid
        return self.sudo().create([dict(vals, author_id=vals.get("author_id", author))
                                   for vals in vals_list])

    # ------------------------------------------------------------------------------------------
    # status changes: final statuses never change again
    # ------------------------------------------------------------------------------------------
    def write(self, vals):
        if "state" in vals:
            locked = self.filtered(lambda s: s.state in FINAL_STATES and s.state != vals["state"])
            if locked:
                raise UserError(_("An SMS in a final status (%s) cannot change status.",
                                  ", ".join(sorted(set(locked.mapped("state"))))))
            vals.setdefault("status_at", fields.Datetime.now())
        result = super().write(vals)
        if vals.get("state") == "cancelled" and not self.env.context.get("psms_from_record"):
            self._psms_switch_off_reminders()
        return result

    def unlink(self):
        """SMS are kept forever: deleting SMS not sent yet (the trash of *Upcoming SMS*) cancels
        them; the others cannot be deleted."""
        if self.filtered(lambda s: s.state != "queued"):
            raise UserError(_("SMS are kept forever. Only SMS not yet sent can be removed: "
                              "they are then cancelled."))
        self.action_cancel()
        return True

    def action_cancel(self):
        """Cancel SMS not sent yet; the reminder of their record is switched off."""
        queued = self.filtered(lambda s: s.state == "queued")
        if not queued:
            raise UserError(_("Only SMS not yet sent can be cancelled."))
        queued._check_cancel_rights()
        queued.sudo().write({"state": "cancelled", "next_attempt_at": False})
        return True

    def _check_cancel_rights(self):
        if self.env.su or self.env.user.has_group("participant_sms.group_sms_admin"):
            return
        self.check_access("read")
        allowed = self.env.user.has_group("participant_sms.group_sms_send_scheduled")
        if not allowed and self.filtered(lambda s: s.author_id != self.env.user):
            raise AccessError(_("You may only cancel the SMS you scheduled."))

    def _psms_update_pending(self, body, planned_at, deadline):
        """A reminder whose record changed: new text and time, same number (snapshot)."""
        self.ensure_one()
        measure = self._check_text(body, self.company_id)
        self.write({"body": body, "planned_at": planned_at, "deadline": deadline,
                    "encoding": measure.encoding, "segments": measure.segments})

    def _psms_switch_off_reminders(self):
        for model in ("calendar.event", "participant.step", "participant.orientation"):
            records = self.env[model].sudo().with_context(active_test=False).search(
                [("sms_reminder_sms_id", "in", self.ids)])
            records.with_context(psms_reminder_sync=True).write({"sms_reminder": False})

    def _set_state(self, state, **values):
        """Move to ``state`` the SMS that are not final yet; return them."""
        movable = self.filtered(lambda s: s.state not in FINAL_STATES and s.state != state)
        if movable:
            movable.write(dict(values, state=state))
            finals = movable.filtered(lambda s: s.state in FINAL_STATES)
            finals._post_context_notes("final")
        return movable

    # ------------------------------------------------------------------------------------------
    # chatter of the context record
    # ------------------------------------------------------------------------------------------
    def _note_body(self, kind):
        self.ensure_one()
        recipient = self.partner_id.name or self.number_display
        status = dict(self._fields["state"]._description_selection(self.env))[self.state]
        if kind == "sent":
            head = _("SMS sent to %(recipient)s (%(number)s)", recipient=recipient,
                     number=self.number_display)
        else:
            head = _("SMS to %(recipient)s (%(number)s): %(status)s", recipient=recipient,
                     number=self.number_display, status=status)
        body = Markup("<p><strong>%s</strong></p><p>%s</p>") % (head, self.body)
        if kind != "sent" and self.last_error:
            body += Markup("<p><em>%s</em></p>") % self.last_error
        return body

    def _post_context_notes(self, kind):
        by_model = {}
        for sms in self.filtered(lambda s: s.res_model in CONTEXT_MODELS and s.res_id):
            by_model.setdefault(sms.res_model, {})[sms.res_id] = sms._note_body(kind)
        for model, bodies in by_model.items():
            records = self.env[model].sudo().browse(list(bodies)).exists()
            if records:
                records._message_log_batch({rid: bodies[rid] for rid in records.ids})

    # ------------------------------------------------------------------------------------------
    # dispatch
    # ------------------------------------------------------------------------------------------
    @api.model
    def _cron_dispatch(self, batch_size=DEFAULT_BATCH):
        """Send the SMS that are due, in batches, one commit per batch."""
        self._reconcile_stale_claims()
        for company in self.env["res.company"].search([]):
            if not company._psms_window().contains(fields.Datetime.now()):
                continue
            while self._dispatch_batch(company, batch_size):
                pass

    def action_dispatch_now(self):
        """Manual dispatch (administrators): errors are shown, not only logged."""
        if not self.env.user.has_group("participant_sms.group_sms_admin"):
            raise AccessError(_("Only SMS administrators can dispatch SMS by hand."))
        error = None
        for company in self.env["res.company"].search([]):
            while True:
                sent, error = self.sudo()._dispatch_batch(company, DEFAULT_BATCH, return_error=True)
                if not sent or error:
                    break
        if error:
            raise UserError(self.env["participant.sms.account"]._error_message(error))
        return True

    @api.model
    def _claim(self, company, limit):
        """Lock up to ``limit`` due SMS of ``company``; two dispatchers skip each other's rows."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT id FROM participant_sms
                WHERE state = 'queued' AND company_id = %s
                  AND COALESCE(next_attempt_at, planned_at) <= %s
                ORDER BY planned_at, id
                LIMIT %s
                FOR UPDATE SKIP LOCKED""",
            [company.id, fields.Datetime.now(), limit])
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _filter_sendable(self):
        """Close what must not go (deadline passed, STOP, refused SMS); return the rest."""
        now = fields.Datetime.now()
        late = self.filtered(lambda s: s.deadline and s.deadline < now)
        for sms in late:
            reason = (_("The deadline passed before the SMS could be sent. Last error: %s",
                        sms.last_error) if sms.last_error
                      else _("The deadline passed before the SMS could be sent."))
            sms._set_state("not_sent", last_error=reason)
        rest = self - late
        blacklisted = self.env["phone.blacklist"]._psms_blacklisted(rest.mapped("number"))
        stopped = rest.filtered(lambda s: s.number in blacklisted
                                or (s.partner_id and not s.partner_id.accepts_sms))
        for sms in stopped:
            reason = (_("The number is on the STOP list.") if sms.number in blacklisted
                      else _("The participant refuses SMS."))
            sms._set_state("stop", last_error=reason)
        return rest - stopped

    def _reserve_credits(self, company):
        """Charge the credit of each SMS (one per segment); the SMS that do not fit stay queued
        with the reason. Return the SMS that were charged."""
        packages = self.env["participant.sms.package"].sudo()._lock_for_company(company)
        charges = defaultdict(list)  # (package, credits) -> SMS ids: one write per group
        for sms in self:
            package = packages._consume(sms.segments)
            if package:
                charges[package.id, sms.segments].append(sms.id)
        charged = self.browse()
        for (package_id, credits), ids in charges.items():
            group = self.browse(ids)
            group.write({"credits": credits, "package_id": package_id})
            charged |= group
        short = self - charged
        if short:
            short.write({"last_error": _("No SMS credit left."),
                         "next_attempt_at": fields.Datetime.now() + RETRY_BACKOFF})
        return charged

    def _refund_credits(self):
        for sms in self.filtered("credits"):
            sms.package_id._refund(sms.credits)
            sms.write({"credits": 0, "package_id": False})

    def _auto_commit(self):
        return self.env.context.get("psms_auto_commit", not modules.module.current_test)

    def _commit(self):
        """One commit per batch in production; tests ask for it with ``psms_auto_commit``."""
        if self._auto_commit():
            self.env.cr.commit()

    @contextmanager
    def _charge_lock(self, company):
        """Serialise the claim-and-charge step of the dispatchers of one company.

        Odoo's transactions are REPEATABLE READ: a dispatcher whose snapshot is older than
        another's committed charge could not update the packages. The session-level advisory
        lock is taken and *then* a new transaction (a fresh snapshot) starts, so the charge
        always sees the others'. Only the short claim step is serialised; sending runs in
        parallel."""
        if not self._auto_commit():
            yield
            return
        key = ADVISORY_LOCK_BASE + company.id
        self.env.cr.execute("SELECT pg_advisory_lock(%s)", [key])
        self.env.cr.commit()
        try:
            yield
        except Exception:
            self.env.cr.rollback()
            raise
        finally:
            self.env.cr.execute("SELECT pg_advisory_unlock(%s)", [key])

    @api.model
    def _claim_and_charge(self, company, limit):
        """Claim due SMS, close those that must not go, charge the credit of the others and
        mark them *Processing* under a new dispatch tag."""
        claimed = self._claim(company, limit)
        sendable = claimed._filter_sendable()._reserve_credits(company)
        tag = uuid.uuid4().hex
        now = fields.Datetime.now()
        for attempts, group in sendable.grouped("attempts").items():
            group.write({"state": "processing", "claimed_at": now, "provider_tag": tag,
                         "attempts": attempts + 1})
        return claimed, sendable, tag

    @api.model
    def _dispatch_batch(self, company, limit, return_error=False):
        """Claim, charge and send one batch; return how many SMS were claimed (and the provider
        error, if ``return_error``). The claim is committed before the provider is called, and
        the provider's answer right after: a worker that dies in between leaves SMS that
        ``_reconcile_stale_claims`` settles."""
        for _retry in range(MAX_CONFLICT_RETRIES):
            try:
                with self._charge_lock(company):
                    claimed, sendable, tag = self._claim_and_charge(company, limit)
                    self._commit()
                break
            except psycopg2.errors.SerializationFailure:
                # another dispatcher charged the same packages since our snapshot
                if not self._auto_commit():
                    raise
                self.env.cr.rollback()
                self.env.invalidate_all()
                time.sleep(random.uniform(0.01, 0.1))
        else:
            _logger.info("SMS dispatch: too many concurrent updates, next run will continue")
            return (0, None) if return_error else 0
        error = None
        for account in sendable.account_id:
            group = sendable.filtered(lambda s: s.account_id == account)
            results, send_error = group._send(account, tag)
            with self._charge_lock(company):  # results may refund credits
                if send_error:
                    group._handle_send_error(send_error)
                else:
                    group._apply_send_results(results)
                self._commit()
            error = send_error or error
        return (len(claimed), error) if return_error else len(claimed)

    def _send(self, account, tag):
        """Send these claimed SMS through ``account`` (no database write here); return the
        provider's results, or the ProviderError."""
        try:
            provider = account._get_provider()
            results = provider.send([
                OutgoingSms(ref=str(sms.id), number=sms.number, body=sms.body,
                            sender=sms.company_id.psms_sender or "", reply=sms.reply_enabled)
                for sms in self], tag=tag)
        except ProviderError as error:
            _logger.warning("SMS dispatch of %s messages through account %s failed: %s (%s)",
                            len(self), account.id, error.kind, error)
            return None, error
        return results, None

    def _handle_send_error(self, error):
        message = self.env["participant.sms.account"]._error_message(error)
        if error.retryable:
            self._refund_credits()
            self.write({"state": "queued", "claimed_at": False, "last_error": message,
                        "next_attempt_at": fields.Datetime.now() + RETRY_BACKOFF})
        else:
            self._refund_credits()
            self._set_state("failed", last_error=message, claimed_at=False)

    def _apply_send_results(self, results):
        by_id = {sms.id: sms for sms in self}
        now = fields.Datetime.now()
        accepted = self.browse()
        for result in results:
            sms = by_id[int(result.ref)]
            if result.accepted:
                sms.write({"provider_id": result.provider_id, "raw_status": result.raw_status,
                           "sent_at": now, "last_error": False, "next_attempt_at": False})
                accepted |= sms
            else:
                sms._refund_credits()
                sms._set_state("failed", raw_status=result.raw_status, last_error=result.error)
        accepted._post_context_notes("sent")

    @api.model
    def _reconcile_stale_claims(self):
        """SMS claimed by a dispatcher that died before recording the provider's answer: ask the
        provider what it has; never resend blindly."""
        stale = self.search([("state", "=", "processing"), ("provider_id", "=", False),
                             ("claimed_at", "<", fields.Datetime.now() - STALE_CLAIM)])
        for (account, tag), group in stale.grouped(lambda s: (s.account_id, s.provider_tag)).items():
            with self._charge_lock(group.company_id[:1]):
                group._reconcile(account, tag)
                self._commit()

    def _reconcile(self, account, tag):
        try:
            provider = account._get_provider()
            if not provider.can_lookup:
                self._set_state("not_sent", last_error=_(
                    "The dispatch was interrupted and the provider cannot tell whether the SMS "
                    "was sent: it is not sent again, to avoid a duplicate."))
                return
            known = provider.lookup(tag, self.mapped("number"))
        except ProviderError as error:
            _logger.warning("SMS reconciliation through account %s failed: %s", account.id,
                            error.kind)
            return  # try again at the next run
        for sms in self:
            if sms.number in known:
                sms.write({"provider_id": known[sms.number], "sent_at": sms.claimed_at})
                sms._post_context_notes("sent")
            else:
                sms._refund_credits()
                sms.write({"state": "queued", "claimed_at": False,
                           "last_error": _("The dispatch was interrupted before the provider "
                                           "received the SMS: it will be sent again.")})

    # ------------------------------------------------------------------------------------------
    # statuses
    # ------------------------------------------------------------------------------------------
    @api.model
    def _cron_poll_statuses(self, limit=DEFAULT_BATCH):
        """Ask the providers the status of the SMS that are not final."""
        pending = self.search([("state", "in", POLLED_STATES), ("provider_id", "!=", False)],
                              order="sent_at, id")
        error = None
        for account, group in pending.grouped("account_id").items():
            for start in range(0, len(group), limit):
                error = group[start:start + limit]._poll(account) or error
                self._commit()
        return error

    def action_update_statuses(self):
        """The "Update statuses now" button."""
        error = self.sudo()._cron_poll_statuses()
        self.sudo()._cron_expire()
        if error:
            raise UserError(self.env["participant.sms.account"]._error_message(error))
        return True

    def _poll(self, account):
        try:
            provider = account._get_provider()
            if not provider.can_poll:
                return None
            updates = provider.fetch_statuses([
                StatusQuery(sms.provider_id, sms.number, sms.state) for sms in self])
        except ProviderError as error:
            _logger.warning("SMS status poll through account %s failed: %s", account.id,
                            error.kind)
            return error
        self._apply_status_updates(account, updates)
        return None

    @api.model
    def _apply_status_updates(self, account, updates):
        """Apply provider status updates (idempotent: unknown ids, repeats and updates of final
        SMS change nothing). Return the SMS that changed."""
        if not updates:
            return self.browse()
        messages = self.sudo().search([("account_id", "=", account.id),
                                       ("provider_id", "in", [u.provider_id for u in updates])])
        by_provider_id = {sms.provider_id: sms for sms in messages}
        groups = defaultdict(list)  # one write per (status, raw status, error)
        for update in updates:
            sms = by_provider_id.get(update.provider_id)
            if not sms or sms.state in FINAL_STATES or sms.state == update.status:
                continue
            groups[update.status, update.raw_status, update.error].append(sms.id)
        changed = self.browse()
        for (status, raw_status, error), ids in groups.items():
            values = {"raw_status": raw_status}
            if error:
                values["last_error"] = error
            changed |= messages.browse(ids)._set_state(status, **values)
        stopped = changed.filtered(lambda s: s.state == "stop")
        if stopped:
            self.env["phone.blacklist"].sudo()._add(stopped.mapped("number"), message=_(
                "Reported as STOP by the SMS operator."))
        return changed

    @api.model
    def _cron_expire(self):
        """*Sent, not received* for 48 hours becomes *Expired*."""
        old = self.search([("state", "=", "not_received"),
                           ("status_at", "<", fields.Datetime.now() - EXPIRY_DELAY)])
        old._set_state("expired", last_error=_("The phone stayed unreachable for 48 hours."))
        return old
