# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The social worker's day in French, one Chromium tour per role (issue 17, item 7).

Each tour walks a role's path in a French web client (1440x900) and asserts the French
labels it goes through; at its key steps it asks for a screenshot (a
``psms-screenshot:<name>`` console line), which the test takes through the Chrome
DevTools protocol before the tour goes on.

Invariants kept:
- every screenshot a tour asks for is taken, is a PNG Chromium encoded, and is 1440x900;
- the screenshots are written to static/description/ (the README's pictures) only when
  the environment variable PSMS_SCREENSHOTS is 1 (scripts/screenshots.sh); otherwise to
  a temporary folder, so a normal test run never rewrites the committed files;
- what each role did in the browser is what the database holds afterwards (the batch's
  SMS, the referent's reminder); the user without a send permission changes nothing.
"""

import base64
import io
import json
import logging
import os
import pathlib
import re
import tempfile
from concurrent.futures import CancelledError
from datetime import datetime, time, timedelta
from unittest.mock import patch

import pytz
from PIL import Image

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests import common as tests_common

_logger = logging.getLogger(__name__)

SHOT_PREFIX = "psms-screenshot:"
WIDTH, HEIGHT = 1440, 900
DESCRIPTION_DIR = (
    pathlib.Path(__file__).resolve().parent.parent / "static" / "description"
)
#: the screenshots each tour takes, which are the README's pictures (readme/USAGE.md)
SHOTS = {
    "referent": ["referent_participant", "referent_reminder", "referent_my_sms"],
    "secretary": ["secretary_batch", "secretary_batch_preview"],
    "reader": ["reader_reminder", "reader_sms_menu"],
    "admin": ["admin_dashboard", "admin_sent", "admin_templates", "admin_settings"],
}
FRENCH_MODULES = [
    "base",
    "base_setup",
    "web",
    "mail",
    "calendar",
    "sms",
    "phone_validation",
    "calendar_sms",
    "contacts",
    "participant_sms",
]


class ScreenshotBrowser(tests_common.ChromeBrowser):
    """Odoo's test browser, at exactly 1440x900 CSS pixels in Paris time, that takes a
    screenshot when the page logs ``psms-screenshot:<name>`` and then sets
    ``window.__psmsShot = <name>`` (the tour step waits for it, so the page does not
    change while it is captured)."""

    def __init__(self, test_case, *args, **kwargs):
        super().__init__(test_case, *args, **kwargs)
        self._websocket_request(
            "Emulation.setDeviceMetricsOverride",
            params={
                "width": WIDTH,
                "height": HEIGHT,
                "deviceScaleFactor": 1,
                "mobile": False,
            },
        )
        # the users' zone: the browser shows the times they type, as in a French office
        self._websocket_request(
            "Emulation.setTimezoneOverride", params={"timezoneId": "Europe/Paris"}
        )

    def _handle_console(self, type, args=None, stackTrace=None, **kw):  # pylint: disable=redefined-builtin
        if type == "log" and args:
            first = str(self._from_remoteobject(args[0]))
            if first.startswith(SHOT_PREFIX):
                self._psms_capture(first[len(SHOT_PREFIX) :])
        return super()._handle_console(type, args=args, stackTrace=stackTrace, **kw)

    def _psms_capture(self, name):
        shots = self.test_case.psms_shots

        def captured(future):
            try:
                shots[name] = base64.b64decode(
                    future.result(timeout=0)["data"], validate=True
                )
            except (
                tests_common.ChromeBrowserException,
                CancelledError,
                KeyError,
                ValueError,
            ) as error:  # the test asserts the shot afterwards
                _logger.warning("screenshot %s not taken: %s", name, error)
                shots[name] = b""
            self._websocket_send(
                "Runtime.evaluate",
                params={"expression": f"window.__psmsShot = {json.dumps(name)};"},
            )

        future = self._websocket_send(
            "Page.captureScreenshot", params={"format": "png"}, with_future=True
        )
        future.add_done_callback(captured)


@tagged("post_install", "-at_install")
class TestRoleToursUi(HttpCase):
    browser_size = f"{WIDTH}x{HEIGHT}"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        installed = (
            cls.env["ir.module.module"]
            .search([("name", "in", FRENCH_MODULES), ("state", "=", "installed")])
            .mapped("name")
        )
        cls.env["ir.module.module"]._load_module_terms(
            installed, ["fr_FR"], overwrite=True
        )
        cls.company = cls.env.company
        cls.company.write(
            {
                "psms_window_start": 0.0,
                "psms_window_end": 24.0,
                "psms_account_id": False,
                "psms_enforce_packages": False,
            }
        )
        cls.company.partner_id.lang = "fr_FR"
        cls.env["participant.sms.automation"].search([]).action_archive()
        cls.env["participant.sms.package"].create(
            {"name": "Forfait 2 000 SMS", "quantity": 2000}
        )

        def user(login, name, *groups):
            return new_test_user(
                cls.env,
                login=login,
                name=name,
                lang="fr_FR",
                tz="Europe/Paris",
                groups=",".join(groups),
            )

        cls.referent = user(
            "psms_role_referent",
            "Sophie Lambert",
            "participant_sms.group_sms_send_scheduled",
            "participant_sms.group_sms_send_instant",
        )
        cls.secretary = user(
            "psms_role_secretary",
            "Nathalie Roux",
            "participant_sms.group_sms_send_batch",
        )
        cls.reader = user(
            "psms_role_reader", "Marc Dubois", "participant_sms.group_participant_user"
        )
        cls.sms_admin = user(
            "psms_role_admin",
            "Claire Fontaine",
            "participant_sms.group_sms_admin",
            "base.group_system",
        )

        Partner = cls.env["res.partner"].with_context(tracking_disable=True)
        cls.participants = Partner.create(
            [
                {
                    "name": name,
                    "is_participant": True,
                    "mobile": mobile,
                    "lang": "fr_FR",
                    "participant_file_number": number,
                    "participant_referent_id": cls.referent.id,
                }
                for name, mobile, number in (
                    ("Amina BENALI", "+33 6 12 34 56 01", "DOS-2026-101"),
                    ("Lucas MOREAU", "+33 6 12 34 56 02", "DOS-2026-102"),
                    ("Inès GARNIER", "+33 6 12 34 56 03", "DOS-2026-103"),
                )
            ]
        )
        cls.saved_list = cls.env["participant.list"].create(
            {
                "name": "Atelier CV de mars",
                "partner_ids": [fields.Command.set(cls.participants.ids)],
            }
        )
        cls.workshop_type = cls.env["participant.appointment.type"].create(
            {"name": "Atelier collectif"}
        )
        cls.workshop_theme = cls.env["participant.appointment.theme"].create(
            {"name": "Candidatures et CV"}
        )
        cls.batch_template = cls.env["participant.sms.template"].create(
            {
                "name": "Invitation à l'atelier CV",
                "template_type": "batch",
                "body": "Bonjour {{first_name}}, nous vous invitons à l'atelier CV le "
                "{{weekday}} "
                "{{date}} à {{time}} : {{location}}.",
            }
        )
        # in four days at 10:00, Paris time
        day = fields.Date.today() + timedelta(days=4)
        start = (
            pytz.timezone("Europe/Paris")
            .localize(datetime.combine(day, time(10, 0)))
            .astimezone(pytz.utc)
            .replace(tzinfo=None)
        )
        cls.appointment = (
            cls.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Entretien de suivi",
                    "participant_id": cls.participants[0].id,
                    "participant_collaborator_id": cls.referent.id,
                    "participant_appointment_type_id": cls.env.ref(
                        "participant_sms.appointment_type_follow_up"
                    ).id,
                    "participant_theme_id": cls.env.ref(
                        "participant_sms.theme_employment"
                    ).id,
                    "location": "Mairie annexe, bureau 4",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                }
            )
        )

    def setUp(self):
        super().setUp()
        self.psms_shots = {}

    def _tour(self, tour, url, login, shots):
        """Run ``tour`` as ``login`` and check (and keep) the screenshots named
        ``shots``."""
        with patch.object(tests_common, "ChromeBrowser", ScreenshotBrowser):
            self.start_tour(url, tour, login=login, timeout=180)
        self.assertEqual(
            sorted(self.psms_shots), sorted(shots), "every screenshot was taken"
        )
        if os.environ.get("PSMS_SCREENSHOTS") == "1":
            target = DESCRIPTION_DIR
        else:
            target = pathlib.Path(tempfile.mkdtemp(prefix="psms_screenshots_"))
        for name in shots:
            data = self.psms_shots[name]
            self.assertTrue(data.startswith(b"\x89PNG\r\n\x1a\n"), f"{name}: a PNG")
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                self.assertEqual(image.size, (WIDTH, HEIGHT), f"{name}: 1440x900")
            path = target / f"screenshot_{name}.png"
            self._save_small(data, path)
            _logger.info(
                "screenshot %s: %s (%s bytes)", name, path, path.stat().st_size
            )

    @staticmethod
    def _save_small(data, path):
        """A screen of the web client holds few colours: a 256-colour palette keeps it
        sharp at a third of the size (the README's pictures stay small in the
        repository)."""
        with Image.open(io.BytesIO(data)) as image:
            small = image.convert("RGB").quantize(
                colors=256, method=Image.Quantize.MEDIANCUT
            )
            small.save(path, format="PNG", optimize=True)
        with Image.open(path) as saved:
            saved.load()
            assert saved.size == (WIDTH, HEIGHT)

    def test_secretary_batch_tour(self):
        """The secretary sends a batch SMS from the Batch SMS menu: list, details,
        preview, validate; one SMS per participant of the list, theirs."""
        self._tour(
            "participant_sms_role_secretary_tour",
            "/odoo/action-participant_sms.action_participants",
            "psms_role_secretary",
            SHOTS["secretary"],
        )
        messages = self.env["participant.sms"].search(
            [("origin", "=", "batch"), ("partner_id", "in", self.participants.ids)]
        )
        self.assertEqual(len(messages), 3)
        self.assertEqual(messages.author_id, self.secretary)
        self.assertEqual(len(set(messages.mapped("batch_ref"))), 1)
        for body in messages.mapped("body"):
            self.assertTrue(body.startswith("Bonjour "), body)
            self.assertIn(
                " à 14:00 : Maison de l'emploi, salle 2.",
                body,
                "the time typed in Paris is the time in the SMS",
            )

    def test_reader_tour(self):
        """A user with only Participants / User opens an appointment: the reminder
        cannot be changed; the SMS menu has no send menu."""
        self._tour(
            "participant_sms_role_reader_tour",
            "/odoo/action-participant_sms.action_participant_appointments?view_type=list",
            "psms_role_reader",
            SHOTS["reader"],
        )
        self.assertFalse(self.appointment.sms_reminder)
        self.assertFalse(self.appointment.sms_reminder_sms_id)

    def test_sms_admin_tour(self):
        """The SMS administrator: dashboard, sent SMS, templates, the credit in the
        settings."""
        Sms = self.env["participant.sms"]
        texts = [
            "Bonjour Amina, rappel de votre entretien jeudi à 10h00.",
            "Bonjour Lucas, rappel de votre entretien vendredi à 14h30.",
            "Bonjour Inès, l'atelier CV a lieu lundi à 9h30, salle 2.",
        ]
        Sms._queue(
            [
                {
                    "origin": "free",
                    "context_type": "free",
                    "partner_id": partner.id,
                    "number": partner.mobile,
                    "body": text,
                }
                for partner, text in zip(self.participants, texts, strict=False)
            ]
        )
        dispatcher = self.env["participant.sms.dispatcher"]
        dispatcher._cron_dispatch()
        dispatcher._cron_poll_statuses()
        dispatcher._cron_poll_statuses()
        self._tour(
            "participant_sms_role_admin_tour",
            "/odoo/action-participant_sms.action_participants",
            "psms_role_admin",
            SHOTS["admin"],
        )

    def test_referent_reminder_tour(self):
        """The referent switches the reminder of their participant's appointment on,
        reads the text, saves: the reminder SMS is queued with that text, theirs, and
        shown in My SMS."""
        self._tour(
            "participant_sms_role_referent_tour",
            "/odoo/action-participant_sms.action_participants",
            "psms_role_referent",
            SHOTS["referent"],
        )
        sms = self.appointment.sms_reminder_sms_id
        self.assertTrue(self.appointment.sms_reminder)
        self.assertEqual(sms.state, "queued")
        self.assertEqual(sms.author_id, self.referent)
        self.assertEqual(sms.origin, "scheduled")
        self.assertIn("BENALI", sms.body)
        self.assertTrue(
            sms.body.startswith("Bonjour"), "the text is the French template's"
        )

    def test_readme_pictures(self):
        """The README's usage pictures are exactly the tours' screenshots, all
        committed."""
        usage = (DESCRIPTION_DIR.parent.parent / "readme" / "USAGE.md").read_text(
            encoding="utf-8"
        )
        pictures = set(
            re.findall(r"\(static/description/screenshot_(\w+)\.png\)", usage)
        )
        self.assertEqual(pictures, {name for names in SHOTS.values() for name in names})
        for name in pictures:
            with Image.open(DESCRIPTION_DIR / f"screenshot_{name}.png") as image:
                self.assertEqual(image.size, (WIDTH, HEIGHT), name)
