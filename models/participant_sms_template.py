# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date, format_time

from ..tools.merge import MergeError, check, find_codes, render

#: every merge field: code -> (label, example value)
MERGE_FIELDS = {
    "civility": ("Civility", "Mme"),
    "first_name": ("First name", "Nadia"),
    "last_name": ("Last name", "BENALI"),
    "participant_name": ("Participant", "Nadia BENALI"),
    "date": ("Date", "12/03/2026"),
    "time": ("Time", "09:30"),
    "weekday": ("Weekday", "jeudi"),
    "location": ("Location", "Espace Insertion, 12 rue de la République"),
    "collaborator": ("Collaborator", "Claire Martin"),
    "appointment_type": ("Appointment type", "Entretien individuel"),
    "theme": ("Theme", "Emploi"),
    "step_name": ("Step", "Formation"),
    "partner_organisation": ("Partner organisation", "AFPA Lyon"),
    "orientation_target": ("Orientation target", "France Travail"),
    "referent": ("Referent", "Claire Martin"),
    "company_name": ("Company name", "Maison de l'Insertion"),
    "company_phone": ("Company phone", "04 78 00 00 00"),
}
COMMON_CODES = [
    "civility",
    "first_name",
    "last_name",
    "participant_name",
    "date",
    "time",
    "weekday",
    "company_name",
    "company_phone",
]
TYPE_CODES = {
    "appointment": COMMON_CODES
    + ["location", "collaborator", "appointment_type", "theme"],
    "step": COMMON_CODES + ["step_name", "partner_organisation", "referent"],
    "orientation": COMMON_CODES + ["orientation_target", "referent"],
    "batch": COMMON_CODES + ["location", "collaborator", "appointment_type", "theme"],
}
#: merge fields a real record may leave empty (no title, no location, no phone...): the
#: template form previews the text without each of them
OPTIONAL_CODES = (
    "civility",
    "first_name",
    "location",
    "collaborator",
    "theme",
    "partner_organisation",
    "referent",
    "company_phone",
)
TEMPLATE_TYPES = [
    ("appointment", "Appointment"),
    ("step", "Step"),
    ("orientation", "Orientation"),
    ("batch", "Batch"),
]


class ParticipantSmsTemplate(models.Model):
    """A reusable SMS text with ``{{code}}`` merge fields (the seed's "modèle de
    SMS")."""

    _name = "participant.sms.template"
    _description = "SMS template"
    _order = "template_type, name, id"

    name = fields.Char(string="Title", required=True, translate=True)
    template_type = fields.Selection(
        TEMPLATE_TYPES, string="Type", required=True, default="appointment"
    )
    body = fields.Text(string="Text", required=True, translate=True)
    reply_enabled = fields.Boolean(
        string="Reply possible",
        help="The SMS is sent from the provider's reply-capable number instead of the "
        "sender "
        "label, so that the participant can answer it.",
    )
    active = fields.Boolean(default=True)
    example_text = fields.Text(
        compute="_compute_example_text",
        string="Example",
        help="The text rendered with example values.",
    )
    preview_html = fields.Html(
        compute="_compute_preview_html",
        string="Preview",
        sanitize=False,
        help="The text for a sample participant with every value, then without each "
        "optional "
        "value the text uses, as it goes out when that value is empty.",
    )

    @api.depends("body", "template_type")
    def _compute_example_text(self):
        for template in self:
            try:
                template.example_text = template._render(template._example_values())
            except MergeError:
                template.example_text = False

    @api.depends("body", "template_type")
    def _compute_preview_html(self):
        for template in self:
            try:
                lines = template._preview_lines()
            except MergeError:
                template.preview_html = False
                continue
            template.preview_html = Markup("").join(
                Markup('<div class="mb-1"><span class="text-muted">%s</span> %s</div>')
                % (label, escape(text))
                for label, text in lines
            )

    def _preview_lines(self):
        """(label, text): the text for the sample participant with every value, then
        once without each optional merge value it uses (in its order of appearance),
        rendered as an SMS goes out (``tools.merge.render``: an empty value leaves no
        hole)."""
        self.ensure_one()
        check(
            self.body, TYPE_CODES.get(self.template_type, ())
        )  # refused by its type: none
        values = self._example_values()
        lines = [(_("With every value:"), self._render(values))]
        for code in find_codes(self.body):
            if code in OPTIONAL_CODES:
                lines.append(
                    (
                        _("Without “%(field)s”:", field=self._merge_label(code)),
                        self._render(dict(values, **{code: ""})),
                    )
                )
        return lines

    @api.model
    def _merge_label(self, code):
        labels = {
            "civility": _("Civility"),
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "participant_name": _("Participant"),
            "date": _("Date"),
            "time": _("Time"),
            "weekday": _("Weekday"),
            "location": _("Location"),
            "collaborator": _("Collaborator"),
            "appointment_type": _("Appointment type"),
            "theme": _("Theme"),
            "step_name": _("Step"),
            "partner_organisation": _("Partner organisation"),
            "orientation_target": _("Orientation target"),
            "referent": _("Referent"),
            "company_name": _("Company name"),
            "company_phone": _("Company phone"),
        }
        return labels[code]

    @api.constrains("body", "template_type")
    def _check_merge_fields(self):
        for template in self:
            try:
                check(template.body, TYPE_CODES[template.template_type])
            except MergeError as error:
                allowed = ", ".join(
                    "{{" + code + "}}" for code in TYPE_CODES[template.template_type]
                )
                problems = ", ".join(
                    ["{{" + code + "}}" for code in error.unknown]
                    + list(error.malformed)
                )
                raise ValidationError(
                    _(
                        "The template uses merge fields that do not exist for this "
                        "type: %(problems)s."
                        " Available: %(allowed)s",
                        problems=problems,
                        allowed=allowed,
                    )
                ) from None

    def action_insert_merge_field(self):
        """One-click insert of a merge field (its code comes in the context)."""
        self.ensure_one()
        code = self.env.context.get("merge_code")
        if code not in TYPE_CODES.get(self.template_type, []):
            raise UserError(
                _("This merge field is not available for this type of template.")
            )
        separator = "" if not self.body or self.body.endswith((" ", "\n")) else " "
        self.body = f"{self.body or ''}{separator}{{{{{code}}}}}"
        return True

    @api.model
    def _common_values(self, partner, start, lang):
        """Merge values every type has: the participant, the date of the thing, the
        company."""
        return dict(
            self._partner_values(partner, lang), **self._event_values(start, lang)
        )

    @api.model
    def _partner_values(self, partner, lang):
        words = (partner.name or "").split()
        first, last = [], []
        for word in words:  # the seed's convention: the last name in capitals
            (last if word.isupper() and len(word) > 1 else first).append(word)
        if not last and len(words) > 1:
            first, last = words[:1], words[1:]
        title = partner.title.with_context(lang=lang)
        return {
            "civility": title.shortcut or title.name or "",
            "first_name": " ".join(first),
            "last_name": " ".join(last),
            "participant_name": partner.name or "",
        }

    @api.model
    def _event_values(self, start, lang):
        tz = self.env.company._psms_zone().tz
        local = (
            fields.Datetime.context_timestamp(self.with_context(tz=tz), start)
            if start
            else None
        )
        return {
            "date": format_date(self.env, local.date(), lang_code=lang)
            if local
            else "",
            "time": format_time(
                self.env, local.time(), time_format="HH:mm", lang_code=lang
            )
            if local
            else "",
            "weekday": format_date(
                self.env, local.date(), date_format="EEEE", lang_code=lang
            )
            if local
            else "",
            "company_name": self.env.company.name or "",
            "company_phone": self.env.company.phone or "",
        }

    def _render(self, values):
        self.ensure_one()
        return render(self.body, values)

    def _example_values(self):
        values = {code: example for code, (_label, example) in MERGE_FIELDS.items()}
        values["company_name"] = self.env.company.name
        values["company_phone"] = self.env.company.phone or values["company_phone"]
        return values

    def action_send_test(self):
        self.ensure_one()
        return self.env["participant.sms.test"]._open_wizard(template=self)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_unused(self):
        used_by_automation = (
            self.env["participant.sms.automation"]
            .with_context(active_test=False)
            .search_count([("template_id", "in", self.ids)])
        )
        used_by_records = any(
            self.env[model]
            .sudo()
            .search_count(
                [
                    ("sms_reminder_template_id", "in", self.ids),
                    ("sms_reminder_sms_id.state", "=", "queued"),
                ]
            )
            for model in (
                "calendar.event",
                "participant.step",
                "participant.orientation",
            )
        )
        if used_by_automation or used_by_records:
            raise UserError(
                _(
                    "This template is used by an automation or by an SMS not sent "
                    "yet: archive it instead."
                )
            )
