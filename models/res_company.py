# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import LazyTranslate

from ..tools.quiet_days import QuietDays
from ..tools.schedule import SendWindow, hours_to_time
from ..tools.zones import DEFAULT_ZONE, ZONES

SENDER_RE = re.compile(r"[A-Za-z0-9 ]{1,11}\Z")


_lt = LazyTranslate(__name__)
#: the zones' names as users read them (tools/zones.py stays framework-free, in English)
ZONE_LABELS = {
    "metropole": _lt("Metropolitan France"),
    "reunion": _lt("La Réunion"),
    "guadeloupe": _lt("Guadeloupe"),
    "martinique": _lt("Martinique"),
    "guyane": _lt("French Guiana"),
    "mayotte": _lt("Mayotte"),
    "saint_pierre": _lt("Saint Pierre and Miquelon"),
    "saint_barthelemy": _lt("Saint Barthélemy"),
    "saint_martin": _lt("Saint Martin"),
}


def _zone_selection(self):
    # a selection computed by a function is not translated by Odoo: it is done here
    return [
        (
            zone.code,
            self.env._(ZONE_LABELS[zone.code])
            if zone.code in ZONE_LABELS
            else zone.label,
        )
        for zone in ZONES.values()
    ]


class ResCompany(models.Model):
    """SMS settings of a structure (the seed's "Paramétrage")."""

    _inherit = "res.company"

    psms_sender = fields.Char(
        string="SMS sender",
        default="INFO",
        help="Label shown as the sender of the SMS: at most 11 letters, digits or "
        "spaces.",
    )
    psms_max_segments = fields.Integer(
        string="Maximum SMS per message",
        default=1,
        help="With 1, the length of a single SMS is a hard limit. A higher number "
        "allows longer "
        "messages, each counting for as many SMS as it needs, up to this number.",
    )
    psms_text_mode = fields.Selection(
        [
            ("keep", "Keep the text as typed"),
            ("typography", "Replace typography"),
            ("letters", "Replace typography and accents"),
        ],
        string="SMS characters",
        default="typography",
        required=True,
        help="SMS in GSM-7 hold 160 characters, in Unicode only 70: a single ’ « » … "
        "or "
        "non-breaking space makes a whole text Unicode. “Replace typography” writes "
        "them "
        "with their GSM-7 equivalents (' \" ... -); “and accents” also the letters "
        "GSM-7 "
        "lacks (ê â î ô û ë ï ç œ...; é è à ù stay). The text sent is the one shown.",
    )
    psms_enforce_packages = fields.Boolean(
        string="Enforce SMS packages",
        default=False,
        help="On: an SMS goes only while the packages bought have credit (one credit "
        "per SMS "
        "segment); without credit it waits until its deadline. Off (default): packages "
        "are a budget that is counted down when there are any, and a missing package "
        "blocks nothing — the provider's own credit is what runs out.",
    )
    psms_window_start = fields.Float(string="Send window start", default=8.0)
    psms_window_end = fields.Float(string="Send window end", default=18.0)
    psms_zone = fields.Selection(
        _zone_selection,
        string="SMS zone",
        default=DEFAULT_ZONE,
        required=True,
        help="Where the structure is: sets the time zone of the send window and the "
        "region "
        "used to read national phone numbers (metropolitan France by default).",
    )
    psms_account_id = fields.Many2one(
        "participant.sms.account",
        string="SMS provider account",
        help="Account used to send this company's SMS. The built-in simulator when "
        "empty.",
    )
    psms_credit_warning = fields.Integer(
        string="Low credit warning",
        default=100,
        help="A warning is shown when the remaining SMS credit falls under this "
        "number.",
    )
    psms_quiet_days = fields.Boolean(
        string="No campaigns on Sundays and public holidays",
        help="Batch and free sends and J+n follow-ups planned on a Sunday or a public "
        "holiday of "
        "the SMS zone go out when the send window opens on the next working day. "
        "Reminders before an event keep their time.",
    )
    psms_alsace_moselle = fields.Boolean(
        string="Alsace-Moselle holidays",
        help="Metropolitan zone: Good Friday and 26 December are public holidays too.",
    )
    # 12 months for a new company: texts and numbers are not kept longer than the
    # follow-up needs them (RGPD); a company that already has a value keeps it (only the
    # default changes)
    psms_retention_months = fields.Integer(
        string="Keep SMS texts and numbers (months)",
        default=12,
        help="After this many months, the text and number of each SMS and the text of "
        "each "
        "reply are anonymised (date, status, SMS count, context and origin are kept "
        "for "
        "the statistics). 0 keeps them forever; 12, 24 or 36 are usual.",
    )

    @api.constrains("psms_sender")
    def _check_psms_sender(self):
        for company in self:
            if company.psms_sender and not SENDER_RE.fullmatch(company.psms_sender):
                raise ValidationError(
                    _(
                        "The SMS sender must have 1 to 11 characters, letters, digits "
                        "or spaces only "
                        "(no accents or special characters)."
                    )
                )

    @api.constrains("psms_zone")
    def _check_psms_zone(self):
        for company in self:
            if company.psms_zone not in ZONES:
                raise ValidationError(_("Unknown SMS zone: choose one of the list."))

    @api.constrains("psms_retention_months")
    def _check_psms_retention_months(self):
        for company in self:
            if not 0 <= company.psms_retention_months <= 120:
                raise ValidationError(
                    _("Keep SMS texts between 0 (forever) and 120 months.")
                )

    @api.constrains("psms_max_segments")
    def _check_psms_max_segments(self):
        for company in self:
            if not 1 <= company.psms_max_segments <= 10:
                raise ValidationError(
                    _(
                        "The maximum number of SMS per message must be between "
                        "1 and 10."
                    )
                )

    @api.constrains("psms_window_start", "psms_window_end")
    def _check_psms_window(self):
        for company in self:
            if not 0 <= company.psms_window_start < company.psms_window_end <= 24:
                raise ValidationError(
                    _(
                        "The send window must start before it ends, between "
                        "00:00 and 24:00."
                    )
                )

    def write(self, vals):
        moved = (
            self.filtered(lambda company: company.psms_zone != vals["psms_zone"])
            if "psms_zone" in vals
            else self.browse()
        )
        result = super().write(vals)
        if moved:  # the daily SMS counts are days of the company's zone
            self.env["participant.sms.daily"].sudo()._rebuild(moved)
        return result

    def _psms_zone(self):
        self.ensure_one()
        return ZONES[self.psms_zone or DEFAULT_ZONE]  # a known zone (constraint)

    def _psms_window(self):
        self.ensure_one()
        quiet = self.psms_quiet_days and QuietDays(
            self._psms_zone().code,
            self.psms_alsace_moselle,
            (self.env.lang or "en_US")[:2],
        )
        return SendWindow(
            hours_to_time(self.psms_window_start),
            hours_to_time(self.psms_window_end),
            self._psms_zone().tz,
            quiet or None,
        )

    psms_simulated = fields.Boolean(
        compute="_compute_psms_simulated",
        string="SMS simulated",
        help="The company's SMS go through the built-in simulator: no real SMS is "
        "sent.",
    )

    psms_balance = fields.Float(
        compute="_compute_psms_balance", string="Provider credit"
    )
    psms_balance_unit = fields.Char(
        compute="_compute_psms_balance", string="Provider credit unit"
    )
    psms_balance_at = fields.Datetime(
        compute="_compute_psms_balance", string="Provider credit read on"
    )
    psms_balance_low = fields.Boolean(
        compute="_compute_psms_balance", string="Low provider credit"
    )

    @api.depends(
        "psms_account_id.balance",
        "psms_account_id.balance_at",
        "psms_account_id.balance_unit_code",
        "psms_credit_warning",
    )
    @api.depends_context("lang")
    def _compute_psms_balance(self):
        """The credit at the company's provider, as last read (follows each reading)."""
        for company in self:
            account = company._psms_account().sudo()
            company.psms_balance = account.balance
            company.psms_balance_unit = account.balance_unit
            company.psms_balance_at = account.balance_at
            company.psms_balance_low = account.balance_low

    def _compute_psms_simulated(self):
        # read by ir.http.session_info for every user (internal, portal, public, any
        # group): whether the company simulates is no secret, the account itself stays
        # out of reach
        for company in self:
            company.psms_simulated = (
                company._psms_account().sudo().provider == "simulator"
            )

    def _psms_account(self):
        """The account each of these companies sends through (the simulator when
        none)."""
        simulator = self.env.ref(
            "participant_sms.sms_account_simulator", raise_if_not_found=False
        )
        accounts = self.env["participant.sms.account"]
        for company in self:
            accounts |= company.psms_account_id or simulator
        return accounts
