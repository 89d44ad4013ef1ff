# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who sees what (README, "Who sees what"), tried as every kind of user of a shared
database.

W1. Installing the addon hurts no user: every internal user whatever their groups,
    portal and public users and users of another company log in, get their session and
    open Calendar and Contacts.
W2. A participant's file, steps, orientations, SMS and replies are read only by the
    Participants groups (SMS administrators imply them), within their companies.
W3. Other employees see a participant's appointment as busy time only: never the
    participant, the name, the reminder text, the synthesis or the outcome; they never
    change it.
"""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

#: what another employee may know of a participant's appointment (calendar's public
#: fields)
MARK = "ZQX-SECRET-4471"


@tagged("post_install", "-at_install")
class TestWhoSeesWhat(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company_a = env.company
        cls.company_a.write({"psms_window_start": 0.0, "psms_window_end": 24.0})
        cls.company_b = env["res.company"].create({"name": "Other département"})
        both = [cls.company_a.id, cls.company_b.id]
        user = "base.group_user"
        profiles = {
            "psms_w_internal": user,
            "psms_w_user": f"{user},participant_sms.group_participant_user",
            "psms_w_manager": f"{user},participant_sms.group_participant_manager",
            "psms_w_admin": f"{user},participant_sms.group_sms_admin",
            "psms_w_instant": f"{user},participant_sms.group_sms_send_instant",
            "psms_w_scheduled": f"{user},participant_sms.group_sms_send_scheduled",
            "psms_w_batch": f"{user},participant_sms.group_sms_send_batch",
            "psms_w_free": f"{user},participant_sms.group_sms_send_free",
            "psms_w_portal": "base.group_portal",
        }
        cls.users = {
            login: mail_new_test_user(
                env,
                login=login,
                name=login.replace("_", " ").title(),
                password=login + "-pw",
                groups=groups,
                company_id=cls.company_a.id,
                company_ids=[(6, 0, [cls.company_a.id])],
            )
            for login, groups in profiles.items()
        }
        cls.users["psms_w_other_company"] = mail_new_test_user(
            env,
            login="psms_w_other_company",
            password="psms_w_other_company-pw",
            name="Other Company Worker",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, [cls.company_b.id])],
            groups=f"{user},participant_sms.group_sms_admin",
        )
        cls.users["psms_w_both"] = mail_new_test_user(
            env,
            login="psms_w_both",
            password="psms_w_both-pw",
            name="Both Companies",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, both)],
            groups=f"{user},participant_sms.group_participant_user",
        )
        collaborator = cls.users["psms_w_scheduled"]
        cls.participant = env["res.partner"].create(
            {
                "name": f"Nadia {MARK}",
                "is_participant": True,
                "mobile": "+33 6 12 34 56 78",
                "participant_file_number": MARK,
                "participant_referent_id": collaborator.id,
            }
        )
        start = (fields.Datetime.now() + timedelta(days=3)).replace(
            hour=10, minute=0, second=0
        )
        cls.event = (
            env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": f"RSA interview {MARK}",
                    "participant_id": cls.participant.id,
                    "participant_collaborator_id": collaborator.id,
                    "location": "Office 3",
                    "partner_ids": [(6, 0, [collaborator.partner_id.id])],
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "participant_synthesis": f"<p>Synthesis {MARK}</p>",
                    "description": f"<p>{MARK}</p>",
                    "sms_reminder": True,
                    "sms_reminder_days": "1",
                    "sms_reminder_body": f"Reminder {MARK}",
                }
            )
        )
        cls.colleague_event = env["calendar.event"].create(
            {
                "name": "Team meeting",
                "start": start,
                "stop": start + timedelta(hours=1),
                "partner_ids": [(6, 0, [collaborator.partner_id.id])],
            }
        )
        cls.step = env["participant.step"].create(
            {
                "participant_id": cls.participant.id,
                "planned_start": start,
                "step_type_id": env.ref("participant_sms.step_type_training").id,
            }
        )
        cls.orientation = env["participant.orientation"].create(
            {
                "participant_id": cls.participant.id,
                "planned_date": start,
                "orientation_type_id": env.ref(
                    "participant_sms.orientation_type_france_travail"
                ).id,
            }
        )
        cls.sms = cls.event.sms_reminder_sms_id
        cls.reply = (
            env["participant.sms.reply"]
            .sudo()
            .create(
                {
                    "number": cls.participant.mobile,
                    "text": f"OUI {MARK}",
                    "sms_id": cls.sms.id,
                    "account_id": cls.sms.account_id.id,
                    "inbound_id": MARK,
                    "partner_id": cls.participant.id,
                    "event_id": cls.event.id,
                    "received_at": fields.Datetime.now(),
                }
            )
        )

    def followers(self):
        return [
            login
            for login in self.users
            if login not in ("psms_w_internal", "psms_w_portal", "psms_w_other_company")
        ]

    # -- W1 ----------------------------------------------------------------------------
    def test_every_user_logs_in_and_opens_calendar_and_contacts(self):
        for login in self.users:
            with self.subTest(login=login):
                self.authenticate(login, login + "-pw")
                info = self.make_jsonrpc_request("/web/session/get_session_info", {})
                self.assertEqual(info["uid"], self.users[login].id)
                self.assertIn("psms_simulated", info)
                response = self.url_open("/odoo")
                if (
                    login == "psms_w_portal"
                ):  # no portal app here: not the backend, no error
                    self.assertLess(response.status_code, 500)
                    continue
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("/web/login", response.url)
                for model, spec in (
                    (
                        "calendar.event",
                        {"name": {}, "start": {}, "stop": {}, "partner_ids": {}},
                    ),
                    ("res.partner", {"display_name": {}, "email": {}}),
                ):
                    result = self.make_jsonrpc_request(
                        "/web/dataset/call_kw",
                        {
                            "model": model,
                            "method": "web_search_read",
                            "args": [],
                            "kwargs": {
                                "domain": [],
                                "specification": spec,
                                "limit": 80,
                            },
                        },
                    )
                    self.assertIn("records", result)

    def test_public_user_opens_the_login_page(self):
        self.authenticate(None, None)
        response = self.url_open("/web/login")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.url_open("/odoo").status_code, 200)  # the login form

    # -- W2 ----------------------------------------------------------------------------
    def test_participant_file_only_for_participants_groups_of_its_company(self):
        records = {
            "res.partner": self.participant,
            "participant.step": self.step,
            "participant.orientation": self.orientation,
            "participant.sms": self.sms,
            "participant.sms.reply": self.reply,
            "participant.sms.consent": self.participant.participant_consent_ids,
        }
        for login, user in self.users.items():
            for model, record in records.items():
                if not record:
                    continue
                with self.subTest(login=login, model=model):
                    as_user = record.with_user(user).with_context(
                        allowed_company_ids=user.company_ids.ids
                    )
                    if login in self.followers():
                        found = as_user.search([("id", "=", record.id)])
                        self.assertEqual(found, record)
                        fields_read = found.read(
                            [
                                name
                                for name, field in record._fields.items()
                                if not field.groups
                            ]
                        )
                        self.assertTrue(fields_read)
                        continue
                    try:
                        found = as_user.search([("id", "=", record.id)])
                    except AccessError:
                        continue
                    self.assertFalse(found, f"{login} must not find the {model}")
                    with self.assertRaises(AccessError):
                        as_user.read(["display_name"])

    def test_other_employees_find_no_participant_in_contacts(self):
        internal = self.users["psms_w_internal"]
        result = self.env["res.partner"].with_user(internal).name_search(MARK)
        self.assertFalse(result)
        self.authenticate("psms_w_internal", "psms_w_internal-pw")
        found = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": "res.partner",
                "method": "web_search_read",
                "args": [],
                "kwargs": {
                    "domain": [("is_participant", "=", True)],
                    "specification": {"display_name": {}, "mobile": {}},
                },
            },
        )
        self.assertEqual(found["length"], 0)

    # -- W3 ----------------------------------------------------------------------------
    def _event_fields(self):
        Event = self.env["calendar.event"]
        public = Event._get_public_fields()
        return public, [
            name
            for name, field in Event._fields.items()
            if name not in public and not field.groups and field.store
        ]

    def test_other_employees_see_busy_time_only(self):
        public, private = self._event_fields()
        # the participant among the attendees is never shown, the staff is
        self.event.with_context(
            no_mail_to_attendees=True
        ).partner_ids |= self.participant
        self.env.invalidate_all()
        internal = self.users["psms_w_internal"]
        event = self.event.with_user(internal)
        values = {}
        for name in private + ["display_name"]:
            try:
                values[name] = event.read([name])[0][name]
            except AccessError:
                # a list of the addon's records (themes addressed, replies) the user may
                # not read
                self.assertIn(event._fields[name].comodel_name, event.env.registry)
                self.assertTrue(
                    event._fields[name].comodel_name.startswith("participant.")
                )
                values[name] = False
        for name in private:
            value = values[name]
            if name == "name":
                self.assertEqual(value, "Busy")
            elif (
                name == "partner_ids"
            ):  # the staff invited, so that it stays in their calendars
                staff = self.event.partner_ids - self.participant
                self.assertTrue(staff)
                self.assertEqual(value, staff.ids)
            else:
                self.assertFalse(value, f"{name} is shown to another employee")
        self.assertEqual(values["display_name"], "Busy")
        self.assertNotIn(MARK, str(values))
        # the same through the web client: the calendar's own read and the form's
        self.authenticate("psms_w_internal", "psms_w_internal-pw")
        spec = {
            name: {}
            for name in private
            if self.env["calendar.event"]._fields[name].type
            not in ("one2many", "many2many")
        }
        spec.update(start={}, stop={}, display_name={}, participant_company_id={})
        for method, args, kwargs in (
            (
                "web_search_read",
                [],
                {"domain": [("id", "=", self.event.id)], "specification": spec},
            ),
            ("web_read", [[self.event.id]], {"specification": spec}),
        ):
            result = self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "calendar.event",
                    "method": method,
                    "args": args,
                    "kwargs": kwargs,
                },
            )
            self.assertNotIn(MARK, str(result))
            self.assertNotIn("Nadia", str(result))
        # their own events are untouched
        self.assertEqual(self.colleague_event.with_user(internal).name, "Team meeting")

    def test_other_employees_group_nothing_by_participant(self):
        internal = self.users["psms_w_internal"]
        groups = (
            self.env["calendar.event"]
            .with_user(internal)
            .read_group([], ["participant_id"], ["participant_id"])
        )
        self.assertNotIn(MARK, str(groups))

    def test_other_employees_never_change_a_participant_appointment(self):
        internal = self.users["psms_w_internal"]
        with self.assertRaises(AccessError):
            self.event.with_user(internal).write({"name": "Changed"})
        with self.assertRaises(AccessError):
            self.event.with_user(internal).unlink()
        with self.assertRaises(AccessError):
            self.env["calendar.event"].with_user(internal).create(
                {
                    "name": "x",
                    "participant_id": self.participant.id,
                    "start": self.event.start,
                    "stop": self.event.stop,
                }
            )

    def test_followers_read_the_appointment(self):
        user = self.users["psms_w_user"]
        event = self.event.with_user(user)
        self.assertIn(MARK, event.name)
        self.assertEqual(event.participant_id, self.participant)
        self.assertIn(MARK, event.sms_reminder_body)

    def test_another_company_sees_nothing_of_the_appointment(self):
        user = self.users["psms_w_other_company"]
        Event = (
            self.env["calendar.event"]
            .with_user(user)
            .with_context(allowed_company_ids=user.company_ids.ids)
        )
        self.assertFalse(Event.search([("id", "=", self.event.id)]))
        with self.assertRaises(AccessError):
            self.event.with_user(user).with_context(
                allowed_company_ids=user.company_ids.ids
            ).read(["sms_reminder_body"])
        # a user of both companies sees it while company A is active
        both = self.users["psms_w_both"]
        Event = self.env["calendar.event"].with_user(both)
        self.assertFalse(
            Event.with_context(allowed_company_ids=[self.company_b.id]).search(
                [("id", "=", self.event.id)]
            )
        )
        self.assertTrue(
            Event.with_context(
                allowed_company_ids=[self.company_b.id, self.company_a.id]
            ).search([("id", "=", self.event.id)])
        )
        self.assertEqual(self.event.participant_company_id, self.company_a)
        self.assertEqual(self.step.company_id, self.company_a)
        self.assertEqual(self.participant.company_id, self.company_a)

    @mute_logger("odoo.http")  # the refusals are what is tested
    def test_other_employees_read_no_message_or_file_of_the_appointment(self):
        message = self.event.message_post(
            body=f"SMS sent: Reminder {MARK}",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"cer-{MARK}.txt",
                "raw": MARK.encode(),
                "res_model": "calendar.event",
                "res_id": self.event.id,
            }
        )
        colleague_file = self.env["ir.attachment"].create(
            {
                "name": "agenda.txt",
                "raw": b"agenda",
                "res_model": "calendar.event",
                "res_id": self.colleague_event.id,
            }
        )
        internal = self.users["psms_w_internal"]
        Message = self.env["mail.message"].with_user(internal)
        self.assertFalse(
            Message.search(
                [("model", "=", "calendar.event"), ("res_id", "=", self.event.id)]
            )
        )
        with self.assertRaises(AccessError):
            message.with_user(internal).read(["body"])
        Attachment = self.env["ir.attachment"].with_user(internal)
        self.assertFalse(
            Attachment.search(
                [("res_model", "=", "calendar.event"), ("res_id", "=", self.event.id)]
            )
        )
        with self.assertRaises(AccessError):
            attachment.with_user(internal).read(["raw"])
        # their colleague's ordinary event keeps Odoo's rules
        self.assertEqual(
            Attachment.search([("id", "=", colleague_file.id)]), colleague_file
        )
        # those who follow participants read both
        follower = self.users["psms_w_user"]
        self.assertIn(MARK, message.with_user(follower).body)
        self.assertEqual(attachment.with_user(follower).raw, MARK.encode())
        # and the chatter route gives the other employee nothing
        self.authenticate("psms_w_internal", "psms_w_internal-pw")
        try:
            result = self.make_jsonrpc_request(
                "/mail/thread/messages",
                {"thread_model": "calendar.event", "thread_id": self.event.id},
            )
        except Exception as error:  # noqa: BLE001 - refused is as good as empty
            self.assertIn("AccessError", str(error))
        else:
            self.assertNotIn(MARK, str(result))

    @mute_logger("odoo.http")  # the refusals are what is tested
    def test_web_client_routes_give_nothing_of_the_file_to_others(self):
        records = {
            "res.partner": self.participant,
            "participant.step": self.step,
            "participant.orientation": self.orientation,
            "participant.sms": self.sms,
            "participant.sms.reply": self.reply,
        }
        for login in ("psms_w_internal", "psms_w_other_company"):
            self.authenticate(login, login + "-pw")
            for model, record in records.items():
                spec = {
                    name: {}
                    for name, field in record._fields.items()
                    if field.store
                    and not field.groups
                    and field.type not in ("one2many", "many2many", "binary")
                }
                for method, args, kwargs in (
                    (
                        "web_search_read",
                        [],
                        {"domain": [("id", "=", record.id)], "specification": spec},
                    ),
                    ("web_read", [[record.id]], {"specification": spec}),
                ):
                    with self.subTest(login=login, model=model, method=method):
                        try:
                            result = self.make_jsonrpc_request(
                                "/web/dataset/call_kw",
                                {
                                    "model": model,
                                    "method": method,
                                    "args": args,
                                    "kwargs": kwargs,
                                },
                            )
                        except Exception as error:  # noqa: BLE001
                            self.assertIn("AccessError", str(error))
                            continue
                        self.assertNotIn(MARK, str(result))
                        self.assertNotIn("Nadia", str(result))

    def test_guest_tour_calendar_and_contacts_for_another_employee(self):
        """W1 and W3 as a person sees them, in Chromium: an employee outside the
        Participants groups invited to a participant's appointment sees busy time;
        Contacts has no participant."""
        internal = self.users["psms_w_internal"]
        internal.name = "Guest Colleague"
        now = fields.Datetime.now().replace(hour=10, minute=0, second=0, microsecond=0)
        self.event.with_context(no_mail_to_attendees=True).write(
            {
                "partner_ids": [(4, internal.partner_id.id)],
                "start": now,
                "stop": now + timedelta(hours=1),
            }
        )
        self.start_tour(
            "/odoo/calendar", "participant_sms_guest_tour", login="psms_w_internal"
        )

    def test_attendee_and_follower_lists_do_not_name_a_participant(self):
        event = self.colleague_event.with_context(no_mail_to_attendees=True)
        event.partner_ids |= self.participant
        event.message_subscribe(partner_ids=self.participant.ids)
        internal = self.users["psms_w_internal"]
        attendees = (
            self.env["calendar.attendee"]
            .with_user(internal)
            .search_read(
                [("event_id", "in", (event | self.event).ids)],
                ["common_name", "email", "phone"],
            )
        )
        self.assertTrue(attendees, "the staff attendees stay")
        self.assertNotIn(MARK, str(attendees))
        followers = (
            self.env["mail.followers"]
            .with_user(internal)
            .search_read(
                [("res_model", "=", "calendar.event"), ("res_id", "=", event.id)],
                ["name", "email", "partner_id"],
            )
        )
        self.assertNotIn(MARK, str(followers))
        # those who follow participants see them
        follower = self.users["psms_w_user"]
        self.assertIn(
            MARK,
            str(
                self.env["mail.followers"]
                .with_user(follower)
                .search_read(
                    [("res_model", "=", "calendar.event"), ("res_id", "=", event.id)],
                    ["name"],
                )
            ),
        )

    def test_a_participant_with_a_user_account_reads_their_own_contact(self):
        portal = self.users["psms_w_portal"]
        portal.partner_id.sudo().is_participant = True
        self.assertEqual(
            portal.partner_id.with_user(portal).read(["name"])[0]["name"], portal.name
        )
        self.authenticate("psms_w_portal", "psms_w_portal-pw")
        info = self.make_jsonrpc_request("/web/session/get_session_info", {})
        self.assertEqual(info["partner_id"], portal.partner_id.id)
