# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's own SMS features never text a participant.

Every SMS Odoo's ``sms`` module sends is an ``sms.sms``: the composer (comment, mass and
numbers modes), the "Send SMS" actions and server actions on contacts,
``mail.thread._message_sms*``, the resend wizard, calendar_sms's alarms and its "SMS"
button. They know nothing of the addon's send permissions, consent, STOP list, send
window, quiet days or credit, so an ``sms.sms`` whose partner is a participant, or whose
number is a participant's mobile or phone, is refused here (a constraint: on create and
on write, whoever calls). The addon's own engine does not use ``sms.sms`` (its Odoo IAP
provider speaks to the service directly), so it is never stopped here.

The number check costs no query for ordinary numbers: the keys of all participants'
numbers (:func:`..tools.phone_match.number_key`) are kept in an ormcache, cleared when a
participant's number appears (``ResPartner._psms_clear_number_keys``); only a number
whose key is one of them is looked up and compared in E.164 form. Odoo's own query-count
tests stay as they are.
"""

import logging

from odoo import _, api, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.phone_match import KEY_LENGTH, number_key, same_number

_logger = logging.getLogger(__name__)

#: how many participants the refusal names before "and N more"
NAMED = 5


class SmsSms(models.Model):
    _inherit = "sms.sms"

    @api.constrains("partner_id", "number")
    def _check_psms_not_participant(self):
        self._psms_refuse(self.partner_id, self.mapped("number"))

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        """An SMS queued before its partner became a participant (or got a participant's
        number) does not leave either: it is cancelled as opted out, silently (cron
        path)."""
        blocked = self._psms_blocked()
        if blocked:
            _logger.info(
                "Odoo SMS: %s queued SMS to participants cancelled (not sent through "
                "Odoo's SMS features)",
                len(blocked),
            )
            blocked._update_sms_state_and_trackers(
                "canceled", failure_type="sms_optout"
            )
        rest = self - blocked
        if not rest:
            return None
        return super(SmsSms, rest)._send(
            unlink_failed=unlink_failed,
            unlink_sent=unlink_sent,
            raise_exception=raise_exception,
        )

    def _psms_blocked(self):
        """Those of these SMS that go to a participant (by partner or number)."""
        participants, numbers = self._psms_participants_among(
            self.partner_id, self.mapped("number")
        )
        numbers = set(numbers)
        return self.filtered(
            lambda sms: sms.partner_id in participants or sms.number in numbers
        )

    # ----------------------------------------------------------------------------------
    # Who is a participant (used by the composer and calendar overrides too)
    # ----------------------------------------------------------------------------------

    @api.model
    def _psms_participants_among(self, partners, numbers):
        """``(participants, numbers)``: the participants among ``partners`` and those of
        ``numbers`` (raw or E.164) that are a participant's mobile or phone."""
        partners = partners.sudo().with_context(active_test=False)
        participants = partners.filtered("is_participant")
        matched = self._psms_participant_numbers(
            [number for number in numbers if number]
        )
        return participants, matched

    @api.model
    def _psms_participant_numbers(self, numbers):
        """Those of ``numbers`` that are a participant's mobile or phone (no query
        unless a number shares its last digits with a participant's)."""
        keys = self._psms_participant_number_keys()
        suspects = [number for number in numbers if number_key(number) in keys]
        if not suspects:
            return []
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        Partner.flush_model(["is_participant", "mobile", "phone"])
        suspect_keys = list({number_key(number) for number in suspects})
        self.env.cr.execute(
            SQL(
                """SELECT id FROM res_partner
                WHERE is_participant
                  AND (right(regexp_replace(mobile, '\\D', '', 'g'), %(length)s) =
                      ANY(%(keys)s)
                    OR right(regexp_replace(phone, '\\D', '', 'g'), %(length)s) =
                        ANY(%(keys)s))""",
                length=KEY_LENGTH,
                keys=suspect_keys,
            )
        )
        by_key = {}
        for partner in Partner.browse([row[0] for row in self.env.cr.fetchall()]):
            for own in {partner.mobile, partner.phone} - {False, None, ""}:
                by_key.setdefault(number_key(own), []).append((partner, own))
        default_region = self.env.company._psms_zone().region
        matched = []
        for number in suspects:
            # only the participants' numbers with the same last digits are compared
            if any(
                same_number(
                    number,
                    own,
                    (
                        default_region,
                        partner.country_id.code,
                        partner.company_id._psms_zone().region
                        if partner.company_id
                        else None,
                    ),
                )
                for partner, own in by_key.get(number_key(number), ())
            ):
                matched.append(number)
        return matched

    @api.model
    @tools.ormcache()
    def _psms_participant_number_keys(self):
        """The keys (last digits) of every participant's mobile and phone, archived ones
        too. Cleared when a participant's number appears; a key that stays after a
        change only costs one look-up, never a wrong answer."""
        self.env["res.partner"].flush_model(["is_participant", "mobile", "phone"])
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT right(regexp_replace(num, '\\D', '', 'g'),
                       %(length)s)
                 FROM res_partner, LATERAL (VALUES (mobile), (phone)) AS numbers(num)
                WHERE is_participant AND num IS NOT NULL""",
                length=KEY_LENGTH,
            )
        )
        return frozenset(key for (key,) in self.env.cr.fetchall() if key)

    # ----------------------------------------------------------------------------------
    # The refusal
    # ----------------------------------------------------------------------------------

    @api.model
    def _psms_refuse(self, partners, numbers, error=ValidationError):
        """Raise ``error`` with the translated refusal when any of ``partners`` is a
        participant or any of ``numbers`` a participant's number; the participants are
        named only to users of the Participants groups (the others cannot read them)."""
        participants, matched = self._psms_participants_among(partners, numbers)
        if not participants and not matched:
            return
        follower = self.env.user.has_group("participant_sms.group_participant_user")
        if follower:
            recipients = sorted(set(participants.mapped("display_name")))
            for number in dict.fromkeys(matched):
                recipients.append(_("the number %s", number))
        else:  # who is a participant, by name or number, is not theirs to learn
            count = len(participants) + len(set(matched))
            recipients = [
                _("a participant") if count == 1 else _("%s participants", count)
            ]
        shown = ", ".join(recipients[:NAMED])
        if len(recipients) > NAMED:
            shown = _(
                "%(shown)s and %(count)s more",
                shown=shown,
                count=len(recipients) - NAMED,
            )
        raise error(
            _(
                "Odoo's own SMS features do not send to participants "
                "(%(recipients)s). Use the "
                "participant's appointment or step reminder, or the batch or free SMS "
                "of "
                "Participants: they check the send permissions, the participant's "
                "consent, STOP, "
                "the send window, quiet days and the credit.",
                recipients=shown,
            )
        )
