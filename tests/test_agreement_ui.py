# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.base.models import ir_actions_report

from .test_agreement import DRAW, PDF
from .test_role_tours import FRENCH_MODULES


@tagged("post_install", "-at_install")
class TestAgreementUi(HttpCase):
    """A referent collects an agreement by SMS code, in French, in a real browser."""

    def setUp(self):
        super().setUp()
        self.env["res.lang"]._activate_lang("fr_FR")
        installed = (
            self.env["ir.module.module"]
            .search([("name", "in", FRENCH_MODULES), ("state", "=", "installed")])
            .mapped("name")
        )
        self.env["ir.module.module"]._load_module_terms(
            installed, ["fr_FR"], overwrite=True
        )
        self.env.company.write(
            {
                "psms_account_id": False,
                "psms_enforce_packages": False,
                "psms_max_segments": 1,
            }
        )
        self.env.company.partner_id.lang = "fr_FR"
        referent = new_test_user(
            self.env,
            login="psms_agreement_referent",
            name="Sophie Lambert",
            lang="fr_FR",
            tz="Europe/Paris",
            groups="participant_sms.group_sms_send_instant",
        )
        participant = self.env["res.partner"].create(
            {
                "name": "Amina BENALI",
                "is_participant": True,
                "mobile": "+33 6 12 34 56 01",
                "lang": "fr_FR",
                "participant_file_number": "DOS-2026-101",
                "participant_referent_id": referent.id,
            }
        )
        self.participant, self.referent = participant, referent
        self.document = self.env["participant.document"].create(
            {
                "name": "CER du 12/03",
                "document_type_id": self.env.ref(
                    "participant_sms.document_type_cer"
                ).id,
                "date": "2026-03-12",
                "participant_id": participant.id,
                "file": base64.b64encode(PDF),
                "file_name": "cer.pdf",
            }
        )

    def test_agreement_tour(self):
        document, referent = self.document, self.referent
        with patch(f"{DRAW}.randbelow", return_value=482913):
            self.start_tour(
                "/odoo/action-participant_sms.action_participants/"
                f"{self.participant.id}",
                "participant_sms_agreement_tour",
                login=referent.login,
            )
        agreement = document.agreement_id
        self.assertEqual(agreement.mode, "sms")
        self.assertEqual(agreement.user_id, referent)
        self.assertEqual(agreement.number, "+33612345601")
        self.assertEqual(document.attempt_ids.wrong_codes, 1)
        self.assertTrue(agreement.ip_address, "the request's address is recorded")
        self.assertIn("Votre code pour accepter", document.attempt_ids.sms_id.body)

    def test_certificate_pdf(self):
        """The certificate of an agreement on paper is a real PDF, in French (here
        rendered by wkhtmltopdf, which fetches its styles from the server)."""
        if ir_actions_report.wkhtmltopdf_state != "ok":
            self.skipTest("wkhtmltopdf is not installed (scripts/test.sh installs it)")
        self.document.with_user(self.referent)._agreement_record_paper("accepted")
        report = self.env.ref("participant_sms.action_report_participant_agreement")
        agreement = self.document.agreement_id
        html = report._render_qweb_html(report.report_name, agreement.ids)[0].decode()
        self.assertIn("Attestation", html)
        self.assertIn(agreement.document_sha256, html)
        pdf, kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, agreement.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
