# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .participant_sms_dispatcher import RETRY_BACKOFF


class ParticipantSmsPackage(models.Model):
    """A package of SMS credits bought by the structure (one credit = one SMS
    segment)."""

    _name = "participant.sms.package"
    _description = "SMS credit package"
    _order = "purchase_date, id"

    name = fields.Char(required=True, default=lambda self: _("SMS package"))
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    purchase_date = fields.Date(
        string="Purchase date", required=True, default=fields.Date.context_today
    )
    quantity = fields.Integer(string="Quantity bought", required=True)
    consumed = fields.Integer(readonly=True, default=0, copy=False)
    remaining = fields.Integer(compute="_compute_remaining", store=True)
    note = fields.Text()

    _sql_constraints = [
        (
            "quantity_positive",
            "CHECK(quantity > 0)",
            "The quantity bought must be positive.",
        ),
        (
            "consumed_within_quantity",
            "CHECK(consumed >= 0 AND consumed <= quantity)",
            "A package cannot consume more credits than it holds.",
        ),
    ]

    @api.depends("quantity", "consumed")
    def _compute_remaining(self):
        for package in self:
            package.remaining = package.quantity - package.consumed

    @api.constrains("quantity")
    def _check_quantity(self):
        for package in self:
            if package.quantity < package.consumed:
                raise ValidationError(
                    _("The quantity cannot be lower than what was consumed.")
                )

    @api.model
    def _remaining_credit(self, company):
        packages = self.search([("company_id", "=", company.id), ("remaining", ">", 0)])
        return sum(packages.mapped("remaining"))

    def _refund(self, credits):
        self.ensure_one()
        self.consumed = max(0, self.consumed - credits)

    # ----------------------------------------------------------------------------------
    # charging SMS (the dispatcher, under its per-company lock)
    # ----------------------------------------------------------------------------------
    @api.model
    def _charge(self, company, messages):
        """Charge the credit of each SMS (one per segment, oldest package first).
        With enforced packages the SMS that do not fit stay queued with the reason;
        otherwise they go uncharged. Return the SMS that may go.

        The company's packages with credit left are locked first (FOR UPDATE:
        concurrent dispatchers wait for each other here, so that credit is never
        spent twice)."""
        sendable, charges = self._charge_plan(company, messages)
        for (package_id, credits), ids in charges.items():
            messages.browse(ids).write({"credits": credits, "package_id": package_id})
        return sendable

    @api.model
    def _charge_plan(self, company, messages):
        """``_charge`` without writing the SMS: the packages' consumption is written
        (and the SMS short of credit told so); return (the SMS that may go,
        {(package id, credits): [SMS ids]}), the charge the caller writes on the SMS
        (the dispatcher, in the same statement as its claim)."""
        self.env.cr.execute(
            """SELECT array_agg(id ORDER BY purchase_date, id)
                 FROM (SELECT id, purchase_date FROM participant_sms_package
                        WHERE company_id = %s AND consumed < quantity
                        ORDER BY purchase_date, id FOR UPDATE) AS locked""",
            [company.id],
        )
        packages = self.browse(self.env.cr.fetchone()[0] or [])
        packages.invalidate_recordset(["consumed", "remaining"])
        # counted here, written once per package at the end (not once per SMS); by
        # package id (a recordset per SMS and package costs more than the count)
        room = {package.id: package.remaining for package in packages}
        taken = defaultdict(int)
        left = sum(room.values())
        charges = defaultdict(list)  # (package, credits) -> SMS ids: one write each
        paid, package_ids = [], packages.ids
        segments_of = messages.mapped("segments")
        for sms_id, segments in zip(messages.ids, segments_of, strict=True):
            if not 0 < segments <= left:
                continue  # not enough credit left
            left -= segments
            # taken oldest package first; the SMS names the first package used
            main, credits = None, segments
            for package_id in package_ids:
                take = min(credits, room[package_id])
                if take:
                    room[package_id] -= take
                    taken[package_id] += take
                    main = main or package_id
                    credits -= take
                if not credits:
                    break
            charges[main, segments].append(sms_id)
            paid.append(sms_id)
        for package_id, credits in taken.items():
            package = packages.browse(package_id)
            package.consumed += credits
        charges = dict(charges)
        charged = messages.browse(paid)
        if not company.psms_enforce_packages:
            return messages, charges
        short = messages - charged
        if short:
            short.write(
                {
                    "last_error": _("No SMS credit left."),
                    "next_attempt_at": fields.Datetime.now() + RETRY_BACKOFF,
                }
            )
        return charged, charges

    @api.model
    def _refund_sms(self, messages):
        """Give back the credit of SMS that were not sent."""
        charged = messages.filtered("credits")
        for package, group in charged.grouped("package_id").items():
            if package:  # credits with no package (written by SQL): nothing to give
                package._refund(sum(group.mapped("credits")))
        charged.write({"credits": 0, "package_id": False})
