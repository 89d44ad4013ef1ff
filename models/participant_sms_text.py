# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What an SMS text must be, for every send path: written in GSM-7 after the
company's "SMS characters" choice (the text stored is the text sent), not blank, and
within the company's maximum number of SMS per message."""

from odoo import _, api, models
from odoo.exceptions import ValidationError

from ..tools import sms_text


class ParticipantSmsText(models.AbstractModel):
    _name = "participant.sms.text"
    _description = "SMS text rules"

    @api.model
    def _convert(self, body, company):
        """The text as it will be sent: typography (and accents) written in GSM-7
        after the company's choice (``tools.sms_text.convert``)."""
        return sms_text.convert(body or "", company.psms_text_mode)

    @api.model
    def _check(self, body, company):
        measure = sms_text.measure(body or "")
        if sms_text.is_blank(body):
            raise ValidationError(
                _(
                    "The SMS text is empty, or holds only spaces or invisible "
                    "characters."
                )
            )
        if measure.segments > company.psms_max_segments:
            raise ValidationError(
                _(
                    "The text needs %(count)s SMS (%(units)s characters, "
                    "%(encoding)s) but at most "
                    "%(max)s SMS per message are allowed. Shorten it%(hint)s.",
                    count=measure.segments,
                    units=measure.units,
                    encoding=measure.encoding,
                    max=company.psms_max_segments,
                    hint=_(
                        " or remove the characters that force Unicode: %s",
                        " ".join(measure.ucs2_chars),
                    )
                    if measure.ucs2_chars
                    else "",
                )
            )
        return measure

    @api.model
    def _prepare(self, body, company):
        """``(text as it will be sent, its measure)``, or a ValidationError saying
        why not."""
        body = self._convert(body, company)
        return body, self._check(body, company)
