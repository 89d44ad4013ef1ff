# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Can this person or number receive an SMS? One answer for every send path.

Reminders, follow-ups, batch and free previews and the dispatcher all ask
``participant.sms.recipient._check``: the number is normalised with the company's zone,
then refused when the participant refuses SMS (also when a free send's number is a known
participant's), or when the number is on the STOP list (Odoo's ``phone.blacklist``).
Bulk: one query for the STOP list and one for refusing participants, whatever the number
of entries.
"""

from dataclasses import dataclass

from odoo import _, api, models
from odoo.exceptions import ValidationError

from ..tools.phone import PhoneError, normalize_mobile


@dataclass(frozen=True)
class Verdict:
    number: str = ""  # E.164, or empty when there is no usable mobile number
    code: str = ""  # "" (can receive), "no_mobile", "invalid", "refuses", "stop"

    @property
    def ok(self):
        return not self.code


class ParticipantSmsRecipient(models.AbstractModel):
    _name = "participant.sms.recipient"
    _description = "SMS recipient check"

    @api.model
    def _normalize(self, raw, company):
        """E.164 of ``raw`` in the company's zone, or a ValidationError saying why
        not."""
        try:
            return normalize_mobile(raw, company._psms_zone().region)
        except PhoneError as error:
            raise ValidationError(self._phone_error_message(error, raw)) from None

    @api.model
    def _phone_error_message(self, error, raw):
        return {
            "empty": _("There is no mobile number."),
            "unparsable": _("“%s” is not a phone number.", raw),
            "invalid": _("“%s” is not a valid phone number.", raw),
            "not_mobile": _(
                "“%s” is not a mobile number: SMS cannot be sent to it.", raw
            ),
        }[error.code]

    @api.model
    def _check(self, entries, company, stored=False):
        """``entries``: ``(partner, raw number)`` pairs (either may be empty: the
        partner's mobile is used when no number is given). Return one :class:`Verdict`
        per entry. ``stored``: the numbers given are SMS numbers, E.164 checked when
        the SMS was queued (the one way in): taken as they are, not parsed again (the
        dispatcher); consent and the STOP list are checked all the same."""
        region = company._psms_zone().region
        numbers, valid, free_numbers = [], [], []
        for partner, given in entries:
            raw = given or (partner.mobile if partner else False)
            try:
                number = given if stored and given else normalize_mobile(raw, region)
            except PhoneError as error:
                numbers.append(
                    ("", "no_mobile" if error.code == "empty" else "invalid")
                )
                continue
            numbers.append((number, ""))
            valid.append(number)
            if not partner:
                free_numbers.append(number)
        blacklisted = set()
        if valid:
            # the STOP list (Odoo's phone.blacklist) in one indexed query: Odoo's
            # search on ``number`` re-formats every searched value with phonenumbers
            # (about 0.3 ms each: 1.5 s for a 5,000-recipient batch preview); our
            # numbers are already E.164
            self.env["phone.blacklist"].flush_model(["number", "active"])
            self.env.cr.execute(
                """SELECT ARRAY_AGG(number) FROM phone_blacklist
                    WHERE active AND number = ANY(%s)""",
                [list(set(valid))],
            )
            blacklisted = set(self.env.cr.fetchone()[0] or ())
        refusing = self._refusing_numbers(free_numbers) if free_numbers else set()
        verdicts = []
        for (partner, _raw), (number, code) in zip(entries, numbers, strict=True):
            if not code and partner and not partner.accepts_sms:
                code = "refuses"
            elif not code and not partner and number in refusing:
                code = "refuses"
            elif not code and number in blacklisted:
                code = "stop"
            verdicts.append(Verdict(number, code))
        return verdicts

    @api.model
    def _refusing_numbers(self, numbers):
        """Those of ``numbers`` (E.164) that belong to a participant who refuses SMS."""
        if not numbers:
            return set()
        # archived participants too; read by the partial index of the refusing
        # participants' numbers (``res.partner.init``), whose condition this repeats
        self.env["res.partner"].flush_model(
            ["is_participant", "accepts_sms", "phone_sanitized"]
        )
        self.env.cr.execute(
            """SELECT phone_sanitized FROM res_partner
                WHERE is_participant AND accepts_sms IS NOT TRUE
                  AND phone_sanitized IS NOT NULL
                  AND phone_sanitized = ANY(%s)""",
            [list(set(numbers))],
        )
        return {number for (number,) in self.env.cr.fetchall()}

    @api.model
    def _label(self, code):
        """Short label of a refusal, for preview lines and lists."""
        return {
            "no_mobile": _("No mobile number"),
            "invalid": _("No valid mobile number"),
            "refuses": _("Refuses SMS"),
            "stop": _("STOP"),
        }.get(code, "")

    @api.model
    def _sentence(self, code, name):
        """Why ``name`` cannot receive an SMS, as a sentence for errors and notes."""
        return {
            "no_mobile": _("%s has no mobile number.", name),
            "invalid": _("%s has no valid mobile number.", name),
            "refuses": _("%s refuses SMS.", name),
            "stop": _("%s answered STOP.", name),
        }.get(code, "")
