# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .ir_cron import MAX_PARALLEL


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    psms_sender = fields.Char(related="company_id.psms_sender", readonly=False)
    psms_max_segments = fields.Integer(
        related="company_id.psms_max_segments", readonly=False
    )
    psms_text_mode = fields.Selection(
        related="company_id.psms_text_mode", readonly=False
    )
    psms_simulated = fields.Boolean(related="company_id.psms_simulated")
    psms_balance = fields.Float(related="company_id.psms_balance")
    psms_balance_unit = fields.Char(related="company_id.psms_balance_unit")
    psms_balance_at = fields.Datetime(related="company_id.psms_balance_at")
    psms_balance_low = fields.Boolean(related="company_id.psms_balance_low")
    psms_window_start = fields.Float(
        related="company_id.psms_window_start", readonly=False
    )
    psms_window_end = fields.Float(related="company_id.psms_window_end", readonly=False)
    psms_zone = fields.Selection(related="company_id.psms_zone", readonly=False)
    psms_account_id = fields.Many2one(
        related="company_id.psms_account_id", readonly=False
    )
    psms_quiet_days = fields.Boolean(
        related="company_id.psms_quiet_days", readonly=False
    )
    psms_alsace_moselle = fields.Boolean(
        related="company_id.psms_alsace_moselle", readonly=False
    )
    psms_retention_months = fields.Integer(
        related="company_id.psms_retention_months", readonly=False
    )
    psms_credit_warning = fields.Integer(
        related="company_id.psms_credit_warning", readonly=False
    )
    psms_enforce_packages = fields.Boolean(
        related="company_id.psms_enforce_packages", readonly=False
    )
    psms_credit_remaining = fields.Integer(
        compute="_compute_psms_credit", string="Remaining credit"
    )
    psms_credit_month = fields.Integer(
        compute="_compute_psms_credit", string="Credits used this month"
    )
    psms_credit_low = fields.Boolean(
        compute="_compute_psms_credit", string="Low credit"
    )
    psms_credit_unit = fields.Char(compute="_compute_psms_credit", string="Credit unit")
    psms_credit_month_unit = fields.Char(
        compute="_compute_psms_credit", string="Credits used this month unit"
    )
    psms_test_number = fields.Char(string="Test number")
    psms_parallel_dispatchers = fields.Integer(
        string="Parallel dispatchers",
        config_parameter="participant_sms.parallel_dispatchers",
        default=1,
        help="How many dispatch (and status poll) jobs may run at once, on as many "
        "Odoo servers or cron threads: 1 for a single server.",
    )

    def set_values(self):
        """The parallel dispatchers are an SMS administrator's setting; saving the
        settings creates or archives the crons' copies to match it."""
        Cron = self.env["ir.cron"]
        if any(
            settings.psms_parallel_dispatchers != Cron._psms_parallel_count()
            for settings in self
        ) and not self.env.user.has_group("participant_sms.group_sms_admin"):
            raise AccessError(
                _("Only SMS administrators can change the parallel dispatchers.")
            )
        res = super().set_values()
        Cron._psms_sync_parallel()
        return res

    @api.constrains("psms_parallel_dispatchers")
    def _check_psms_parallel_dispatchers(self):
        for settings in self:
            if not 1 <= settings.psms_parallel_dispatchers <= MAX_PARALLEL:
                raise ValidationError(
                    _(
                        "The parallel dispatchers must number between 1 and %s.",
                        MAX_PARALLEL,
                    )
                )

    # the web client opens the settings as a new record (onchange): the figures are
    # computed there only if they depend on the company (without it they stayed 0 until
    # a reload)
    @api.depends("company_id", "psms_enforce_packages", "psms_credit_warning")
    def _compute_psms_credit(self):
        Package = self.env["participant.sms.package"].sudo()
        first_day = fields.Date.context_today(self).replace(day=1)
        for settings in self:
            company = settings.company_id
            remaining = Package._remaining_credit(company)
            used = (
                self.env["participant.sms"]
                .sudo()
                ._read_group(
                    [("company_id", "=", company.id), ("sent_at", ">=", first_day)],
                    aggregates=["credits:sum"],
                )[0][0]
                or 0
            )
            settings.psms_credit_remaining = remaining
            settings.psms_credit_month = used
            settings.psms_credit_unit = (
                _("credit,") if remaining == 1 else _("credits,")
            )
            settings.psms_credit_month_unit = (
                _("credit used this month")
                if used == 1
                else _("credits used this month")
            )
            settings.psms_credit_low = (
                settings.psms_enforce_packages
                and remaining < settings.psms_credit_warning
            )

    def action_psms_send_test(self):
        """Send a test SMS to the number typed by the administrator, now."""
        self.ensure_one()
        if not self.psms_test_number:
            raise UserError(_("Type the number that should receive the test SMS."))
        Sms = self.env["participant.sms"]
        if self.env.user.has_group(
            "base.group_system"
        ):  # who configures the provider tests it
            Sms = Sms.sudo()
        sms = Sms._queue(
            [
                {
                    "origin": "test",
                    "context_type": "test",
                    "number": self.psms_test_number,
                    "body": _("Test SMS from %s.", self.company_id.name),
                    "planned_at": fields.Datetime.now(),
                    "company_id": self.company_id.id,
                }
            ]
        )
        self.env.ref("participant_sms.ir_cron_sms_dispatch").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "sticky": False,
                "message": _(
                    "Test SMS to %(number)s: %(status)s. It leaves in a moment (see "
                    "Sent SMS).",
                    number=sms.number_display,
                    status=dict(sms._fields["state"]._description_selection(self.env))[
                        sms.state
                    ],
                ),
            },
        }
