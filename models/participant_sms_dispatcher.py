# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Moving SMS out: claim, charge, send (like ``calendar.alarm_manager``, an abstract
model with no table); the claims whose answer was lost are reconciled in
``participant_sms_reconciliation.py``, and what becomes of the SMS after, the
statuses, is in ``participant_sms_statuses.py``.

Only the ``_cron_*`` methods commit, and only when their cron asks for it:
``auto_commit`` is an argument decided at the cron's entry
(``model._cron_dispatch(auto_commit=True)`` in the cron's code), never a default, as in
Odoo's ``mail.mail.send``; tests, benchmarks and concurrency tests pass it themselves.
Buttons trigger the crons (``ir.cron._trigger``) and return at once.

A batch: claim due SMS with ``FOR UPDATE SKIP LOCKED`` (two dispatchers skip each
other's rows), close those that must not go, charge the credit, mark them *Processing*
under a fresh dispatch tag, **commit**, call the provider, apply each request's outcome
to its own SMS, **commit**:

- accepted: provider id kept, a note on the context record;
- refused: *Failed* with the reason, credit refunded;
- retry (nothing was sent): back to the queue with the reason, credit refunded;
- unknown (the provider may have it): left *Processing* with no provider id, like the
  claims of a dispatcher that died; ``_reconcile_stale_claims`` asks the provider by tag
  later. Never resent, failed or refunded blind (I2).
"""

import json
import logging
import random
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools.providers import OutgoingSms, ProviderError
from .statement_triggers import keys_kept

_logger = logging.getLogger(__name__)

#: SMS claimed, charged and answered per transaction: each batch has its fixed costs
#: (the charge lock twice and the tag's lock, two commits, the claim's and the
#: answer's statements and triggers, the company's and the packages' reads), paid
#: once per 1,000 SMS rather than per 500 (bench/bench_dispatch_iap.py, alternated
#: runs of 20,000: medians 1.36 s against 1.52 s); a provider request carries at
#: most its client's ``batch_size`` (500), several per batch
DEFAULT_BATCH = 1000
MAX_CONFLICT_RETRIES = 5
RETRY_BACKOFF = timedelta(
    minutes=5
)  # a provider's temporary refusal, or no credit left
ADVISORY_LOCK_BASE = 0x50534D53_00000000  # "PSMS", + company id: the charge lock
TAG_LOCK_CLASS = 0x5053  # "PS", + hashtext(dispatch tag): a batch being sent
#: what the checks of a claim and its send read
CLAIM_FIELDS = [
    "state",
    "account_id",
    "company_id",
    "partner_id",
    "number",
    "body",
    "reply_enabled",
    "segments",
    "deadline",
    "last_error",
    "purpose",
    "res_model",
    "res_id",
    "origin",
]
#: what the claim's and the answer's statements write (the cache forgets them)
PROCESSING_FIELDS = [
    "state",
    "claimed_at",
    "status_at",
    "sent_at",
    "next_attempt_at",
    "provider_tag",
    "attempts",
    "credits",
    "package_id",
]
ACCEPTED_FIELDS = [
    "provider_id",
    "raw_status",
    "last_error",
]


def _column(records, fname):
    """The values of field ``fname`` of ``records``, in their order, as the cache
    holds them (a many2one: the id, or None), fetched first when missing: what a
    loop over the records would read, without a field access per record."""
    field, cache = records._fields[fname], records.env.cache
    values = cache.get_until_miss(records, field)
    if len(values) < len(records):
        # fetch what the cache misses (``mapped`` makes a recordset of a many2one's
        # values too: kept for a miss only)
        field.mapped(records)
        values = cache.get_until_miss(records, field)
    return values


def _by_id(values):
    """{SMS id: value} as a JSON object, which a statement on the SMS reads by each
    row's id (``%s::jsonb ->> s.id::text``): no join, so the rows are read by the
    primary key whatever the statistics."""
    return json.dumps({str(sms_id): value for sms_id, value in values.items()})


def _grouped(records, fname):
    """``records.grouped(fname)`` for a many2one ``fname``, read from its column
    (``_column``): no field access per record."""
    groups = defaultdict(list)
    for record_id, value in zip(records._ids, _column(records, fname), strict=True):
        groups[value].append(record_id)
    comodel = records.env[records._fields[fname].comodel_name]
    return {
        comodel.browse(value or ()): records.browse(ids)
        for value, ids in groups.items()
    }


class ParticipantSmsDispatcher(models.AbstractModel):
    _name = "participant.sms.dispatcher"
    _description = "SMS dispatcher"

    # ----------------------------------------------------------------------------------
    # entry points
    # ----------------------------------------------------------------------------------
    @api.model
    def _commit(self, auto_commit):
        """A cron's commit, when its entry asked for commits."""
        if auto_commit:
            # a cron's batch, decided at the cron's entry (as Odoo's mail.mail.send
            # does)
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _cron_dispatch(self, batch_size=DEFAULT_BATCH, auto_commit=False):
        """Send the SMS that are due, in batches, one commit per batch when
        ``auto_commit``. Outside a company's send window only its explicit test SMS go
        (I5). With parallel dispatchers, the original cron (place 0) alone reconciles
        the stale claims, and wakes its copies; every place claims its own batches
        (``SKIP LOCKED``: disjoint). Its progress to its cron, after each batch: the
        SMS claimed so far (one put back for the next batch counts again) of those
        due at its start; at its end, nothing left for an immediate run."""
        if not (parallel := self.env["ir.cron"]._psms_parallel_place()):
            return 0
        place, _count = parallel
        if place == 0:
            self._wake_parallel_copies("participant_sms.ir_cron_sms_dispatch")
            self._reconcile_stale_claims(auto_commit)
        done = 0
        # counted once per run, as mail.mail.process_email_queue does (a count per
        # batch walks the whole backlog at every batch)
        total = self._due_count()
        providers = {}  # account -> its client for the whole run (one HTTP session)
        try:
            for company in self.env["res.company"].search([]):
                window, now = company._psms_window(), fields.Datetime.now()
                tests_only = not window.contains(now)
                hold = window.is_quiet(now)  # no campaign SMS on a quiet day
                while claimed := self._dispatch_batch(
                    company, batch_size, tests_only, hold, auto_commit, providers
                ):
                    done += claimed
                    self.env["ir.cron"]._notify_progress(
                        done=done, remaining=max(total - done, 0)
                    )
            if done:  # what still waits (window, quiet day, retry, another place's
                # share) is for a later run, not for an immediate one
                self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        finally:
            for provider in providers.values():
                provider.close()
        return done

    @api.model
    def _due_count(self):
        """How many SMS are queued and due, in all companies, as the claim sees them
        (a retry due at its next attempt): the progress of a run. Read from the
        index of the queued SMS by when they are due (``participant_sms_due_index``):
        the month of SMS queued ahead is not read."""
        self.env["participant.sms"].flush_model(
            ["state", "next_attempt_at", "planned_at"]
        )
        self.env.cr.execute(
            """SELECT count(*) FROM participant_sms
                WHERE state = 'queued'
                  AND COALESCE(next_attempt_at, planned_at) <= %s""",
            [fields.Datetime.now()],
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _wake_parallel_copies(self, xmlid):
        """The original of a parallel cron runs its copies at once (the buttons and
        the queueing code trigger the original only)."""
        copies = self.env["ir.cron"]._psms_parallel_copies(xmlid)
        if self.env.context.get("cron_id"):
            for copy in copies:
                copy._trigger()

    @api.model
    def _check_admin(self):
        if not (
            self.env.su or self.env.user.has_group("participant_sms.group_sms_admin")
        ):
            raise AccessError(_("Only SMS administrators can do this."))

    @api.model
    def action_dispatch_now(self):
        """The "Send due SMS now" button: the dispatch cron runs at once, in the
        background."""
        self._check_admin()
        self.env.ref("participant_sms.ir_cron_sms_dispatch").sudo()._trigger()
        return self._notification(
            _(
                "The SMS that are due are being sent. Their statuses "
                "appear in a moment."
            )
        )

    @api.model
    def action_update_statuses(self):
        """The "Update statuses now" button: the poll cron runs at once, in the
        background."""
        self._check_admin()
        self.env.ref("participant_sms.ir_cron_sms_poll_statuses").sudo()._trigger()
        return self._notification(
            self.env.company._psms_account()._callback_only_note()
            or _("The statuses are being updated. Refresh in a moment.")
        )

    @api.model
    def _notification(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "info", "message": message, "sticky": False},
        }

    # ----------------------------------------------------------------------------------
    # claim and charge
    # ----------------------------------------------------------------------------------
    @contextmanager
    def _charge_lock(self, company, auto_commit):
        """Serialise the charge (and refund) steps of the dispatchers of one company: a
        session-level advisory lock, taken only by runs that commit (a run that does not
        commit holds its rows until its end anyway). The caller commits right after
        taking it: Odoo's transactions are REPEATABLE READ, and only a snapshot taken
        after the lock sees the other dispatchers' committed charges."""
        if not auto_commit:
            yield
            return
        key = ADVISORY_LOCK_BASE + company.id
        self.env.cr.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            yield
        except Exception:
            self.env.cr.rollback()  # an aborted transaction could not release the lock
            raise
        finally:
            self.env.cr.execute("SELECT pg_advisory_unlock(%s)", [key])

    @contextmanager
    def _tag_lock(self, tag, auto_commit):
        """Held by the dispatcher that sends a claimed batch, from just after its
        claim until its answers are committed: a session-level advisory lock on the
        dispatch tag, which a dispatcher that dies releases with its connection. The
        reconciliation of stale claims skips a tag whose lock is held, so that a batch
        still being sent (a slow provider, a rate limit) by a parallel dispatcher is
        never put back in the queue and sent twice (I2). Only runs that commit take
        it (a run that does not commit has its claim seen by no one)."""
        if not auto_commit:
            yield True
            return
        self.env.cr.execute(
            "SELECT pg_advisory_lock(%s, hashtext(%s))", [TAG_LOCK_CLASS, tag]
        )
        try:
            yield True
        except Exception:
            self.env.cr.rollback()  # an aborted transaction could not release the lock
            raise
        finally:
            self.env.cr.execute(
                "SELECT pg_advisory_unlock(%s, hashtext(%s))", [TAG_LOCK_CLASS, tag]
            )

    @contextmanager
    def _tag_lock_if_free(self, tag, auto_commit):
        """The tag's lock when no dispatcher holds it (yields True, released at the
        end), else yields False at once."""
        if not auto_commit:
            yield True
            return
        self.env.cr.execute(
            "SELECT pg_try_advisory_lock(%s, hashtext(%s))", [TAG_LOCK_CLASS, tag]
        )
        if not self.env.cr.fetchone()[0]:
            yield False
            return
        try:
            yield True
        except Exception:
            self.env.cr.rollback()
            raise
        finally:
            self.env.cr.execute(
                "SELECT pg_advisory_unlock(%s, hashtext(%s))", [TAG_LOCK_CLASS, tag]
            )

    @api.model
    def _claim_and_charge(self, company, limit, tests_only=False, hold_campaigns=False):
        """Lock up to ``limit`` due SMS of ``company``, first due first (a retry at
        its next attempt, others at their planned time; read in the order of their
        index, ``participant_sms_due_index``; two dispatchers skip each other's
        rows), close those that must not go, charge the others and mark them
        *Processing* under a fresh dispatch tag. ``hold_campaigns``: leave batch,
        free and follow-up SMS (a quiet day). Return (claimed, sendable, tag)."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT array_agg(id ORDER BY due_at, id)
                 FROM (SELECT id, COALESCE(next_attempt_at, planned_at) AS due_at
                         FROM participant_sms
                        WHERE state = 'queued' AND company_id = %s
                          AND COALESCE(next_attempt_at, planned_at) <= %s
                          AND (%s IS NOT TRUE OR origin = 'test')
                          AND (%s IS NOT TRUE OR (origin NOT IN ('batch', 'free')
                                    AND COALESCE(purpose, '') != 'follow_up'))
                        ORDER BY COALESCE(next_attempt_at, planned_at), id
                        LIMIT %s
                        FOR UPDATE SKIP LOCKED) AS due""",
            [company.id, fields.Datetime.now(), tests_only, hold_campaigns, limit],
        )
        claimed = self.env["participant.sms"].browse(self.env.cr.fetchone()[0] or [])
        return (claimed, *self._charge_claimed(company, claimed))

    @api.model
    def _charge_claimed(self, company, claimed):
        """Close the claimed SMS that must not go, charge the others and mark them
        *Processing* under a fresh dispatch tag. Return (sendable, tag)."""
        tag = uuid.uuid4().hex
        if not claimed:
            return claimed, tag
        claimed.fetch(CLAIM_FIELDS)  # one query for what the checks and the send read
        # (in memory: a domain on ``account_id.active`` walks one account recordset
        # per SMS)
        # an archived account sends no more, and an SMS written with none (by SQL, an
        # import) would stop the dispatch: the company's current account sends them
        archived = set(claimed.account_id.filtered(lambda a: not a.active).ids)
        if retired := claimed.browse(
            sms_id
            for sms_id, account_id in zip(
                claimed.ids, _column(claimed, "account_id"), strict=True
            )
            if not account_id or account_id in archived
        ):
            retired.write({"account_id": company._psms_account().id})
        sendable, charges = (
            self.env["participant.sms.package"]
            .sudo()
            ._charge_plan(company, self._filter_sendable(claimed))
        )
        return self._mark_processing(sendable, charges, tag), tag

    @api.model
    def _mark_processing(self, sendable, charges, tag):
        """Mark the claimed ``sendable`` SMS *Processing* under ``tag`` with their
        charge (``charges``: {(package id, credits): [SMS ids]}; an SMS in none keeps
        its own, unenforced packages) and one more attempt, on rows this
        transaction locked *Queued* (``FOR UPDATE``) and left so:
        the ORM's own state rule, no final status changes, holds (no condition on
        the status in the statement: the planner would take a partial index of the
        queue instead of the primary key, a scan per row). One UPDATE per charge
        (nearly always one: a package, one credit each), its rows read by ``id =
        ANY`` alone (the primary key): joined to a list of values instead, the
        planner hashed the whole table, or, with statistics out of date, compared
        every pair of the batch. The daily counts follow by their statement trigger,
        the batch in flight by its own (``participant_sms_flight.py``); the cache
        forgets what the statements wrote. Return the SMS marked (all of
        ``sendable``)."""
        if not sendable:
            return sendable
        self.env.flush_all()  # what the checks wrote goes first
        ids = sendable.ids
        ours = set(ids)
        groups = dict(charges or {})  # (package id, credits) -> SMS ids
        if uncharged := ours - {i for group in groups.values() for i in group}:
            groups[None, None] = sorted(uncharged)  # keep their own (None: unchanged)
        now = fields.Datetime.now()
        marked = set()
        for (package_id, credits), group in groups.items():
            self.env.cr.execute(
                """UPDATE participant_sms AS s
                      SET state = 'processing', claimed_at = %(now)s,
                          status_at = %(now)s, sent_at = %(now)s,
                          next_attempt_at = NULL, provider_tag = %(tag)s,
                          attempts = COALESCE(s.attempts, 0) + 1,
                          credits = COALESCE(%(credits)s, s.credits),
                          package_id = CASE WHEN %(credits)s IS NULL THEN s.package_id
                                            ELSE %(package)s END,
                          write_uid = %(uid)s, write_date = %(write_date)s
                    WHERE s.id = ANY(%(ids)s::int[])
                RETURNING s.id""",
                {
                    "now": now,
                    "tag": tag,
                    "uid": self.env.uid,
                    "write_date": self.env.cr.now(),
                    "ids": [i for i in group if i in ours],
                    "package": package_id,
                    "credits": credits,
                },
            )
            marked.update(row[0] for row in self.env.cr.fetchall())
        self._forget(sendable, PROCESSING_FIELDS)
        if len(marked) != len(ids):  # cannot happen: the rows are locked and queued
            _logger.warning(
                "SMS dispatch: %s claimed SMS were no longer queued, not sent",
                len(ids) - len(marked),
            )
            sendable = sendable.browse([sms_id for sms_id in ids if sms_id in marked])
        return sendable

    @api.model
    def _forget(self, messages, fnames):
        """The cache of ``messages`` forgets ``fnames``, written by SQL, and what
        depends on them is told (the related statuses of the context records)."""
        messages.invalidate_recordset([*fnames, "write_uid", "write_date"])
        messages.modified(fnames)

    @api.model
    def _filter_sendable(self, messages):
        """Close what must not go (deadline passed, record gone, refusal, STOP);
        return the rest, at most one SMS per number: after a crash, the provider is
        asked what it has by (dispatch tag, number), which must name one SMS only.
        The others stay queued for the next batch, a moment later."""
        now = fields.Datetime.now()
        Recipient = self.env["participant.sms.recipient"]
        # the columns read at once (a field read per SMS costs more than the checks)
        columns = [
            _column(messages, fname)
            for fname in (
                "deadline",
                "purpose",
                "res_model",
                "res_id",
                "partner_id",
                "number",
            )
        ]
        records_of = defaultdict(set)  # model -> ids of the records of an SMS purpose
        for purpose, res_model, res_id in zip(*columns[1:4], strict=True):
            if purpose:
                records_of[res_model].add(res_id)
        alive = {}  # model -> ids of the records that still exist: one query each
        for model, ids in records_of.items():
            if model in self.env:
                records = self.env[model].browse(ids - {0, None, False})
                alive[model] = set(records.exists().ids)
        orphans, rest, recipients = [], [], []
        Partner = self.env["res.partner"]
        for sms_id, deadline, purpose, res_model, res_id, partner_id, number in zip(
            messages.ids, *columns, strict=True
        ):
            if deadline and deadline < now:
                sms = messages.browse(sms_id)
                reason = (
                    _(
                        "The deadline passed before the SMS could be sent. "
                        "Last error: %s",
                        sms.last_error,
                    )
                    if sms.last_error
                    else _("The deadline passed before the SMS could be sent.")
                )
                sms._set_state("not_sent", last_error=reason)
            elif purpose and res_id not in alive.get(res_model, ()):
                orphans.append(sms_id)
            else:
                rest.append((sms_id, number))
                recipients.append(
                    (Partner.browse(partner_id) if partner_id else Partner, number)
                )
        if orphans:
            messages.browse(orphans)._cancel(
                _("The record of this SMS no longer exists.")
            )
        verdicts = Recipient._check(
            recipients, messages.company_id[:1] or self.env.company, stored=True
        )
        numbers, kept = set(), []
        for (sms_id, number), verdict in zip(rest, verdicts, strict=True):
            if verdict.code in ("refuses", "stop"):
                messages.browse(sms_id)._set_state(
                    "stop", last_error=Recipient._label(verdict.code)
                )
            elif number not in numbers:
                numbers.add(number)
                kept.append(sms_id)
        return messages.browse(kept)

    # ----------------------------------------------------------------------------------
    # send
    # ----------------------------------------------------------------------------------
    @api.model
    def _dispatch_batch(
        self,
        company,
        limit,
        tests_only=False,
        hold_campaigns=False,
        auto_commit=False,
        providers=None,
    ):
        """Claim, charge and send one batch; return how many SMS were claimed. With
        ``auto_commit``, the claim is committed before the provider is called, and the
        answers right after. ``providers``: the clients of the run, by account (see
        ``_send``)."""
        for _retry in range(MAX_CONFLICT_RETRIES):
            try:
                with self._charge_lock(company, auto_commit):
                    self._commit(auto_commit)  # a snapshot taken after the lock
                    claimed, sendable, tag = self._claim_and_charge(
                        company, limit, tests_only, hold_campaigns
                    )
                    # what leaves, read while the cache holds it (a commit empties it)
                    sending = [
                        (account, group, self._outgoing(group))
                        for account, group in _grouped(sendable, "account_id").items()
                    ]
                    self._commit(auto_commit)
                break
            except psycopg2.errors.SerializationFailure:
                if not auto_commit:
                    raise
                self.env.cr.rollback()
                self.env.invalidate_all()
                time.sleep(random.uniform(0.01, 0.1))
        else:
            _logger.info(
                "SMS dispatch: too many concurrent updates, next run will continue"
            )
            return 0
        unanswered = []  # left *Processing* without a provider id: the batch stays in
        # flight for the reconciliation (F1), else it is closed with its last answers
        with self._tag_lock(tag, auto_commit):  # no reconciliation while it is sent
            for index, (account, group, outgoing) in enumerate(sending, 1):
                outcome = self._send(
                    group,
                    account,
                    tag,
                    auto_commit,
                    providers=providers,
                    outgoing=outgoing,
                )
                # results may refund credits
                with self._charge_lock(company, auto_commit):
                    self._commit(auto_commit)
                    if isinstance(outcome, ProviderError):
                        self._apply_send_error(group, outcome)
                    else:
                        unanswered += self._apply_send_results(group, outcome)
                    if index == len(sending):
                        self._close_flight(tag, unanswered)
                    self._commit(auto_commit)
        return len(claimed)

    @api.model
    def _send_at_once(self, messages, texts):
        """Send these SMS, just queued, in the current transaction (no commit): an
        agreement code, which the person waits for during the interview, so outside
        the send window too (I5). ``texts`` ({SMS id: text}) are their texts as they
        leave, given to the provider only: the text stored (a code masked) is not the
        text sent. What the provider did not take stays as the results leave it
        (queued again, failed, or *Processing* when it may have it, I2)."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT id FROM participant_sms
                WHERE id IN %s AND state = 'queued' FOR UPDATE""",
            [tuple(messages.ids)],
        )
        claimed = messages.browse([row[0] for row in self.env.cr.fetchall()])
        for company, group in claimed.grouped("company_id").items():
            sendable, tag = self._charge_claimed(company, group)
            unanswered = []
            for account, sending in sendable.grouped("account_id").items():
                outcome = self._send(sending, account, tag, texts=texts)
                if isinstance(outcome, ProviderError):
                    self._apply_send_error(sending, outcome)
                else:
                    unanswered += self._apply_send_results(sending, outcome)
            if sendable:
                self._close_flight(tag, unanswered)
        return messages

    @api.model
    def _send(
        self,
        messages,
        account,
        tag,
        auto_commit=False,
        texts=None,
        providers=None,
        outgoing=None,
    ):
        """The provider's results for these claimed SMS, or the ProviderError raised
        before any request was made; ``texts`` replaces the stored text of some (see
        ``_send_at_once``). No database write here (the simulator, a provider, keeps
        what it accepted in its own committed transaction when the run commits).
        ``providers`` ({account: client}): the clients of a dispatch run, each with
        its HTTP session open (its connections reused), which the run closes at its
        end; without it, a client and its session for this call only. ``outgoing``:
        ``_outgoing(messages, texts)``, when the caller made it already."""
        if outgoing is None:
            outgoing = self._outgoing(messages, texts)
        try:
            if providers is None:
                with account._get_provider(durable=auto_commit) as provider:
                    return provider.send(outgoing, tag=tag)
            if account not in providers:
                providers[account] = account._get_provider(durable=auto_commit)
                providers[account].__enter__()
            return providers[account].send(outgoing, tag=tag)
        except ProviderError as error:
            _logger.warning(
                "SMS dispatch of %s messages through account %s failed: %s",
                len(messages),
                account.id,
                error.kind,
            )
            return error

    @api.model
    def _outgoing(self, messages, texts=None):
        """What the provider is given for these SMS (``texts``: see ``_send``)."""
        texts = texts or {}
        senders = {
            company.id: company.psms_sender or "" for company in messages.company_id
        }
        return [
            OutgoingSms(
                ref=str(sms_id),
                number=number,
                body=texts.get(sms_id, body),
                sender=senders[company_id],
                reply=bool(reply),
            )
            for sms_id, number, body, company_id, reply in zip(
                messages.ids,
                *(
                    _column(messages, fname)
                    for fname in ("number", "body", "company_id", "reply_enabled")
                ),
                strict=True,
            )
        ]

    @api.model
    def _apply_send_error(self, messages, error):
        """Nothing was sent: back to the queue (or failed, when it can never work)."""
        message = self.env["participant.sms.account"]._error_message(error)
        self.env["participant.sms.package"].sudo()._refund_sms(messages)
        if error.retryable:
            messages.write(
                {
                    "state": "queued",
                    "claimed_at": False,
                    "sent_at": False,
                    "last_error": message,
                    "next_attempt_at": fields.Datetime.now() + RETRY_BACKOFF,
                }
            )
            messages._resync_requeued()
        else:
            messages._set_state(
                "failed", last_error=message, claimed_at=False, sent_at=False
            )

    @api.model
    def _apply_send_results(self, messages, results):
        """Each SMS takes the outcome of its own result: accepted (provider id kept,
        a note on its record), refused (*Failed*, credit refunded), retry (queued
        again, credit refunded) or unknown (left *Processing* for the
        reconciliation, I2). Return the ids of those left *Processing* without a
        provider id: the unknown ones, and any the results did not name."""
        ours = set(messages.ids)
        now = fields.Datetime.now()
        accepted = {}  # SMS id -> (provider id, raw status): one UPDATE
        # the others, one write per outcome and text (rare)
        refused, retried, unknown = defaultdict(list), defaultdict(list), {}
        for result in results:
            sms_id = int(result.ref)
            if sms_id not in ours:
                raise ValueError(f"A result for an SMS not sent: {result.ref}")
            if result.outcome == "accepted":
                accepted[sms_id] = (result.provider_id, result.raw_status)
                continue
            error = result.error
            if result.error_kind:
                error = self.env["participant.sms.account"]._error_message(
                    ProviderError(result.error_kind, result.error)
                )
            if result.outcome == "refused":
                refused[result.raw_status, error].append(sms_id)
            elif result.outcome == "retry":
                retried[error].append(sms_id)
            else:  # unknown
                unknown[sms_id] = error
        noted = self._mark_accepted(messages.browse(list(accepted)), accepted)
        for (raw_status, error), ids in refused.items():
            messages.browse(ids)._set_state(
                "failed", raw_status=raw_status, last_error=error, sent_at=False
            )
        for error, ids in retried.items():
            messages.browse(ids).write(
                {
                    "state": "queued",
                    "claimed_at": False,
                    "sent_at": False,
                    "last_error": error,
                    "next_attempt_at": now + RETRY_BACKOFF,
                }
            )
        for error, ids in self._group_by_value(unknown).items():
            messages.browse(ids).write(
                {
                    "last_error": _(
                        "The provider may have received this SMS (%s): it will be "
                        "asked, and the SMS "
                        "is not sent again.",
                        error,
                    )
                }
            )
        noted._post_context_notes("sent")
        refunded = [sms_id for ids in refused.values() for sms_id in ids]
        requeued = [sms_id for ids in retried.values() for sms_id in ids]
        if refunded or requeued:
            self.env["participant.sms.package"].sudo()._refund_sms(
                messages.browse(refunded + requeued)
            )
        if requeued:
            messages.browse(requeued)._resync_requeued()
        named = {int(result.ref) for result in results}
        return [
            *unknown,
            # an acceptance without the provider's id is not an answer either
            *(
                sms_id
                for sms_id, (provider_id, _raw) in accepted.items()
                if not provider_id
            ),
            *(sms_id for sms_id in messages.ids if sms_id not in named),
        ]

    @api.model
    def _close_flight(self, tag, unanswered):
        """The batch ``tag`` is answered: closed when none of its SMS is left
        *Processing* without a provider id (``unanswered``: those the answers left
        so), else kept in flight for the reconciliation (F1, F2)."""
        Sms = self.env["participant.sms"]
        if unanswered:
            Sms._psms_flight_settle([tag])
        else:
            Sms._psms_flight_close([tag])

    @staticmethod
    def _group_by_value(mapping):
        """{key: value} -> {value: [keys]}"""
        groups = defaultdict(list)
        for key, value in mapping.items():
            groups[value].append(key)
        return groups

    @api.model
    def _mark_accepted(self, messages, accepted):
        """The accepted SMS (``accepted``: {SMS id: (provider id, raw status)}),
        still *Processing*, keep their provider id and raw status (their send time
        is their claim's): one UPDATE for all. It writes no column that an index of
        the history reads (the provider id is indexed in its own table, kept by its
        triggers, ``participant_sms_provider_ref.py``; a claim not answered is told
        by its batch's row, ``participant_sms_flight.py``), so each row's new
        version stays in its page and adds no index entry (HOT); no counted column
        changes: the daily counts' trigger is told so (``keys_kept``); its rows are
        read by the primary key (see ``_mark_processing``). The cache forgets what
        it wrote. Return those of a context record (the notes to post: the
        statement says which, a commit emptied the cache)."""
        if not messages:
            return messages
        self.env.flush_all()
        ids = messages.ids
        params = {
            "uid": self.env.uid,
            "write_date": self.env.cr.now(),
            "ids": ids,
            "provider_ids": _by_id({i: accepted[i][0] or None for i in ids}),
            "raw_statuses": _by_id({i: accepted[i][1] or None for i in ids}),
        }
        # only the statement in the block: keys_kept's setting must not outlive it
        with keys_kept(self.env.cr):  # no counted column written: no count moves
            self.env.cr.execute(
                """UPDATE participant_sms AS s
                      SET provider_id = %(provider_ids)s::jsonb ->> s.id::text,
                          raw_status = %(raw_statuses)s::jsonb ->> s.id::text,
                          last_error = NULL,
                          write_uid = %(uid)s, write_date = %(write_date)s
                    WHERE s.id = ANY(%(ids)s::int[])
                RETURNING s.id,
                          s.res_model IS NOT NULL AND COALESCE(s.res_id, 0) <> 0""",
                params,
            )
            noted = [
                sms_id for sms_id, in_context in self.env.cr.fetchall() if in_context
            ]
        self._forget(messages, ACCEPTED_FIELDS)
        return messages.browse(noted)
