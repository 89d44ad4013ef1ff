# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import os

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export


@tagged("post_install", "-at_install")
class TestFrenchTranslation(TransactionCase):
    def test_every_string_translated(self):
        """Every string of the installed module (exported now, not the committed
        template) has a French translation, and the committed template is up to date."""
        buffer = io.BytesIO()
        trans_export(False, ["participant_sms"], buffer, "po", self.env.cr)
        live = polib.pofile(buffer.getvalue().decode())
        path = os.path.join(get_module_path("participant_sms"), "i18n")
        committed = polib.pofile(os.path.join(path, "participant_sms.pot"))
        french = polib.pofile(os.path.join(path, "fr.po"))
        translated = {entry.msgid for entry in french if entry.msgstr.strip()}
        missing = sorted({entry.msgid for entry in live} - translated)
        self.assertFalse(missing, "strings without French translation")
        stale = sorted(
            {entry.msgid for entry in live} - {entry.msgid for entry in committed}
        )
        self.assertFalse(stale, "i18n/participant_sms.pot is out of date")

    def test_french_loaded_in_odoo(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["participant_sms"], ["fr_FR"], overwrite=True
        )
        fr = self.env(context={"lang": "fr_FR"})
        field = fr["ir.model.fields"]._get("res.partner", "accepts_sms")
        self.assertEqual(field.field_description, "Accepte les SMS")
        self.assertEqual(fr.ref("participant_sms.outcome_planned").name, "Prévu")
        self.assertEqual(
            fr.ref("participant_sms.group_sms_send_batch").name, "SMS : par lot"
        )
        menu = fr.ref("participant_sms.menu_participant_steps")
        self.assertEqual(menu.name, "Étapes")
        # the SMS zones (a selection computed by a function, translated by the addon)
        zones = dict(
            fr["res.company"].fields_get(["psms_zone"])["psms_zone"]["selection"]
        )
        self.assertEqual(zones["metropole"], "France métropolitaine")
        self.assertEqual(zones["guyane"], "Guyane")
        self.assertEqual(zones["saint_pierre"], "Saint-Pierre-et-Miquelon")
