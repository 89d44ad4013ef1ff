# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.4.0, after the models load: every record with a pending SMS reconciles it
(``participant.sms.source._psms_reconcile``, the engine's one function, as after any
change), so that what an earlier version left pending is what the record wants now
(invariant I1): revised, or cancelled with its reason. The upgrade plans nothing new
(``pending_only``): no SMS an earlier version did not plan is sent because of it."""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Sms = env["participant.sms"].with_context(active_test=False)
    pending = Sms.search([("state", "=", "queued"), ("purpose", "!=", False)])
    for model, messages in pending.grouped("res_model").items():
        if model not in Sms._reminder_models():
            continue
        records = (
            env[model]
            .with_context(active_test=False)
            .browse(set(messages.mapped("res_id")))
            .exists()
        )
        records._psms_reconcile(pending_only=True)
        _logger.info(
            "participant_sms 18.0.1.4.0: %s records of %s reconciled",
            len(records),
            model,
        )
