# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""RGPD: retention (R1–R3 of models/participant_sms_privacy.py), tried on many random
sets of SMS and replies (Hypothesis, one savepoint per example), the right of access
(R4: the SMS history .xlsx, by HTTP), and consent changes recorded with their source and
author."""

import io
from datetime import datetime, timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..models import participant_sms_privacy as privacy_module
from ..models.participant_sms_privacy import ANONYMISED
from ..models.participant_sms_selections import FINAL_STATES, STATES
from ..tools.providers import InboundReply
from .common import orm_examples
from .common_sms import SmsCommon

NOW = datetime(2026, 11, 25, 3, 0)
STATS = (
    "state",
    "segments",
    "credits",
    "context_type",
    "origin",
    "planned_at",
    "sent_at",
    "status_at",
    "author_id",
    "res_model",
    "res_id",
    "partner_id",
)

an_sms = st.fixed_dictionaries(
    {
        "age_days": st.integers(0, 1500),
        "state": st.sampled_from([code for code, _label in STATES]),
        "company": st.integers(0, 1),
        "replies": st.integers(0, 2),
    }
)


@tagged("post_install", "-at_install")
class TestRetention(SmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Antenne Sud"})
        cls.companies = cls.company | cls.other_company

    def _make(self, spec):
        company = self.companies[spec["company"]]
        when = NOW - timedelta(days=spec["age_days"])
        sms = (
            self.Sms.sudo()
            .with_company(company)
            ._queue(
                [
                    {
                        "origin": "free",
                        "context_type": "free",
                        "number": "+33612345678",
                        "partner_id": self.participant.id,
                        "body": "Bonjour, votre RDV.",
                        "planned_at": when,
                        "company_id": company.id,
                    }
                ]
            )
        )
        values = {"state": spec["state"], "status_at": when}
        if spec["state"] != "queued":
            values.update(sent_at=when, credits=1)
        sms.write(values)
        for index in range(spec["replies"]):
            self.env["participant.sms.reply"].sudo().create(
                {
                    "account_id": self.simulator.id,
                    "inbound_id": f"in-{sms.id}-{index}",
                    "number": "+33612345678",
                    "text": "OUI",
                    "sms_id": sms.id,
                    "partner_id": self.participant.id,
                    "received_at": when,
                }
            )
        return sms

    @orm_examples(60)
    @given(
        st.lists(an_sms, min_size=1, max_size=12),
        st.sampled_from([0, 12, 24, 36]),
        st.sampled_from([0, 12, 24, 36]),
    )
    def test_retention_invariants(self, specs, months_a, months_b):
        # the previous example was rolled back under the cache
        self.env.invalidate_all()
        with freeze_time(NOW), self.env.cr.savepoint(flush=False) as savepoint:
            self.company.psms_retention_months = months_a
            self.other_company.psms_retention_months = months_b
            messages = self.Sms.browse([self._make(spec).id for spec in specs])
            before = {sms.id: tuple(sms[name] for name in STATS) for sms in messages}
            self.Sms._cron_anonymize()
            first = {sms.id: (sms.body, sms.number) for sms in messages}
            self.Sms._cron_anonymize()  # R3: idempotent
            for sms in messages:
                self.assertEqual((sms.body, sms.number), first[sms.id])
                self.assertEqual(
                    tuple(sms[name] for name in STATS),
                    before[sms.id],
                    "R1: what the statistics use stays",
                )
                months = sms.company_id.psms_retention_months
                old = months and sms.planned_at < NOW - relativedelta(months=months)
                expired = old and sms.state in FINAL_STATES
                self.assertEqual(
                    bool(sms.anonymized_at), bool(expired), (months, sms.state)
                )
                if expired:  # R1
                    self.assertEqual((sms.body, sms.number), (ANONYMISED, ANONYMISED))
                    for reply in sms.reply_ids:
                        self.assertEqual(
                            (reply.text, reply.number), (ANONYMISED, ANONYMISED)
                        )
                else:  # R2: pending or recent SMS keep everything
                    self.assertEqual(
                        (sms.body, sms.number), ("Bonjour, votre RDV.", "+33612345678")
                    )
                if not months:
                    self.assertEqual(
                        sms.reply_ids.mapped("text"), ["OUI"] * len(sms.reply_ids)
                    )
            savepoint.close(rollback=True)

    def test_a_pending_sms_is_never_anonymised_and_the_count_is_logged(self):
        self.company.psms_retention_months = 12
        with freeze_time(NOW):
            old_queued = self._make(
                {"age_days": 900, "state": "queued", "company": 0, "replies": 0}
            )
            old_sent = self._make(
                {"age_days": 900, "state": "sent", "company": 0, "replies": 0}
            )
            old_done = self._make(
                {"age_days": 900, "state": "delivered", "company": 0, "replies": 1}
            )
            # the module's logger itself, whatever the runner's logging configuration
            # (pytest-odoo's leaves the addon's loggers at CRITICAL)
            with patch.object(privacy_module, "_logger") as logger:
                self.assertEqual(self.Sms._cron_anonymize(), (1, 1))
        logged = [call.args[0] % call.args[1:] for call in logger.info.call_args_list]
        self.assertIn("SMS retention: 1 SMS and 1 replies anonymised", logged)
        self.assertEqual(old_queued.body, "Bonjour, votre RDV.")
        self.assertEqual(old_sent.body, "Bonjour, votre RDV.")
        self.assertEqual(old_done.body, ANONYMISED)
        self.assertNotIn("+336", str(logger.mock_calls), "no personal data in the log")

    def test_the_notes_and_the_reply_theme_quoting_an_old_sms_are_anonymised_too(self):
        self.company.psms_retention_months = 24
        sms = self.queue(
            reply_enabled=True, body="Rappel : l'entretien de jeudi\nchez Mme Martin."
        )
        self.Dispatcher._cron_dispatch()
        self.Dispatcher._cron_poll_statuses()
        self.Dispatcher._cron_poll_statuses()
        self.assertEqual(sms.state, "delivered")
        (reply,) = (
            self.env["participant.sms.reply"]
            .sudo()
            ._process(
                self.simulator,
                [InboundReply("old-1", sms.number, "Je viendrai avec mon fils", "")],
            )
        )
        bodies = lambda: " ".join(self.event.message_ids.mapped("body"))  # noqa: E731
        self.assertIn("Mme Martin", bodies())
        self.assertIn("Je viendrai avec mon fils", bodies())
        line = self.event.participant_theme_line_ids.filtered("reply_id")
        self.assertIn("Je viendrai", line.synthesis)
        with freeze_time(datetime.now() + relativedelta(months=25)):
            sms_done, replies_done = self.Sms._cron_anonymize()
        self.assertGreaterEqual(min(sms_done, replies_done), 1)
        self.env.invalidate_all()
        self.assertNotIn("Mme Martin", bodies())
        self.assertNotIn("Je viendrai", bodies())
        self.assertIn("anonymised", bodies())
        self.assertTrue(line.synthesis.endswith(ANONYMISED))
        self.assertIn("Reply received on", line.synthesis, "the date and time stay")
        self.assertEqual((reply.text, sms.body), (ANONYMISED, ANONYMISED))

    def test_the_cron_is_daily_and_runs(self):
        """The cron runs the retention, committing as a cron (its code asks for it; run
        here without commits, as a test must)."""
        cron = self.env.ref("participant_sms.ir_cron_sms_anonymize")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        self.assertEqual(cron.code, "model._cron_anonymize(auto_commit=True)")
        self.company.psms_retention_months = 12
        with freeze_time(NOW):
            sms = self._make(
                {"age_days": 400, "state": "failed", "company": 0, "replies": 0}
            )
            self.env[cron.model_id.model]._cron_anonymize()
        self.assertEqual(sms.number, ANONYMISED)


@tagged("post_install", "-at_install")
class TestConsentSource(SmsCommon):
    def test_form_stop_and_import_are_recorded_with_their_author(self):
        partner = self.participant.with_user(self.user_participant)
        partner.accepts_sms = False
        partner.accepts_sms = False  # no change: nothing recorded
        change = self.participant.participant_consent_ids
        self.assertEqual(len(change), 1)
        self.assertEqual(
            (change.source, change.author_id, change.accepts_sms),
            ("form", self.user_participant, False),
        )
        self.participant.with_context(psms_consent_source="stop").accepts_sms = True
        last = self.env["participant.sms.consent"].search(
            [("partner_id", "=", self.participant.id)], order="id desc", limit=1
        )
        self.assertEqual((last.source, last.accepts_sms), ("stop", True))
        imported = (
            self.env["res.partner"]
            .with_context(import_file=True)
            .create(
                {
                    "name": "Imported REFUSES",
                    "is_participant": True,
                    "accepts_sms": False,
                }
            )
        )
        self.assertEqual(imported.participant_consent_ids.source, "import")
        created = self.env["res.partner"].create(
            {"name": "New", "is_participant": True}
        )
        self.assertFalse(
            created.participant_consent_ids, "accepting by default is no change"
        )

    @orm_examples(40)
    @given(
        st.lists(
            st.tuples(
                st.booleans(),
                st.sampled_from(["form", "stop", "import"]),
                st.sampled_from(["user", "manager"]),
            ),
            max_size=8,
        )
    )
    def test_c1_one_line_per_real_change_in_order(self, steps):
        """C1: whatever sequence of edits, the history has one line per real change, in
        order, with its source and author, and its last line is the current consent."""
        self.env.invalidate_all()
        with self.env.cr.savepoint(flush=False) as savepoint:
            users = {"user": self.user_participant, "manager": self.user_admin_sms}
            partner = self.env["res.partner"].create(
                {"name": "Consent PARTICIPANT", "is_participant": True}
            )
            expected, current = [], True
            for accepts, source, who in steps:
                context = (
                    {"import_file": True}
                    if source == "import"
                    else ({"psms_consent_source": "stop"} if source == "stop" else {})
                )
                partner.with_user(users[who]).with_context(**context).write(
                    {"accepts_sms": accepts}
                )
                if accepts != current:
                    expected.append((accepts, source, users[who]))
                    current = accepts
            lines = self.env["participant.sms.consent"].search(
                [("partner_id", "=", partner.id)], order="id"
            )
            self.assertEqual(
                [(line.accepts_sms, line.source, line.author_id) for line in lines],
                expected,
            )
            self.assertEqual(
                partner.accepts_sms, lines[-1:].accepts_sms if lines else True
            )
            savepoint.close(rollback=True)

    def test_the_history_cannot_be_edited(self):
        self.participant.accepts_sms = False
        change = self.participant.participant_consent_ids
        with self.assertRaises(AccessError):
            change.with_user(self.user_participant).write({"source": "import"})
        with self.assertRaises(AccessError):
            change.with_user(self.user_participant).unlink()


@tagged("post_install", "-at_install")
class TestSmsHistoryExport(HttpCase):
    def setUp(self):
        super().setUp()
        self.env.company.write(
            {
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
                "psms_enforce_packages": False,
            }
        )
        Partner = self.env["res.partner"]
        self.person = Partner.create(
            {
                "name": "Marie CURIE",
                "is_participant": True,
                "mobile": "+33 6 12 34 56 78",
            }
        )
        self.other = Partner.create(
            {
                "name": "Other PERSON",
                "is_participant": True,
                "mobile": "+33 6 12 34 56 79",
            }
        )
        Sms = self.env["participant.sms"]
        self.sms = Sms._queue(
            [
                {
                    "origin": "free",
                    "context_type": "free",
                    "partner_id": partner.id,
                    "body": f"Bonjour {partner.name}",
                }
                for partner in (self.person, self.person, self.other)
            ]
        )
        self.env["participant.sms.reply"].create(
            {
                "account_id": self.env.ref("participant_sms.sms_account_simulator").id,
                "inbound_id": "h-1",
                "number": "+33612345678",
                "text": "Merci",
                "sms_id": self.sms[0].id,
                "partner_id": self.person.id,
            }
        )
        self.manager = new_test_user(
            self.env,
            login="psms_history_mgr",
            password="psms_history_mgr",
            groups="base.group_user,participant_sms.group_participant_manager",
        )
        self.user = new_test_user(
            self.env,
            login="psms_history_usr",
            password="psms_history_usr",
            groups="base.group_user,participant_sms.group_participant_user",
        )

    def test_history_holds_every_sms_and_reply_of_the_person_only(self):
        self.authenticate("psms_history_mgr", "psms_history_mgr")
        action = self.person.with_user(self.manager).action_export_sms_history()
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-store", response.headers["Cache-Control"])
        book = load_workbook(io.BytesIO(response.content))
        sms_sheet, reply_sheet, agreement_sheet = book.worksheets
        self.assertEqual(agreement_sheet.max_row, 1, "no agreement: the header only")
        rows = list(sms_sheet.iter_rows(values_only=True))
        texts = [row[3] for row in rows[1:]]
        self.assertEqual(texts, ["Bonjour Marie CURIE"] * 2)
        replies = list(reply_sheet.iter_rows(values_only=True))
        self.assertEqual([row[2] for row in replies[1:]], ["Merci"])

    @mute_logger("odoo.http")
    def test_only_managers_and_sms_admins_may_export(self):
        with self.assertRaises(AccessError):
            self.person.with_user(self.user).action_export_sms_history()
        self.authenticate("psms_history_usr", "psms_history_usr")
        response = self.url_open(f"/participant_sms/history/{self.person.id}")
        self.assertEqual(response.status_code, 403)

    def test_headers_are_french_when_french_is_installed(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search(
            [("name", "=", "participant_sms")]
        )._update_translations(["fr_FR"])
        data = self.env["participant.sms.privacy"]._history_xlsx(self.person)
        book = load_workbook(io.BytesIO(data))
        header = next(book.worksheets[0].iter_rows(values_only=True))
        self.assertEqual(header[0], "Envoi prévu")
        self.assertEqual(book.worksheets[1].title, "Réponses")
