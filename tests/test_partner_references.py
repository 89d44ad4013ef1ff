# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A guest in a shared Odoo: deleting a contact anywhere in Odoo (an accountant's
clean-up, a merge) makes PostgreSQL look for the rows that refer to it, through every
foreign key to ``res_partner``. Invariant: every such column this addon declares, on
its own models or on Odoo's, leads an index, so that no delete reads one of its
tables whole (the replies, the steps, the SMS grow for years)."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPartnerReferences(TransactionCase):
    def _our_partner_columns(self):
        """(table, column) of the stored many2one fields to res.partner that this
        addon declares."""
        data = self.env["ir.model.data"].search(
            [("module", "=", "participant_sms"), ("model", "=", "ir.model.fields")]
        )
        fields_ = self.env["ir.model.fields"].browse(data.mapped("res_id")).exists()
        columns = set()
        for field in fields_.filtered(
            lambda f: f.ttype == "many2one" and f.relation == "res.partner" and f.store
        ):
            model = self.env.get(field.model)
            if model is None or model._abstract or not model._auto:
                continue
            columns.add((model._table, field.name))
        return columns

    def test_every_reference_to_a_contact_is_indexed(self):
        columns = self._our_partner_columns()
        self.assertIn(("participant_sms_reply", "partner_id"), columns)
        self.env.cr.execute(
            """SELECT c.conrelid::regclass::text, a.attname
                 FROM pg_constraint c
                 JOIN pg_attribute a
                   ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                WHERE c.contype = 'f' AND c.confrelid = 'res_partner'::regclass
                  AND array_length(c.conkey, 1) = 1
                  AND NOT EXISTS (
                        SELECT 1 FROM pg_index i
                         WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])"""
        )
        unindexed = set(self.env.cr.fetchall())
        self.assertFalse(columns & unindexed, "references to contacts without index")
