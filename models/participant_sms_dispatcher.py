# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Moving SMS out: claim, charge, send, reconcile, poll, expire (like
``calendar.alarm_manager``, an abstract model with no table).

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

import logging
import random
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta
from operator import attrgetter

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools.providers import OutgoingSms, ProviderError, StatusQuery
from .participant_sms_selections import FINAL_STATES

_logger = logging.getLogger(__name__)

POLLED_STATES = ("processing", "sent", "not_received")
STALE_CLAIM = timedelta(minutes=10)
EXPIRY_DELAY = timedelta(hours=48)
DEFAULT_BATCH = 500
MAX_CONFLICT_RETRIES = 5
RETRY_BACKOFF = timedelta(
    minutes=5
)  # a provider's temporary refusal, or no credit left
ADVISORY_LOCK_BASE = 0x50534D53_00000000  # "PSMS", + company id: the charge lock
TAG_LOCK_CLASS = 0x5053  # "PS", + hashtext(dispatch tag): a batch being sent


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
        (``SKIP LOCKED``: disjoint)."""
        if not (parallel := self.env["ir.cron"]._psms_parallel_place()):
            return 0
        place, _count = parallel
        if place == 0:
            self._wake_parallel_copies("participant_sms.ir_cron_sms_dispatch")
            self._reconcile_stale_claims(auto_commit)
        done = 0
        for company in self.env["res.company"].search([]):
            window, now = company._psms_window(), fields.Datetime.now()
            tests_only = not window.contains(now)
            hold = window.is_quiet(now)  # no campaign SMS on a quiet day, even a retry
            while claimed := self._dispatch_batch(
                company, batch_size, tests_only, hold, auto_commit
            ):
                done += claimed
                remaining = self.env["participant.sms"].search_count(
                    [
                        ("state", "=", "queued"),
                        ("planned_at", "<=", fields.Datetime.now()),
                    ]
                )
                self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

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
        """Lock up to ``limit`` due SMS of ``company`` (two dispatchers skip each
        other's rows), close those that must not go, charge the others and mark them
        *Processing* under a fresh dispatch tag. ``hold_campaigns``: leave batch,
        free and follow-up SMS (a quiet day). Return (claimed, sendable, tag)."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT array_agg(id ORDER BY planned_at, id)
                 FROM (SELECT id, planned_at FROM participant_sms
                        WHERE state = 'queued' AND company_id = %s
                          AND COALESCE(next_attempt_at, planned_at) <= %s
                          AND (%s IS NOT TRUE OR origin = 'test')
                          AND (%s IS NOT TRUE OR (origin NOT IN ('batch', 'free')
                                    AND COALESCE(purpose, '') != 'follow_up'))
                        ORDER BY planned_at, id
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
        # (in memory, the accounts prefetched: a domain on ``account_id.active`` walks
        # one account recordset per SMS)
        retired = claimed.filtered(
            lambda sms: sms.account_id and not sms.account_id.active
        )
        if retired:  # an archived account sends no more: the company's current one does
            retired.write({"account_id": company._psms_account().id})
        sendable = (
            self.env["participant.sms.package"]
            .sudo()
            ._charge(company, self._filter_sendable(claimed))
        )
        now = fields.Datetime.now()
        for attempts, group in sendable.grouped("attempts").items():
            group.write(
                {
                    "state": "processing",
                    "claimed_at": now,
                    "provider_tag": tag,
                    "attempts": attempts + 1,
                }
            )
        return sendable, tag

    @api.model
    def _filter_sendable(self, messages):
        """Close what must not go (deadline passed, record gone, refusal, STOP);
        return the rest, at most one SMS per number: after a crash, the provider is
        asked what it has by (dispatch tag, number), which must name one SMS only.
        The others stay queued for the next batch, a moment later."""
        now = fields.Datetime.now()
        Recipient = self.env["participant.sms.recipient"]
        alive = {}  # model -> ids of the records that still exist: one query each
        for model, group in messages.filtered("purpose").grouped("res_model").items():
            if model in self.env:
                records = self.env[model].browse(set(group.mapped("res_id")) - {0})
                alive[model] = set(records.exists().ids)
        orphans, rest, recipients = [], [], []
        for sms in messages:
            if sms.deadline and sms.deadline < now:
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
            elif sms.purpose and sms.res_id not in alive.get(sms.res_model, ()):
                orphans.append(sms.id)
            else:
                rest.append(sms)
                recipients.append((sms.partner_id, sms.number))
        if orphans:
            messages.browse(orphans)._cancel(
                _("The record of this SMS no longer exists.")
            )
        verdicts = Recipient._check(
            recipients, messages.company_id[:1] or self.env.company, stored=True
        )
        numbers, kept = set(), []
        for sms, verdict in zip(rest, verdicts, strict=True):
            if verdict.code in ("refuses", "stop"):
                sms._set_state("stop", last_error=Recipient._label(verdict.code))
            elif sms.number not in numbers:
                numbers.add(sms.number)
                kept.append(sms.id)
        return messages.browse(kept)

    # ----------------------------------------------------------------------------------
    # send
    # ----------------------------------------------------------------------------------
    @api.model
    def _dispatch_batch(
        self, company, limit, tests_only=False, hold_campaigns=False, auto_commit=False
    ):
        """Claim, charge and send one batch; return how many SMS were claimed. With
        ``auto_commit``, the claim is committed before the provider is called, and the
        answers right after."""
        for _retry in range(MAX_CONFLICT_RETRIES):
            try:
                with self._charge_lock(company, auto_commit):
                    self._commit(auto_commit)  # a snapshot taken after the lock
                    claimed, sendable, tag = self._claim_and_charge(
                        company, limit, tests_only, hold_campaigns
                    )
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
        with self._tag_lock(tag, auto_commit):  # no reconciliation while it is sent
            for account, group in sendable.grouped("account_id").items():
                outcome = self._send(group, account, tag, auto_commit)
                # results may refund credits
                with self._charge_lock(company, auto_commit):
                    self._commit(auto_commit)
                    if isinstance(outcome, ProviderError):
                        self._apply_send_error(group, outcome)
                    else:
                        self._apply_send_results(group, outcome)
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
            for account, sending in sendable.grouped("account_id").items():
                outcome = self._send(sending, account, tag, texts=texts)
                if isinstance(outcome, ProviderError):
                    self._apply_send_error(sending, outcome)
                else:
                    self._apply_send_results(sending, outcome)
        return messages

    @api.model
    def _send(self, messages, account, tag, auto_commit=False, texts=None):
        """The provider's results for these claimed SMS, or the ProviderError raised
        before any request was made; ``texts`` replaces the stored text of some (see
        ``_send_at_once``). No database write here (the simulator, a provider, keeps
        what it accepted in its own committed transaction when the run commits)."""
        texts = texts or {}
        outgoing = []
        for sms in messages:
            outgoing.append(
                OutgoingSms(
                    ref=str(sms.id),
                    number=sms.number,
                    body=texts.get(sms.id, sms.body),
                    sender=sms.company_id.psms_sender or "",
                    reply=sms.reply_enabled,
                )
            )
        try:
            provider = account._get_provider(durable=auto_commit)
            return provider.send(outgoing, tag=tag)
        except ProviderError as error:
            _logger.warning(
                "SMS dispatch of %s messages through account %s failed: %s",
                len(messages),
                account.id,
                error.kind,
            )
            return error

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
                    "last_error": message,
                    "next_attempt_at": fields.Datetime.now() + RETRY_BACKOFF,
                }
            )
            messages._resync_requeued()
        else:
            messages._set_state("failed", last_error=message, claimed_at=False)

    @api.model
    def _apply_send_results(self, messages, results):
        """Each SMS takes the outcome of its own result: accepted (provider id kept,
        a note on its record), refused (*Failed*, credit refunded), retry (queued
        again, credit refunded) or unknown (left *Processing* for the
        reconciliation, I2)."""
        by_id = dict(zip(messages.ids, messages, strict=True))
        now = fields.Datetime.now()
        accepted, refunded, retried = [], [], []
        taken = defaultdict(dict)  # raw status -> {SMS id: provider id}
        for result in results:
            sms = by_id[int(result.ref)]
            if result.outcome == "accepted":
                taken[result.raw_status][sms.id] = result.provider_id
                accepted.append(sms.id)
                continue
            error = result.error
            if result.error_kind:
                error = self.env["participant.sms.account"]._error_message(
                    ProviderError(result.error_kind, result.error)
                )
            if result.outcome in ("refused", "retry"):
                refunded.append(sms.id)
            if result.outcome == "refused":
                sms._set_state("failed", raw_status=result.raw_status, last_error=error)
            elif result.outcome == "retry":
                sms.write(
                    {
                        "state": "queued",
                        "claimed_at": False,
                        "last_error": error,
                        "next_attempt_at": now + RETRY_BACKOFF,
                    }
                )
                retried.append(sms.id)
            else:  # unknown
                sms.write(
                    {
                        "last_error": _(
                            "The provider may have received this SMS (%s): it will be "
                            "asked, and the SMS "
                            "is not sent again.",
                            error,
                        )
                    }
                )
        self._mark_accepted(messages, taken, now)
        messages.browse(accepted)._post_context_notes("sent")
        if refunded:
            self.env["participant.sms.package"].sudo()._refund_sms(
                messages.browse(refunded)
            )
        if retried:
            messages.browse(retried)._resync_requeued()

    @api.model
    def _mark_accepted(self, messages, taken, now):
        """The accepted SMS (``taken``: raw status -> {SMS id: provider id}): one
        write per raw status; their provider ids, one per SMS, go with the same
        flush, one UPDATE for all (the ORM's own multi-row update), not one write
        each. Nothing depends on ``provider_id``."""
        field = messages._fields["provider_id"]
        for raw_status, provider_ids in taken.items():
            group = messages.browse(list(provider_ids))
            group.write(
                {
                    "raw_status": raw_status,
                    "sent_at": now,
                    "last_error": False,
                    "next_attempt_at": False,
                }
            )
            self.env.cache.update(group, field, list(provider_ids.values()), dirty=True)

    # ----------------------------------------------------------------------------------
    # reconciliation: SMS whose fate at the provider is not known
    # ----------------------------------------------------------------------------------
    @api.model
    def _reconcile_stale_claims(self, auto_commit=False):
        """SMS claimed by a dispatcher that died, or whose send answer was lost: ask the
        provider what it has, by dispatch tag; never resend blindly (I2)."""
        stale = self.env["participant.sms"].search(
            [
                ("state", "=", "processing"),
                ("provider_id", "=", False),
                ("claimed_at", "<", fields.Datetime.now() - STALE_CLAIM),
            ]
        )
        for account, of_account in stale.grouped("account_id").items():
            try:
                provider = account._get_provider()
            except ProviderError as error:
                _logger.warning(
                    "SMS reconciliation through account %s failed: %s",
                    account.id,
                    error.kind,
                )
                continue  # try again at the next run
            for tag, group in of_account.grouped("provider_tag").items():
                with self._tag_lock_if_free(tag, auto_commit) as free:
                    if not free:
                        continue  # a dispatcher is still sending this batch
                    with self._charge_lock(group.company_id[:1], auto_commit):
                        self._commit(auto_commit)
                        self.env.invalidate_all()  # as the sender left it
                        group = group.filtered_domain(
                            [("state", "=", "processing"), ("provider_id", "=", False)]
                        )
                        if group:
                            self._reconcile(group, provider, tag)
                        self._commit(auto_commit)

    @api.model
    def _reconcile(self, messages, provider, tag):
        if not provider.can_lookup:
            messages._set_state(
                "unknown",
                last_error=_(
                    "The provider may have received this SMS and cannot be asked: "
                    "it is not "
                    "sent again, to avoid a duplicate."
                ),
            )
            return
        try:
            known = provider.lookup(tag, messages.mapped("number"))
        except ProviderError as error:
            _logger.warning(
                "SMS reconciliation through account %s failed: %s",
                messages.account_id[:1].id,
                error.kind,
            )
            return  # try again at the next run
        requeued = []
        for sms in messages:
            if sms.number in known:
                sms.write(
                    {
                        "provider_id": known[sms.number],
                        "sent_at": sms.claimed_at,
                        "last_error": False,
                        "rewrite_after_flight": False,
                    }
                )
                sms._post_context_notes("sent")
            else:
                self.env["participant.sms.package"].sudo()._refund_sms(sms)
                sms.write(
                    {
                        "state": "queued",
                        "claimed_at": False,
                        "next_attempt_at": False,
                        "last_error": _(
                            "The provider confirmed it never received the SMS: "
                            "it will be sent again."
                        ),
                    }
                )
                requeued.append(sms.id)
        messages.browse(requeued)._resync_requeued()

    # ----------------------------------------------------------------------------------
    # statuses
    # ----------------------------------------------------------------------------------
    @api.model
    def _cron_poll_statuses(self, limit=DEFAULT_BATCH, auto_commit=False):
        """Ask the providers the status of the SMS that are not final, then expire and
        read the providers' credit; a commit per batch when ``auto_commit``. One
        client per account for the whole run; a provider that fails is asked again
        at the next run. With parallel dispatchers, each place polls the SMS whose id
        modulo N is its place; the original (place 0) alone expires and reads the
        credit."""
        if not (parallel := self.env["ir.cron"]._psms_parallel_place()):
            return
        place, count = parallel
        if place == 0:
            self._wake_parallel_copies("participant_sms.ir_cron_sms_poll_statuses")
        Sms = self.env["participant.sms"]
        polled = [("state", "in", POLLED_STATES), ("provider_id", "!=", False)]
        providers = {}
        # one account at a time, ``limit`` SMS at a time, oldest first (by id): memory
        # stays bounded whatever the backlog
        for (account,) in Sms._read_group(polled, ["account_id"]):
            try:
                provider = providers[account] = account._get_provider()
                if not provider.can_poll:
                    continue
                last_id = 0
                while batch := Sms.search(
                    [*polled, ("account_id", "=", account.id), ("id", ">", last_id)],
                    order="id",
                    limit=limit * count,
                ):
                    last_id, queries = batch[-1].id, []
                    for sms in batch.filtered(lambda sms: sms.id % count == place):
                        queries.append(
                            StatusQuery(sms.provider_id, sms.number, sms.state)
                        )
                    updates = provider.fetch_statuses(queries)
                    self._apply_status_updates(account, updates)
                    self._commit(auto_commit)
                    if auto_commit:
                        self.env.invalidate_all()
            except ProviderError as error:  # the next run asks again
                _logger.warning(
                    "SMS status poll through account %s failed: %s",
                    account.id,
                    error.kind,
                )
        if place:
            return
        self._cron_expire(limit, auto_commit)
        accounts = self.env["res.company"].search([])._psms_account()
        accounts._refresh_balance(providers)
        self._commit(auto_commit)

    @api.model
    def _apply_status_updates(self, account, updates):
        """Apply provider status updates (idempotent: unknown ids, repeats and updates
        of final SMS change nothing). Return the SMS that changed."""
        Sms = self.env["participant.sms"].sudo()
        if not updates:
            return Sms
        messages = Sms.search(
            [
                ("account_id", "=", account.id),
                ("provider_id", "in", list(map(attrgetter("provider_id"), updates))),
            ]
        )
        by_provider_id = dict(
            zip(messages.mapped("provider_id"), messages, strict=True)
        )
        groups = defaultdict(list)  # one write per (status, raw status, error)
        for update in updates:
            sms = by_provider_id.get(update.provider_id)
            if not sms or sms.state in FINAL_STATES or sms.state == update.status:
                continue
            groups[update.status, update.raw_status, update.error].append(sms.id)
        changed = stopped = Sms
        for (status, raw_status, error), ids in groups.items():
            values = {"raw_status": raw_status}
            if error:
                values["last_error"] = error
            moved = messages.browse(ids)._set_state(status, **values)
            changed |= moved
            if status == "stop":
                stopped |= moved
        if stopped:
            self.env["phone.blacklist"].sudo()._add(
                stopped.mapped("number"),
                message=_("Reported as STOP by the SMS operator."),
            )
        return changed

    @api.model
    def _cron_expire(self, batch_size=DEFAULT_BATCH, auto_commit=False):
        """*Sent, not received* for 48 hours becomes *Expired*, ``batch_size`` SMS at
        a time (memory stays bounded whatever the backlog: each batch is committed
        and forgotten when ``auto_commit``). Return how many expired."""
        Sms = self.env["participant.sms"]
        domain = [
            ("state", "=", "not_received"),
            ("status_at", "<", fields.Datetime.now() - EXPIRY_DELAY),
        ]
        reason = _("The phone stayed unreachable for 48 hours.")
        total = Sms.search_count(domain) if auto_commit else 0
        done = last_id = 0
        # by id from the last batch on (the primary key's index), each SMS once
        while batch := Sms.search(
            [*domain, ("id", ">", last_id)], order="id", limit=batch_size
        ):
            last_id = batch[-1].id
            done += len(batch._set_state("expired", last_error=reason))
            self._commit(auto_commit)
            if auto_commit:
                self.env.invalidate_all()
                self.env["ir.cron"]._notify_progress(
                    done=done, remaining=max(total - done, 0)
                )
        return done
