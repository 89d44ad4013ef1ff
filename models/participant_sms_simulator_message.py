# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import nullcontext
from dataclasses import dataclass

from odoo import api, fields, models


class ParticipantSmsSimulatorMessage(models.Model):
    """What the simulator accepted, kept as a real provider keeps it: outside the
    dispatcher's transaction, so that after a crash reconciliation finds it by dispatch
    tag exactly as it would at OVH (``GET /outgoing?tag=``)."""

    _name = "participant.sms.simulator.message"
    _description = "Message accepted by the SMS simulator"
    _log_access = False

    tag = fields.Char(required=True, index=True)
    ref = fields.Char(string="Reference", help="The sender's reference of the message.")
    number = fields.Char(required=True)
    provider_id = fields.Char(required=True)
    accepted_at = fields.Datetime(string="Accepted at", default=fields.Datetime.now)

    @api.model
    def _store(self, durable=False):
        return _DatabaseStore(self.sudo(), durable)

    @api.model
    def _cron_forget(self):
        """The simulator forgets after 30 days, as providers purge their history: one
        statement, whatever the history (nothing refers to these rows)."""
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM participant_sms_simulator_message WHERE accepted_at < %s",
            [fields.Datetime.subtract(fields.Datetime.now(), days=30)],
        )
        self.invalidate_model()


@dataclass(frozen=True)
class _DatabaseStore:
    """The store of ``tools.providers.simulator``: the simulator's outbox, one row per
    accepted message. For a dispatcher that commits (``durable``) it writes through
    its own cursor and commits at once: the provider's side survives the
    dispatcher's crash. Otherwise (tests) it writes in the caller's transaction. The
    same plain insert either way (an Environment on a cursor of its own would wait
    for the registry lock a running test holds)."""

    model: object  # participant.sms.simulator.message, as superuser
    durable: bool = False

    def remember(self, tag, accepted):
        refs, numbers, provider_ids = zip(*accepted, strict=True)
        env = self.model.env
        with env.registry.cursor() if self.durable else nullcontext(env.cr) as cr:
            cr.execute(
                """INSERT INTO participant_sms_simulator_message
                          (tag, ref, number, provider_id, accepted_at)
                   SELECT %s, ref, number, provider_id, %s
                     FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[])
                          AS t(ref, number, provider_id)""",
                [
                    tag,
                    fields.Datetime.now(),
                    list(refs),
                    list(numbers),
                    list(provider_ids),
                ],
            )

    def find(self, tag, numbers):
        rows = self.model.search_read(
            [("tag", "=", tag), ("number", "in", list(numbers))],
            ["number", "provider_id"],
        )
        return {row["number"]: row["provider_id"] for row in rows}
