# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import dataclasses
import itertools
import logging
from datetime import UTC
from functools import partial

import pytz
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date, format_datetime, format_time

from ..tools.phone import PhoneError, normalize_mobile
from ..tools.providers import ProviderError
from ..tools.replies import first_word, is_stop
from ..tools.webhook import WebhookError, bound_text, check_text, strip_control

_logger = logging.getLogger(__name__)


class ParticipantSmsReply(models.Model):
    """An SMS received from a participant (or anyone), kept with what it did."""

    _name = "participant.sms.reply"
    _description = "SMS reply"
    _order = "received_at desc, id desc"
    _rec_name = "text"

    account_id = fields.Many2one(
        "participant.sms.account",
        string="Provider account",
        required=True,
        readonly=True,
        index=True,
    )
    inbound_id = fields.Char(string="Provider id", required=True, readonly=True)
    number = fields.Char(required=True, readonly=True)
    text = fields.Text(readonly=True)
    text_length = fields.Integer(
        string="Original length",
        readonly=True,
        help="Set when the reply was longer than ten SMS: only its first 1,600 "
        "characters are "
        "kept.",
    )
    received_at = fields.Datetime(
        string="Received", readonly=True, default=fields.Datetime.now
    )
    anonymized_at = fields.Datetime(string="Anonymised on", readonly=True, copy=False)
    note_message_id = fields.Many2one(
        "mail.message",
        string="Note",
        readonly=True,
        copy=False,
        index="btree_not_null",  # a message deleted finds its reply by index
        ondelete="set null",
        help="The chatter note that quotes this reply.",
    )
    seen = fields.Boolean(
        readonly=True,
        index=True,
        copy=False,
        help="The appointment's collaborator has seen this reply.",
    )
    sms_id = fields.Many2one(
        "participant.sms", string="SMS answered", readonly=True, index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Participant",
        readonly=True,
        index="btree_not_null",  # a partner deleted anywhere in Odoo: no scan
    )
    event_id = fields.Many2one("calendar.event", string="Appointment", readonly=True)
    outcome_id = fields.Many2one(
        "participant.appointment.outcome", string="Outcome given", readonly=True
    )
    provider_ref = fields.Char(
        string="Provider reference",
        readonly=True,
        help="The provider's reference of the SMS answered, if given.",
    )
    result = fields.Selection(
        [
            ("pending", "Received, being applied"),
            ("applied", "Outcome updated"),
            ("no_keyword", "No keyword"),
            ("later", "Later reply (recorded only)"),
            ("stop", "STOP"),
            ("unmatched", "Unmatched"),
        ],
        readonly=True,
        index=True,
    )

    _sql_constraints = [
        (
            "inbound_uniq",
            "unique(account_id, inbound_id)",
            "This reply was already recorded.",
        ),
    ]

    # ----------------------------------------------------------------------------------
    def action_mark_seen(self):
        """The collaborator of the appointment (or an SMS administrator) marks replies
        seen."""
        self.check_access("read")
        user = self.env.user
        if not user.has_group("participant_sms.group_sms_admin") and self.filtered(
            lambda reply: reply.event_id.participant_collaborator_id != user
        ):
            raise AccessError(
                _(
                    "Only the collaborator of the appointment can mark its replies "
                    "as seen."
                )
            )
        self.sudo().write({"seen": True})
        return True

    def action_open_event(self):
        """The appointment this reply answered (the user's own read rights apply)."""
        self.ensure_one()
        self.check_access("read")
        event = self.event_id
        if not event:
            raise UserError(_("This reply answered no appointment."))
        event.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "calendar.event",
            "res_id": event.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "name": event.display_name,
        }

    @api.model
    def _process(self, account, replies):
        """Record and apply inbound replies at once (polling, simulated replies). Return
        the new records."""
        created = self._record(account, replies)
        created._apply_all()
        return created

    @api.model
    def _receive(self, account, replies):
        """The webhook's path: record the replies only (a few queries, as the providers
        ask of a callback) and wake the cron that applies them, in the order they came.
        """
        created = self._record(account, replies)
        if created and not self.search_count(
            [("result", "=", "pending"), ("id", "<", created[0].id)], limit=1
        ):
            # the first one waiting: wake the cron (later ones find it awake; at worst
            # the cron's own minute picks them up)
            self.env.ref(
                "participant_sms.ir_cron_sms_process_replies"
            ).sudo()._trigger()
        return created

    @api.model
    def _record(self, account, replies):
        """Keep inbound replies, *pending*; one already recorded (same provider id) is
        skipped. One INSERT ... ON CONFLICT DO NOTHING per reply: the webhook's whole
        work, so that a provider's callback costs a few queries (bench/bench_replies.py
        measured the ORM create with its duplicate search and defaults at a third of the
        webhook's time); the text is checked and bounded here as anywhere else."""
        ids = []
        for reply in replies:
            text, length = bound_text(check_text(reply.text or "", "reply text"))
            self.env.cr.execute(
                """
                INSERT INTO participant_sms_reply
                       (account_id, inbound_id, number, provider_ref, text,
                           text_length, result,
                        received_at, seen, create_uid, write_uid, create_date,
                            write_date)
                VALUES (%(account)s, %(inbound)s, %(number)s, %(ref)s, %(text)s,
                    %(length)s,
                        'pending', %(now)s, FALSE, %(uid)s, %(uid)s, %(now)s, %(now)s)
                ON CONFLICT (account_id, inbound_id) DO NOTHING
                RETURNING id""",
                {
                    "account": account.id,
                    "inbound": check_text(reply.inbound_id, "reply id")[:128],
                    "number": check_text(reply.number, "number")[
                        :64
                    ],  # E.164 when applied
                    "ref": check_text(reply.provider_ref or "", "reference")[:128],
                    "text": text,
                    "length": length or 0,
                    "now": self.env.cr.now(),
                    "uid": self.env.uid,
                },
            )
            ids += [row[0] for row in self.env.cr.fetchall()]
        return self.browse(ids)

    @api.model
    def _cron_process_replies(self, limit=200, auto_commit=False):
        """Apply the pending replies, oldest first (so that the first reply to an SMS is
        the one that counts), one batch and one commit at a time; when a batch fails,
        its replies are applied one by one, and one that cannot be applied is kept as
        unmatched without stopping the others. As a cron (``auto_commit``) the memory
        stays that of one batch whatever the backlog (each batch is committed and
        forgotten by the cache) and the progress is told to the cron."""
        dispatcher = self.env["participant.sms.dispatcher"]
        total = self._pending_count() if auto_commit else 0
        done = 0
        while pending := self._claim_pending(limit):
            try:
                with self.env.cr.savepoint():
                    pending._apply_all()
            except Exception:  # noqa: BLE001 (one bad reply must not block the others)
                _logger.exception(
                    "SMS replies %s..%s: batch failed, applied one by one",
                    pending[:1].id,
                    pending[-1:].id,
                )
                for record in pending:
                    try:
                        with self.env.cr.savepoint():
                            record._apply_all()
                    except Exception:  # noqa: BLE001
                        _logger.exception(
                            "SMS reply %s could not be applied", record.id
                        )
                        record.result = "unmatched"
            done += len(pending)
            dispatcher._commit(auto_commit)
            if auto_commit:
                self.env.invalidate_all()
                self.env["ir.cron"]._notify_progress(
                    done=done, remaining=max(total - done, 0)
                )
        return done

    @api.model
    def _pending_count(self):
        """How many replies wait to be applied (the index on ``result``), once per run:
        the cron's progress counts down from it."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT count(*) FROM participant_sms_reply WHERE result = 'pending'"
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _claim_pending(self, limit):
        """Lock up to ``limit`` pending replies; a concurrent run skips them (measured:
        the webhook must stay a few queries, the work is done here)."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT id FROM participant_sms_reply WHERE result = 'pending'
                                ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
            [limit],
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _e164(self, number):
        try:
            return normalize_mobile(number, self.env.company._psms_zone().region)
        except PhoneError:
            return number

    def _find_sms_all(self):
        """``{reply id: SMS answered}``: by the provider's reference when it gives one,
        else the last reply-enabled SMS sent to that number (one search for all of
        them); the number is read from the number table's index."""
        Sms = self.env["participant.sms"]
        found = {}
        for reply in self.filtered("provider_ref"):
            found[reply.id] = Sms.search(
                [
                    Sms._psms_number_leaf(("number", "=", reply.number)),
                    ("account_id", "=", reply.account_id.id),
                    ("sent_at", "!=", False),
                    "|",
                    ("provider_tag", "=", reply.provider_ref),
                    ("provider_id", "=like", reply.provider_ref + ":%"),
                ],
                order="sent_at desc, id desc",
                limit=1,
            )
        rest = self.filtered(lambda reply: not found.get(reply.id))
        last = {}
        if rest:
            for sms in Sms.search(
                [
                    Sms._psms_number_leaf(
                        ("number", "in", list(set(rest.mapped("number"))))
                    ),
                    ("account_id", "in", rest.account_id.ids),
                    ("sent_at", "!=", False),
                    ("reply_enabled", "=", True),
                ],
                order="sent_at desc, id desc",
            ):
                last.setdefault((sms.number, sms.account_id.id), sms)
        for reply in rest:
            found[reply.id] = last.get((reply.number, reply.account_id.id), Sms)
        return found

    def _apply_all(self):
        """Apply these replies, in the order they came, with the guide's rules: the
        first reply to an SMS sets the appointment's outcome (by its first word) and
        adds the theme "SMS reply"; later ones are recorded only; STOP blacklists the
        number; every reply is noted in the chatter of what it answered. Batched: one
        search for the SMS answered, one for the replies they already had, one creation
        of theme lines and of notes."""
        replies = self.sorted("id")
        for reply in replies:
            reply.number = reply._e164(reply.number)
        answered = replies._find_sms_all()
        sms_ids = {sms.id for sms in answered.values() if sms}
        counted = set(
            self.search(
                [("sms_id", "in", list(sms_ids)), ("id", "not in", replies.ids)]
            ).sms_id.ids
        )
        events = {
            event.id: event
            for event in self.env["calendar.event"]
            .browse(
                {
                    sms.res_id
                    for sms in answered.values()
                    if sms and sms.res_model == "calendar.event"
                }
            )
            .exists()
        }
        keywords, lines, notes = {}, [], []
        for reply in replies:
            sms = answered[reply.id]
            if is_stop(reply.text):
                reply._apply_stop(sms)
                counted.add(sms.id)
                continue
            if not sms:
                reply.result = "unmatched"
                continue
            event = (
                events.get(sms.res_id) if sms.res_model == "calendar.event" else None
            ) or self.env["calendar.event"]
            # what the reply writes is read by the collaborator: in their language
            reply = reply.with_context(
                lang=event.participant_collaborator_id.lang or self.env.lang
            )
            first = sms.id not in counted
            counted.add(sms.id)
            word = first_word(reply.text)
            if word not in keywords:
                keywords[word] = self.env["participant.reply.keyword"]._outcome_for(
                    word
                )
            outcome = keywords[word]
            values = {
                "sms_id": sms.id,
                "partner_id": sms.partner_id.id,
                "event_id": event.id,
            }
            if not first:
                values["result"] = "later"
            elif outcome and event:
                event.write(
                    {
                        "participant_outcome_id": outcome.id,
                        "participant_outcome_from_reply": True,
                        "participant_reply_at": reply.received_at,
                    }
                )
                values.update(result="applied", outcome_id=outcome.id)
            else:
                values["result"] = "no_keyword"
            reply.write(values)
            if first and event:
                lines.append(reply._theme_line_values(event))
            if reply.result == "applied" and outcome.reply_alert:
                reply._alert_collaborator(event)
            note = reply._note(sms, event)
            if note:
                notes.append((reply, *note))
        self.env["participant.appointment.theme.line"].sudo().create(lines)
        self._post_notes(notes)

    def _when(self):
        """Date and time of the reception, in the company's time zone (as the chatter
        note gives it) and the reader's language: converted once, the local time then
        formatted as it is (``format_time`` given a datetime would convert it again, to
        the user's zone)."""
        tz = self.env.company._psms_zone().tz
        local = self.received_at.replace(tzinfo=UTC).astimezone(pytz.timezone(tz))
        return format_date(self.env, local.date()), format_time(
            self.env, local.time(), time_format="short"
        )

    def _theme_line_values(self, event):
        """The guide's record of a reply: the theme *SMS reply* on the appointment, its
        synthesis giving the date, time and text of the first reply."""
        return {
            "event_id": event.id,
            "sequence": 100,
            "reply_id": self.id,
            "theme_id": self.env["participant.appointment.theme.line"]
            ._sms_reply_theme()
            .id,
            "synthesis": self._synthesis(self.text),
        }

    def _synthesis(self, text):
        day, time = self._when()
        return _(
            "Reply received on %(day)s at %(time)s: %(text)s",
            day=day,
            time=time,
            text=text,
        )

    def _alert_collaborator(self, event):
        """An outcome marked "alert the collaborator": a to-do for the appointment's
        collaborator on the participant's file."""
        user = event.participant_collaborator_id
        partner = event.participant_id
        if not (user and user.active and not user.share and partner):
            return
        day, time = self._when()
        partner.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=user.id,
            summary=_("SMS reply: %s", self.outcome_id.name),
            note=Markup("<p>%s</p><p>%s</p>")
            % (
                _(
                    "%(participant)s answered the SMS of the appointment "
                    "%(appointment)s on "
                    "%(day)s at %(time)s:",
                    participant=partner.name,
                    appointment=event.name,
                    day=day,
                    time=time,
                ),
                self.text,
            ),
        )

    def _apply_stop(self, sms):
        self.env["phone.blacklist"].sudo()._add(
            [self.number], message=_("The participant answered STOP to an SMS.")
        )
        partners = sms.partner_id or self.env["res.partner"].search(
            [("is_participant", "=", True), ("phone_sanitized", "=", self.number)]
        )
        partners.with_context(psms_consent_source="stop").write({"accepts_sms": False})
        self.write({"result": "stop", "sms_id": sms.id, "partner_id": partners[:1].id})
        for partner in partners:
            partner._message_log(
                body=Markup("<p>%s</p>")
                % _("Answered STOP by SMS: no more SMS will be sent.")
            )

    def _note(self, sms, event):
        """``(record, body)`` of the chatter note of this reply, or None."""
        record = event or (sms._context_record() if sms else False)
        if not record:
            return None
        # in the language of the record's staff, not the cron user's (OdooBot)
        return record, self.with_context(lang=record._psms_note_lang())._note_body()

    def _note_body(self):
        when = format_datetime(
            self.env,
            self.received_at,
            tz=self.env.company._psms_zone().tz,
            dt_format="short",
        )
        body = Markup("<p><strong>%s</strong></p><p>%s</p>") % (
            _("SMS reply of %(when)s", when=when),
            self.text,
        )
        if self.text_length:
            body += Markup("<p><em>%s</em></p>") % _(
                "Only the first %(kept)s of its %(length)s characters are kept.",
                kept=len(self.text),
                length=self.text_length,
            )
        if self.outcome_id:
            body += Markup("<p>%s</p>") % _("Outcome set to: %s", self.outcome_id.name)
        elif self.result == "later":
            body += Markup("<p>%s</p>") % _("Later reply: the outcome is not changed.")
        return body

    @api.model
    def _post_notes(self, notes):
        """Log the notes ``[(reply, record, body)]``, one batch per model and round (a
        record gets one note per round), each reply keeping its note."""
        while notes:
            rounds, rest, taken = {}, [], set()
            for reply, record, body in notes:
                key = (record._name, record.id)
                if key in taken:
                    rest.append((reply, record, body))
                    continue
                taken.add(key)
                rounds.setdefault(record._name, []).append((reply, record.id, body))
            for model, entries in rounds.items():
                records = (
                    self.env[model].sudo().browse([rid for _r, rid, _b in entries])
                )
                messages = records._message_log_batch(
                    {rid: body for _r, rid, body in entries}
                )
                by_record = {message.res_id: message for message in messages}
                for reply, rid, _body in entries:
                    reply.note_message_id = by_record.get(rid)
            notes = rest

    # ----------------------------------------------------------------------------------
    @api.model
    def _cron_poll_replies(self, auto_commit=False, limit=200):
        """Fetch the replies of providers that deliver them only by pull (OVH
        ``/incoming``).

        No reply is lost: the provider is told to forget a reply (OVH deletes it) only
        after the transaction that recorded it is committed (a post-commit callback); a
        database error, a crash or a restart before that leaves it at the provider, and
        the next run fetches it again. Recording is idempotent (one row per account and
        provider id): a reply fetched twice, its deletion having failed after the
        commit, is recorded once. Each account is polled apart and, as a cron, committed
        on its own: one account's failure neither loses nor holds back another's
        replies. The replies fetched are recorded and applied ``limit`` at a time, a
        commit (then their acknowledgement) per batch as a cron, the cache emptied and
        the progress told: a backlog at the provider is worked through with the memory
        of one batch (beyond the provider's answer itself)."""
        dispatcher = self.env["participant.sms.dispatcher"]
        recorded = 0
        for account in self.env["participant.sms.account"].search([]):
            provider = account._get_provider_or_none()
            if not provider or not provider.can_poll_replies:
                continue
            recorded += len(
                self._poll_account(
                    account, provider, limit=limit, auto_commit=auto_commit
                )
            )
            dispatcher._commit(auto_commit)
        return recorded

    @api.model
    def _poll_account(self, account, provider, limit=200, auto_commit=False):
        """Fetch, record and apply the replies waiting at ``account``'s provider,
        ``limit`` at a time, each batch fetched when its turn comes (memory bounded
        whatever the backlog; a commit per batch with ``auto_commit``); those
        recorded are acknowledged after the commit. A fetch that fails stops the run
        where it is. Return the new records."""
        replies = provider.iter_replies()
        created_ids, done = [], 0
        while True:
            try:
                batch = list(itertools.islice(replies, limit))
            except ProviderError as error:
                _logger.warning(
                    "SMS replies of account %s could not be fetched: %s",
                    account.id,
                    error.kind,
                )
                break  # what was recorded stays; the rest waits for the next poll
            if not batch:
                break
            created_ids += self._poll_batch(account, provider, batch).ids
            done += len(batch)
            if auto_commit:
                self.env["participant.sms.dispatcher"]._commit(auto_commit)
                self.env.invalidate_all()
                # a full batch: maybe more at the provider (counted when fetched)
                self.env["ir.cron"]._notify_progress(
                    done=done, remaining=int(len(batch) == limit)
                )
        if auto_commit and done:
            self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return self.browse(created_ids)

    @api.model
    def _poll_batch(self, account, provider, replies):
        """Record and apply these fetched replies; acknowledge those recorded after
        the commit. Return the new records."""
        created, kept = self._record_polled(account, replies)
        if kept:
            self.env.cr.postcommit.add(
                partial(self._acknowledge_polled, provider, account.id, kept)
            )
        if created:
            try:
                with self.env.cr.savepoint():
                    created._apply_all()
            except Exception:  # noqa: BLE001 (recorded: the reply cron applies them one by one)
                _logger.exception(
                    "SMS replies of account %s recorded, to be applied by the "
                    "reply cron",
                    account.id,
                )
                self.env.ref(
                    "participant_sms.ir_cron_sms_process_replies"
                ).sudo()._trigger()
        return created

    @staticmethod
    def _psms_cleaned(reply):
        return dataclasses.replace(
            reply,
            **{
                name: strip_control(getattr(reply, name))
                for name in ("inbound_id", "number", "text", "provider_ref")
            },
        )

    @api.model
    def _record_polled(self, account, replies):
        """Record each reply in its own savepoint: one that cannot be recorded stays at
        the provider (not acknowledged) without holding back the others. Return the new
        records and the provider ids of the replies now recorded (new or already there).
        """
        created, kept = self.browse(), []
        for reply in replies:
            try:
                with self.env.cr.savepoint():
                    try:
                        created |= self._record(account, [reply])
                    except WebhookError:
                        # a control character, as the webhook would refuse: the provider
                        # is authenticated, so the reply is kept with spaces in their
                        # place rather than fetched again and again and never recorded
                        _logger.info(
                            "SMS reply %s of account %s held control characters: "
                            "recorded with spaces",
                            reply.inbound_id,
                            account.id,
                        )
                        created |= self._record(account, [self._psms_cleaned(reply)])
            except Exception:  # noqa: BLE001 (left at the provider, fetched again next run)
                _logger.exception(
                    "SMS reply %s of account %s could not be recorded: it stays "
                    "at the provider",
                    reply.inbound_id,
                    account.id,
                )
                continue
            kept.append(reply.inbound_id)
        return created, kept

    @staticmethod
    def _acknowledge_polled(provider, account_id, inbound_ids):
        """After the commit: let the provider forget the replies recorded. A failure
        only leaves them there: fetched again, they are not recorded twice."""
        try:
            provider.acknowledge_replies(inbound_ids)
        except ProviderError as error:
            _logger.warning(
                "SMS replies of account %s recorded but not acknowledged (%s): "
                "fetched again next time",
                account_id,
                error.kind,
            )
        except Exception:  # noqa: BLE001 (after the commit: the other callbacks must run)
            _logger.exception(
                "SMS replies of account %s recorded but not acknowledged", account_id
            )
