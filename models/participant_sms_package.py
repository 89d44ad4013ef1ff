from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ParticipantSmsPackage(models.Model):
    """A package of SMS credits bought by the structure (one credit = one SMS segment)."""

    _name = "participant.sms.package"
    _description = "SMS credit package"
    _order = "purchase_date, id"

    name = fields.Char(required=True, default=lambda self: _("SMS package"))
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 index=True)
    purchase_date = fields.Date(string="Purchase date", required=True, default=fields.Date.context_today)
    quantity = fields.Integer(string="Quantity bought", required=True)
    consumed = fields.Integer(string="Consumed", readonly=True, default=0, copy=False)
    remaining = fields.Integer(string="Remaining", compute="_compute_remaining", store=True)
    note = fields.Text()

    _sql_constraints = [
        ("quantity_positive", "CHECK(quantity > 0)", "The quantity bought must be positive."),
        ("consumed_within_quantity", "CHECK(consumed >= 0 AND consumed <= quantity)",
         "A package cannot consume more credits than it holds."),
    ]

    @api.depends("quantity", "consumed")
    def _compute_remaining(self):
        for package in self:
            package.remaining = package.quantity - package.consumed

    @api.constrains("quantity")
    def _check_quantity(self):
        for package in self:
            if package.quantity < package.consumed:
                raise ValidationError(_("The quantity cannot be lower than what was consumed."))

    @api.model
    def _remaining_credit(self, company):
        packages = self.search([("company_id", "=", company.id), ("remaining", ">", 0)])
        return sum(packages.mapped("remaining"))

    @api.model
    def _lock_for_company(self, company):
        """Lock the company's packages with credit left (FOR UPDATE: concurrent dispatchers wait
        for each other here, so that credit is never spent twice) and return them oldest first."""
        self.env.cr.execute(
            """SELECT id FROM participant_sms_package
                WHERE company_id = %s AND consumed < quantity
                ORDER BY purchase_date, id FOR UPDATE""", [company.id])
        packages = self.browse([row[0] for row in self.env.cr.fetchall()])
        packages.invalidate_recordset(["consumed", "remaining"])
        return packages

    def _consume(self, credits):
        """Take ``credits`` from these (locked) packages, oldest first; return the package used
        for the largest part, or an empty recordset if the credit is not enough."""
        available = sum(self.mapped("remaining"))
        if credits > available:
            return self.browse()
        main = self.browse()
        left = credits
        for package in self:
            take = min(left, package.remaining)
            if take:
                package.consumed += take
                main = main or package
                left -= take
            if not left:
                break
        return main

    def _refund(self, credits):
        self.ensure_one()
        self.consumed = max(0, self.consumed - credits)
