# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Parallel dispatchers: copies of the dispatch and status-poll crons.

Odoo's cron runner never runs one ``ir.cron`` record twice at once (it locks the job's
row), so several Odoo servers sharing a database dispatch in parallel only through
several cron records, as queue_job's channels run several jobs. The setting *Parallel
dispatchers* (N) keeps N - 1 active copies of each of these crons beside the
original (its xml id unchanged): the same code, each copy marked by the original it
copies and its place (1 to N - 1), the original being place 0. Claims stay disjoint
(``FOR UPDATE SKIP LOCKED``); the status polls share the SMS out by id modulo N.

Invariant: each copy runs its original's code on its original's schedule, active when
the original is: kept when the setting is saved, and whenever the original is written
(an edit in the cron's form, an upgrade of the module reloading its data)."""

from odoo import _, api, fields, models

#: the crons that run in parallel (xml ids)
PARALLEL_CRONS = (
    "participant_sms.ir_cron_sms_dispatch",
    "participant_sms.ir_cron_sms_poll_statuses",
)
PARALLEL_PARAM = "participant_sms.parallel_dispatchers"
MAX_PARALLEL = 16
#: what a copy takes from its original
SYNCED_FIELDS = ("active", "interval_number", "interval_type", "code")


class IrCron(models.Model):
    _inherit = "ir.cron"

    psms_parallel_of = fields.Many2one(
        "ir.cron",
        string="Parallel copy of",
        ondelete="cascade",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )
    psms_parallel_index = fields.Integer(string="Parallel place", copy=False)

    def write(self, vals):
        result = super().write(vals)
        if not set(SYNCED_FIELDS) & vals.keys():
            return result
        if set(self.ids) & self._psms_parallel_originals():
            self._psms_sync_parallel()
        return result

    @api.model
    def _psms_parallel_originals(self):
        """The ids of the crons that have parallel copies (cached xml ids)."""
        IrModelData = self.env["ir.model.data"]
        return {
            IrModelData._xmlid_to_res_id(xmlid, raise_if_not_found=False)
            for xmlid in PARALLEL_CRONS
        } - {False, None}

    @api.model
    def _psms_parallel_count(self):
        """The setting *Parallel dispatchers*, within 1 and ``MAX_PARALLEL``."""
        value = self.env["ir.config_parameter"].sudo().get_param(PARALLEL_PARAM, "1")
        try:
            return min(max(int(value), 1), MAX_PARALLEL)
        except ValueError:
            return 1

    @api.model
    def _psms_parallel_place(self):
        """(place, N) of the cron running now (Odoo's runner puts its id in the
        context): the original is place 0 of N; a run outside a cron (a method run
        by hand, *Run manually*) is alone, place 0 of 1. None when this run must do
        nothing: a copy whose original is archived (archiving the original stops its
        copies) or whose place is no longer below N (the setting went down)."""
        cron = self.sudo().browse(self.env.context.get("cron_id") or []).exists()
        if not cron:
            return 0, 1
        count = self._psms_parallel_count()
        original = cron.psms_parallel_of
        if not original:
            return 0, count
        if not original.active or not 0 < cron.psms_parallel_index < count:
            return None
        return cron.psms_parallel_index, count

    @api.model
    def _psms_parallel_copies(self, xmlid):
        """The active copies of a parallel cron."""
        original = self.env.ref(xmlid, raise_if_not_found=False)
        if not original:
            return self.browse()
        return self.sudo().search([("psms_parallel_of", "=", original.id)])

    @api.model
    def _psms_sync_parallel(self):
        """N - 1 active copies of each parallel cron, places 1 to N - 1 (reused when
        archived before), the others archived; a copy follows its original's code,
        schedule and state (``SYNCED_FIELDS``)."""
        count = self._psms_parallel_count()
        Cron = self.sudo().with_context(active_test=False)
        for xmlid in PARALLEL_CRONS:
            original = Cron.env.ref(xmlid, raise_if_not_found=False)
            if not original:
                continue
            copies = Cron.search([("psms_parallel_of", "=", original.id)])
            by_place = {copy.psms_parallel_index: copy for copy in copies}
            for place in range(1, count):
                values = {field: original[field] for field in SYNCED_FIELDS}
                if place in by_place:
                    copy = by_place.pop(place)
                    # only what changed: a running cron cannot be written (Odoo locks
                    # its row while it runs)
                    changed = {
                        key: value
                        for key, value in values.items()
                        if copy[key] != value
                    }
                    if changed:
                        copy.write(changed)
                else:
                    original.copy(
                        {
                            **values,
                            "name": _(
                                "%(name)s (parallel %(place)s)",
                                name=original.name,
                                place=place + 1,
                            ),
                            "psms_parallel_of": original.id,
                            "psms_parallel_index": place,
                        }
                    )
            Cron.browse([copy.id for copy in by_place.values() if copy.active]).write(
                {"active": False}
            )
