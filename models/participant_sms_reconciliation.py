# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reconciliation: the SMS whose fate at the provider is not known (a dispatcher
died between its claim and the answers, or the answer was lost). Every dispatch run
(its original place) reads them from the batches in flight
(``participant_sms_flight.py``) once they are ``STALE_CLAIM`` old, and asks their
provider what it has by dispatch tag: never resent, failed or refunded blind (I2).
The dispatcher's model, its crons and its commit rule: see
``participant_sms_dispatcher.py``."""

import logging
from datetime import timedelta

from odoo import _, api, fields, models

from ..tools.providers import ProviderError

_logger = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)


class ParticipantSmsDispatcher(models.AbstractModel):
    _inherit = "participant.sms.dispatcher"

    @api.model
    def _stale_claims(self):
        """The SMS claimed for over ``STALE_CLAIM`` and not accepted: a handful,
        read at every dispatch run from the batches in flight, whatever the history
        (``participant_sms_flight.py``)."""
        return self.env["participant.sms"]._psms_flight_claims(
            fields.Datetime.now() - STALE_CLAIM
        )

    @api.model
    def _reconcile_stale_claims(self, auto_commit=False):
        """SMS claimed by a dispatcher that died, or whose send answer was lost: ask the
        provider what it has, by dispatch tag; never resend blindly (I2). Then the
        batches in flight for over ``STALE_CLAIM`` whose SMS are all settled are
        closed (F2)."""
        Sms = self.env["participant.sms"]
        stale = self._stale_claims()
        for account, of_account in stale.grouped("account_id").items():
            # a claim with no account (written by SQL, an import): no provider to ask
            try:
                provider = account._get_provider() if account else None
            except ProviderError as error:
                _logger.warning(
                    "SMS reconciliation through account %s failed: %s",
                    account.id,
                    error.kind,
                )
                continue  # try again at the next run
            for tag, group in of_account.grouped("provider_tag").items():
                tag = tag or ""  # a claim written with none (SQL): see _reconcile
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
                        Sms._psms_flight_settle([tag])
                        self._commit(auto_commit)
        for tag in Sms._psms_flight_tags(fields.Datetime.now() - STALE_CLAIM):
            with self._tag_lock_if_free(tag, auto_commit) as free:
                if free:
                    self._commit(auto_commit)
                    Sms._psms_flight_settle([tag])
                    self._commit(auto_commit)

    @api.model
    def _reconcile(self, messages, provider, tag):
        """Ask ``provider`` what it has of these stale claims of dispatch ``tag``:
        the SMS it has are sent, the others queued again (refunded). An SMS whose
        provider cannot be asked, that names none (``provider`` None) or that has
        no tag to be asked by (written by SQL), is *Unknown*: never sent again
        blindly (I2)."""
        if provider is None:
            messages._set_state(
                "unknown",
                last_error=_(
                    "This SMS names no provider account, so whether it was sent "
                    "cannot be known: it is not sent again, to avoid a duplicate."
                ),
            )
            return
        if not provider.can_lookup or not tag:  # nothing to ask it by
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
                        "sent_at": False,
                        "next_attempt_at": False,
                        "last_error": _(
                            "The provider confirmed it never received the SMS: "
                            "it will be sent again."
                        ),
                    }
                )
                requeued.append(sms.id)
        messages.browse(requeued)._resync_requeued()
