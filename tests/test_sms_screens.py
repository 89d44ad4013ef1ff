# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the SMS screens show a French user (issue 17, items 4 and 6).

Invariants:

- the dashboard names the months in the user's language ("nov. 2026"), never "2026-11",
  and a count of the provider reads without decimals ("10 000"); the delivery rate has
  one French name, the guide's "taux de remise";
- a credit shortage, a text over the maximum and a free send are said in the singular
  for one credit or SMS, in the plural otherwise; the batch and free wizards say a
  credit shortage with one message (the preview's alert and Validate's refusal);
- an SMS to come is never "deleted" from the screens: *Upcoming SMS* and the SMS form
  offer no Delete but "Cancel the SMS" with its own confirmation; cancelling keeps the
  SMS, Cancelled, and is refused on the server to a user who neither wrote it nor refers
  its participant;
- the SMS administrator sees every SMS menu; the send permission is asked when sending
  only: an administrator without the batch or free permission prepares and previews, and
  is refused at Validate by a message naming the missing permission;
- the SMS lists fit at 1366x768 and 1440x900: title, status and number are whole, the
  Excel export button on one line (a Chromium tour measures them).
"""

import base64
import re
from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common_sms import SmsCommon, create_sms_user


def _load_french(env):
    env["res.lang"]._activate_lang("fr_FR")
    env["ir.module.module"].search(
        [("name", "=", "participant_sms")]
    )._update_translations(["fr_FR"])


@tagged("post_install", "-at_install")
class TestSmsScreens(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_french(cls.env)

    # -- dashboard ---------------------------------------------------------------------
    def test_dashboard_months_in_the_user_language(self):
        Dashboard = self.env["participant.sms.dashboard"].with_user(self.user_admin_sms)
        today = fields.Date.context_today(Dashboard)
        for lang, expected in (
            ("fr_FR", {11: "nov.", 5: "mai", 7: "juil."}),
            ("en_US", {11: "Nov", 5: "May", 7: "Jul"}),
        ):
            charts = (
                Dashboard.with_context(lang=lang).create({"period": "12months"}).charts
            )
            self.assertEqual(len(charts["months"]), 12)
            for label, key in zip(charts["months"], charts["month_keys"], strict=False):
                year, month = map(int, key.split("-"))
                self.assertNotRegex(label, r"^\d{4}-\d{2}$")
                self.assertTrue(label.endswith(str(year)), label)
                if month in expected:
                    self.assertEqual(label, f"{expected[month]} {year}")
            self.assertEqual(charts["month_keys"][-1], today.strftime("%Y-%m"))

    def test_provider_count_without_decimals(self):
        Dashboard = self.env["participant.sms.dashboard"].with_user(self.user_admin_sms)
        self.company.psms_account_id = self.simulator
        for lang, whole, fraction in (
            ("fr_FR", r"10\D000", r"12,50"),
            ("en_US", r"10,000", r"12.50"),
        ):
            self.simulator.sudo().balance = 10000.0
            self.env.invalidate_all()
            shown = (
                Dashboard.with_context(lang=lang).create({}).provider_balance_display
            )
            self.assertRegex(shown, rf"^{whole}$")
            self.simulator.sudo().balance = (
                12.5  # IAP credits, euros: the decimals stay
            )
            self.env.invalidate_all()
            shown = (
                Dashboard.with_context(lang=lang).create({}).provider_balance_display
            )
            self.assertRegex(shown, rf"^{fraction}$")

    def test_delivery_rate_has_one_french_name(self):
        Dashboard = self.env["participant.sms.dashboard"].with_context(lang="fr_FR")
        field = Dashboard._fields["delivery_rate"].get_description(Dashboard.env)[
            "string"
        ]
        title = (
            Dashboard.with_user(self.user_admin_sms).create({}).charts["titles"]["rate"]
        )
        self.assertTrue(field.startswith("Taux de remise"), field)
        self.assertTrue(title.startswith("Taux de remise"), title)
        arch = Dashboard.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("Taux de remise", arch)
        self.assertNotIn("Taux de réception", arch)

    # -- singular and plural -----------------------------------------------------------
    def test_credit_shortage_singular_and_plural(self):
        Batch = self.env["participant.sms.batch"]
        cases = [  # needed, left -> English, French
            (
                1,
                0,
                "1 SMS credit is needed but none remains",
                "1 crédit SMS est nécessaire mais il n'en reste aucun",
            ),
            (
                2,
                1,
                "2 SMS credits are needed but only 1 remains",
                "2 crédits SMS sont nécessaires mais il n'en reste qu'un",
            ),
            (
                10,
                3,
                "10 SMS credits are needed but only 3 remain",
                "10 crédits SMS sont nécessaires mais il n'en reste que 3",
            ),
        ]
        for needed, left, english, french in cases:
            for lang, expected in (("en_US", english), ("fr_FR", french)):
                with self.subTest(needed=needed, left=left, lang=lang):
                    parts = Batch.with_context(lang=lang)._credit_shortage(needed, left)
                    joint = " but " if lang == "en_US" else " mais "
                    self.assertEqual(parts["needed"] + joint + parts["left"], expected)

    def _free_wizard(
        self, user, body="Comité de sélection lundi 9h, mairie.", numbers=None
    ):
        content = "TELEPHONE\n" + "\n".join(numbers or ["0612345678"]) + "\n"
        return (
            self.env["participant.sms.free"]
            .with_user(user)
            .create(
                {
                    "file": base64.b64encode(content.encode()),
                    "filename": "liste.csv",
                    "body": body,
                }
            )
        )

    def test_free_send_singular_and_plural(self):
        user = create_sms_user(self.env, "psms_screens_free", "group_sms_send_free")
        for numbers, english, french in (
            (["0612345678"], "1 SMS scheduled.", "1 SMS programmé."),
            (["0612345678", "0612345679"], "2 SMS scheduled.", "2 SMS programmés."),
        ):
            for lang, expected in (("en_US", english), ("fr_FR", french)):
                wizard = self._free_wizard(
                    user.with_context(lang=lang), numbers=numbers
                )
                wizard = wizard.with_context(lang=lang)
                wizard.action_preview()
                done = wizard.action_validate()
                self.assertEqual(done["params"]["message"], expected)

    def test_free_credit_shortage_in_the_singular(self):
        user = create_sms_user(self.env, "psms_screens_free2", "group_sms_send_free")
        self.package.quantity = 1
        wizard = self._free_wizard(user, numbers=["0612345678", "0612345679"])
        wizard.action_preview()
        for lang, expected in (
            (
                "en_US",
                "2 SMS credits are needed but only 1 remains: buy a package or "
                "untick recipients.",
            ),
            (
                "fr_FR",
                "2 crédits SMS sont nécessaires mais il n'en reste qu'un : achetez "
                "un forfait ou décochez des destinataires.",
            ),
        ):
            with self.subTest(lang=lang):
                # the batch and free wizards: one rule, one message (preview, Validate)
                self.assertEqual(wizard.with_context(lang=lang).credit_note, expected)
                with self.assertRaisesRegex(UserError, f"^{re.escape(expected)}$"):
                    wizard.with_context(lang=lang).action_validate()

    def test_one_sms_allowed_is_singular(self):
        """The free wizard refuses a text over the maximum with the engine's message
        (the one of every SMS), in the singular when one SMS is allowed."""
        self.company.psms_max_segments = 1
        user = create_sms_user(self.env, "psms_screens_free3", "group_sms_send_free")
        wizard = self._free_wizard(user, body="x" * 200)
        for lang, expected in (
            (
                "en_US",
                "The text needs 2 SMS (200 characters, GSM-7) but only 1 SMS per "
                "message is allowed. Shorten it.",
            ),
            (
                "fr_FR",
                "Le texte nécessite 2 SMS (200 caractères, GSM-7) mais un seul SMS "
                "est autorisé par message. Raccourcissez-le.",
            ),
        ):
            with self.subTest(lang=lang):
                with self.assertRaisesRegex(UserError, f"^{re.escape(expected)}$"):
                    wizard.with_context(lang=lang).action_preview()
                with self.assertRaisesRegex(UserError, f"^{re.escape(expected)}$"):
                    self.Sms.with_context(lang=lang)._prepare_text(
                        "x" * 200, self.company
                    )

    # -- cancel, not delete ------------------------------------------------------------
    def _arch(self, action_xmlid, view_type):
        action = self.env.ref(action_xmlid)
        views = [(view.view_id.id, view.view_mode) for view in action.view_ids]
        result = self.env["participant.sms"].with_context(lang="fr_FR").get_views(views)
        return etree.fromstring(result["views"][view_type]["arch"])

    def test_upcoming_sms_offer_cancel_not_delete(self):
        for xmlid in (
            "participant_sms.action_participant_sms_upcoming",
            "participant_sms.action_participant_sms_sent",
        ):
            for view_type in ("list", "form"):
                with self.subTest(action=xmlid, view=view_type):
                    arch = self._arch(xmlid, view_type)
                    self.assertEqual(arch.get("delete"), "0")
        listed = self._arch("participant_sms.action_participant_sms_upcoming", "list")
        (button,) = listed.xpath("//header/button[@name='action_cancel']")
        self.assertEqual(button.get("string"), "Annuler le SMS")
        self.assertIn("ne seront pas envoyés", button.get("confirm"))
        self.assertIn("Annulés", button.get("confirm"))
        form = self._arch("participant_sms.action_participant_sms_upcoming", "form")
        (button,) = form.xpath("//header/button[@name='action_cancel']")
        self.assertEqual(button.get("string"), "Annuler le SMS")
        self.assertIn("ne sera pas envoyé", button.get("confirm"))

    def test_cancel_keeps_the_sms_and_checks_rights(self):
        author = create_sms_user(
            self.env, "psms_screens_author", "group_sms_send_instant"
        )
        stranger = create_sms_user(
            self.env, "psms_screens_stranger", "group_sms_send_instant"
        )
        sms = self.queue(
            author_id=author.id, planned_at=fields.Datetime.now() + timedelta(days=1)
        )
        with self.assertRaises(AccessError):
            sms.with_user(stranger).action_cancel()
        self.assertEqual(sms.state, "queued")
        sms.with_user(author).action_cancel()
        self.assertTrue(sms.exists())
        self.assertEqual((sms.state, sms.cancelled_by_id), ("cancelled", author))
        with self.assertRaises(UserError):  # it is no longer to come
            sms.with_user(self.user_admin_sms).action_cancel()

    # -- the SMS administrator ---------------------------------------------------------
    def test_admin_sees_every_sms_menu(self):
        visible = (
            self.env["ir.ui.menu"].with_user(self.user_admin_sms)._visible_menu_ids()
        )
        for xmlid in (
            "menu_participant_sms_desk",
            "menu_participant_sms_dashboard",
            "menu_participant_sms_sent",
            "menu_participant_sms_upcoming",
            "menu_participant_sms_batch",
            "menu_participant_sms_free",
            "menu_participant_sms_replies",
            "menu_participant_sms_templates",
            "menu_participant_sms_automations",
            "menu_participant_sms_all",
            "menu_participant_sms_packages",
        ):
            with self.subTest(menu=xmlid):
                self.assertIn(self.env.ref(f"participant_sms.{xmlid}").id, visible)

    def test_admin_prepares_a_batch_but_needs_the_permission_to_send(self):
        admin = self.user_admin_sms
        self.assertFalse(admin.has_group("participant_sms.group_sms_send_batch"))
        wizard = (
            self.env["participant.sms.batch"]
            .with_user(admin)
            .create(
                {
                    "partner_ids": [(6, 0, self.participant.ids)],
                    "start": fields.Datetime.now() + timedelta(days=7),
                    "collaborator_id": admin.id,
                    "appointment_type_id": self.type_individual.id,
                    "theme_id": self.env.ref("participant_sms.theme_employment").id,
                    "body": "Réunion collective lundi à 10h.",
                }
            )
        )
        wizard.action_preview()
        self.assertEqual(wizard.state, "preview")
        self.assertEqual(len(wizard.line_ids), 1)
        self.assertFalse(wizard.send_allowed)
        for lang, permission in (
            ("en_US", "“SMS: batch”"),
            ("fr_FR", "« SMS : par lot »"),
        ):
            with self.assertRaisesRegex(AccessError, re.escape(permission)):
                wizard.with_context(lang=lang).action_validate()
        self.assertIn(
            "« SMS : par lot »", wizard.with_context(lang="fr_FR").send_permission_note
        )
        self.assertFalse(self.Sms.search([("origin", "=", "batch")]))
        self.assertFalse(
            self.env["calendar.event"].search([("name", "=", "Réunion collective")])
        )
        admin.groups_id |= self.env.ref("participant_sms.group_sms_send_batch")
        wizard.invalidate_recordset()
        self.assertTrue(wizard.send_allowed)
        wizard.action_validate()
        self.assertEqual(len(self.Sms.search([("origin", "=", "batch")])), 1)

    def test_admin_previews_a_free_send_but_needs_the_permission_to_send(self):
        wizard = self._free_wizard(self.user_admin_sms)
        wizard.action_preview()
        self.assertEqual(wizard.state, "preview")
        with self.assertRaisesRegex(AccessError, re.escape("« SMS : libre »")):
            wizard.with_context(lang="fr_FR").action_validate()
        self.assertFalse(self.Sms.search([("origin", "=", "free")]))

    def test_a_user_without_any_right_prepares_nothing(self):
        with self.assertRaises(AccessError):
            self._free_wizard(self.user_instant)


@tagged("post_install", "-at_install")
class TestSmsScreensUi(HttpCase):
    """The SMS lists in French, in Chromium, at the two screen sizes of the issue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_french(cls.env)
        cls.env.company.write(
            {
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
                "psms_account_id": False,
                "psms_enforce_packages": False,
            }
        )
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.write(
            {
                "lang": "fr_FR",
                "groups_id": [(4, cls.env.ref("participant_sms.group_sms_admin").id)],
            }
        )
        participant = cls.env["res.partner"].create(
            {
                "name": "Screens PARTICIPANT",
                "is_participant": True,
                "mobile": "+33 6 20 30 40 51",
                "participant_referent_id": cls.admin.id,
            }
        )
        Sms = cls.env["participant.sms"].sudo()
        tomorrow = fields.Datetime.now() + timedelta(days=1)
        cls.upcoming = Sms._queue(
            [
                {
                    "origin": "instant",
                    "partner_id": participant.id,
                    "planned_at": tomorrow,
                    "body": "Rappel : entretien demain à 9h30.",
                }
            ]
        )
        sent = Sms._queue(
            [
                {
                    "origin": "free",
                    "context_type": "free",
                    "number": number,
                    "body": "Information : salon de l'emploi jeudi.",
                }
                for number in ("+33610101011", "+33610101012", "+33610101013")
            ]
        )
        now = fields.Datetime.now()
        for sms, state in zip(sent, ("not_received", "unknown", "sent"), strict=False):
            sms.write({"state": state, "sent_at": now})

    def test_lists_fit_the_screen(self):
        for size in ("1366x768", "1440x900"):
            for xmlid in (
                "action_participant_sms_sent",
                "action_participant_sms_upcoming",
                "action_participant_sms_all",
            ):
                with self.subTest(size=size, action=xmlid):
                    self.browser_size = size
                    self.start_tour(
                        f"/odoo/action-participant_sms.{xmlid}",
                        "participant_sms_list_fit_tour",
                        login="admin",
                    )

    def test_cancel_from_upcoming_sms(self):
        self.start_tour(
            "/odoo/action-participant_sms.action_participant_sms_upcoming",
            "participant_sms_cancel_upcoming_tour",
            login="admin",
        )
        self.assertEqual(self.upcoming.state, "cancelled")
        self.assertEqual(self.upcoming.cancelled_by_id, self.admin)
