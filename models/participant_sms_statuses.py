# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What becomes of the SMS sent: the providers' statuses, asked by the poll cron, and
the expiry of those not received for 48 hours (the dispatcher's model, its crons and
its commit rule: see ``participant_sms_dispatcher.py``)."""

import logging
from collections import defaultdict
from contextlib import ExitStack
from datetime import timedelta
from operator import attrgetter

from odoo import _, api, fields, models

from ..tools.providers import ProviderError, StatusQuery
from .participant_sms_selections import FINAL_STATES

_logger = logging.getLogger(__name__)

POLLED_STATES = ("processing", "sent", "not_received")
EXPIRY_DELAY = timedelta(hours=48)
#: SMS polled (and expired) per transaction: a provider asked per SMS (OVH) answers a
#: batch in as many requests before its commit (not the dispatch's batch, 1,000)
POLL_BATCH = 500


class ParticipantSmsDispatcher(models.AbstractModel):
    _inherit = "participant.sms.dispatcher"

    @api.model
    def _cron_poll_statuses(self, limit=POLL_BATCH, auto_commit=False):
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
        # one client per account for the whole run, its HTTP session open (its
        # connections reused from one request to the next), closed at the end
        with ExitStack() as clients:
            providers, polled = self._poll_statuses(
                place, count, limit, auto_commit, clients
            )
            expired = 0
            if place == 0:
                expired = self._cron_expire(limit, auto_commit, done_before=polled)
                accounts = self.env["res.company"].search([])._psms_account()
                accounts._refresh_balance(providers)
        if polled or expired:
            # what is left (statuses that come by callback only, a provider that
            # failed) waits for the next run, not for an immediate one
            self.env["ir.cron"]._notify_progress(done=polled + expired, remaining=0)
        self._commit(auto_commit)

    @api.model
    def _poll_statuses(self, place, count, limit, auto_commit, clients):
        """Ask each account's provider the status of this place's SMS that are not
        final, ``limit`` at a time, through a client entered in ``clients`` (an
        ExitStack: its session stays open until the run ends). The run's progress
        after each batch: the SMS gone through, of those counted at the start. Return
        the clients, {account: client}, and how many SMS were gone through."""
        Sms = self.env["participant.sms"]
        providers = {}
        polled = [("state", "in", POLLED_STATES), ("provider_id", "!=", False)]
        total, seen = Sms.search_count(polled), 0
        # one account at a time, ``limit`` SMS at a time, oldest first (by id): memory
        # stays bounded whatever the backlog
        for (account,) in Sms._read_group(polled, ["account_id"]):
            try:
                provider = providers[account] = clients.enter_context(
                    account._get_provider()
                )
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
                    seen += len(batch)
                    if auto_commit:
                        self.env.invalidate_all()
                    self.env["ir.cron"]._notify_progress(
                        done=seen, remaining=max(total - seen, 0)
                    )
            except ProviderError as error:  # the next run asks again
                _logger.warning(
                    "SMS status poll through account %s failed: %s",
                    account.id,
                    error.kind,
                )
        return providers, seen

    @api.model
    def _apply_status_updates(self, account, updates):
        """Apply provider status updates (idempotent: unknown ids, repeats and updates
        of final SMS change nothing). Return the SMS that changed."""
        Sms = self.env["participant.sms"].sudo()
        if not updates:
            return Sms
        # by the provider ids' own table (the history has no index of them)
        messages = Sms._psms_by_provider_id(
            account, map(attrgetter("provider_id"), updates)
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
    def _cron_expire(self, batch_size=POLL_BATCH, auto_commit=False, done_before=0):
        """*Sent, not received* for 48 hours becomes *Expired*, ``batch_size`` SMS at
        a time (memory stays bounded whatever the backlog: each batch is committed
        and forgotten when ``auto_commit``). Its progress adds to ``done_before``
        (what the poll of the same run went through). Return how many expired."""
        Sms = self.env["participant.sms"]
        domain = [
            ("state", "=", "not_received"),
            ("status_at", "<", fields.Datetime.now() - EXPIRY_DELAY),
        ]
        reason = _("The phone stayed unreachable for 48 hours.")
        total = Sms.search_count(domain)
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
                done=done_before + done, remaining=max(total - done, 0)
            )
        return done
