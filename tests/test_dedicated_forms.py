# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Participants app's own forms (issue 17: "Odoo's generic forms").

F1. The appointments action opens the appointment form ("Entretien"), its list and its
    calendar included (the calendar asks for the default form, which the action's
    context names); the Calendar app keeps calendar's own form.
F2. In the appointment form no meeting-only field can be seen (videocall, Odoo meeting,
    recurrence, privacy, alarms, tags, organizer, description, invitations), and the
    fields come in the guide's order: participant, date and time, collaborator, type,
    theme, outcome, location, channel, programme, synthesis, then the SMS reminder as
    the first tab.
F3. The participants action opens the participant's file: identity, mobile, consent,
    referent, file number and pathway, without VAT, website, sales & purchase or
    accounting.
F4. Contacts keep their form for everyone: the default partner form is base's (VAT and
    all); a user outside the Participants groups sees nothing of the addon in it, and
    its participant tab is shown on participants only.
F5. In the appointments' search, a typed word is first the appointment's title, the
    participant comes next.
"""

from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import Form, tagged

from .common import ParticipantCommon

APPOINTMENT_FORM = "participant_sms.view_participant_appointment_form"
PARTICIPANT_FORM = "participant_sms.view_participant_form"

#: what only a meeting has: none of it may be seen in an appointment form
MEETING_ONLY = (
    "//field[@name='videocall_location']",
    "//button[@name='set_discuss_videocall_location']",
    "//button[@name='clear_videocall_location']",
    "//button[@name='action_join_video_call']",
    "//field[@name='recurrency']",
    "//field[@name='rrule_type_ui']",
    "//field[@name='allday']",
    "//field[@name='categ_ids']",
    "//field[@name='privacy']",
    "//field[@name='show_as']",
    "//field[@name='user_id']",
    "//field[@name='description']",
    "//field[@name='alarm_ids']",
    "//field[@name='attendees_count']",
    "//button[@name='action_open_composer']",
    "//page[@name='page_invitations']",
)

#: the guide's order of an appointment's fields
GUIDE_ORDER = (
    "participant_id",
    "start",
    "participant_collaborator_id",
    "participant_appointment_type_id",
    "participant_theme_id",
    "participant_outcome_id",
    "location",
    "participant_channel_id",
    "participant_programme_id",
    "participant_synthesis",
)

#: what a participant's file never shows
NOT_A_FILE = (
    "//field[@name='vat']",
    "//field[@name='website']",
    "//page[@name='sales_purchase']",
    "//page[@name='accounting']",
    "//page[@name='internal_notes']",
    "//field[@name='property_account_receivable_id']",
    "//field[@name='company_type']",
    "//field[@name='parent_id']",
)


def _hidden(node):
    """Whether ``node`` is never shown: itself or an ancestor invisible for good."""
    return any(
        element.get("invisible") in ("1", "True", "true")
        for element in (node, *node.iterancestors())
    )


def _shown(arch, xpath):
    """The nodes at ``xpath`` a user can see (not invisible for good)."""
    return [node for node in arch.xpath(xpath) if not _hidden(node)]


@tagged("post_install", "-at_install")
class TestDedicatedForms(ParticipantCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=4)
        cls.event = (
            cls.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Pathway review",
                    "participant_id": cls.participant.id,
                    "participant_appointment_type_id": cls.env.ref(
                        "participant_sms.appointment_type_individual"
                    ).id,
                    "start": start,
                    "stop": start + timedelta(hours=1),
                }
            )
        )

    def _action_form_arch(self, xmlid, user):
        """The form arch the action opens for ``user``, and its view id."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        form_id = dict((mode, view_id) for view_id, mode in action["views"])["form"]
        model = self.env[action["res_model"]].with_user(user)
        views = model.get_views([(form_id, "form")])
        return form_id, etree.fromstring(views["views"]["form"]["arch"])

    # F1
    # ----------------------------------------------------------------------------------
    def test_appointments_action_opens_appointment_form(self):
        """The action's form, and the default form under the action's context (what the
        calendar and the participant's appointments ask for), are the appointment form.
        """
        form = self.env.ref(APPOINTMENT_FORM)
        form_id, arch = self._action_form_arch(
            "participant_sms.action_participant_appointments", self.user_participant
        )
        self.assertEqual(form_id, form.id)
        self.assertEqual(arch.get("string"), "Appointment")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participant_appointments"
        )
        self.assertEqual(
            [mode for _view, mode in action["views"]], ["calendar", "list", "form"]
        )
        from_calendar = (
            self.env["calendar.event"]
            .with_user(self.user_participant)
            .with_context(form_view_ref=APPOINTMENT_FORM)
            .get_views([(False, "form")])
        )
        self.assertEqual(from_calendar["views"]["form"]["id"], form.id)
        # the participant's file opens its appointments in the same form
        file_arch = self._action_form_arch(
            "participant_sms.action_participants", self.user_participant
        )[1]
        [appointments] = file_arch.xpath("//field[@name='participant_appointment_ids']")
        self.assertIn(APPOINTMENT_FORM, appointments.get("context"))

    def test_calendar_app_keeps_its_form(self):
        """Calendar's own form stays the default one, meeting fields and all."""
        views = (
            self.env["calendar.event"]
            .with_user(self.user_internal)
            .get_views([(False, "form")])
        )
        self.assertEqual(
            views["views"]["form"]["id"],
            self.env.ref("calendar.view_calendar_event_form").id,
        )
        arch = etree.fromstring(views["views"]["form"]["arch"])
        self.assertTrue(_shown(arch, "//field[@name='videocall_location']"))
        self.assertEqual(
            arch.xpath("//field[@name='name']")[0].get("placeholder"),
            "e.g. Business Lunch",
        )

    # F2
    # ----------------------------------------------------------------------------------
    def test_no_meeting_only_field(self):
        arch = self._action_form_arch(
            "participant_sms.action_participant_appointments", self.user_manager
        )[1]
        for xpath in MEETING_ONLY:
            with self.subTest(xpath=xpath):
                self.assertFalse(
                    _shown(arch, xpath), "a meeting-only field can be seen"
                )
        [name] = _shown(arch, "//field[@name='name']")
        self.assertNotEqual(name.get("placeholder"), "e.g. Business Lunch")
        self.assertFalse(arch.xpath("//*[contains(@placeholder, 'Business Lunch')]"))
        self.assertFalse(arch.xpath("//*[contains(@placeholder, 'Online Meeting')]"))

    def test_guide_order(self):
        """Participant at the top, the guide's order, then the SMS reminder as first
        tab."""
        arch = self._action_form_arch(
            "participant_sms.action_participant_appointments", self.user_manager
        )[1]
        [sheet] = arch.xpath("//sheet")
        box = set(sheet.xpath(".//div[@name='button_box']//*"))
        shown = [
            node
            for node in sheet.iter("field", "page")
            if node not in box and not _hidden(node)
        ]
        names = [node.get("name") for node in shown if node.tag == "field"]
        positions = []
        for name in GUIDE_ORDER:
            with self.subTest(field=name):
                self.assertIn(name, names)
                positions.append(
                    shown.index(
                        next(
                            node
                            for node in shown
                            if node.tag == "field" and node.get("name") == name
                        )
                    )
                )
        self.assertEqual(
            positions, sorted(positions), f"not in the guide's order: {GUIDE_ORDER}"
        )
        self.assertEqual(
            names[0], "participant_id", "the participant is the first thing shown"
        )
        # the guide's words, not the meeting's ("Start", "Meeting Subject")
        labels = {
            node.get("name"): node.get("string")
            for node in shown
            if node.tag == "field"
        }
        self.assertEqual(labels["start"], "Date and time")
        self.assertEqual(labels["location"], "Location")
        [title] = arch.xpath("//label[@for='name']")
        self.assertEqual(title.get("string"), "Title of the appointment")
        pages = [node.get("name") for node in shown if node.tag == "page"]
        self.assertEqual(pages[0], "sms_reminder")
        reminder = shown.index(
            next(node for node in shown if node.get("name") == "sms_reminder")
        )
        self.assertGreater(reminder, positions[-1])

    def test_appointment_form_books_an_appointment(self):
        """The form, as the web client checks it (required and readonly fields), books
        an appointment with the guide's fields; the collaborator is among its attendees.
        """
        user = self.user_participant
        env = self.env(
            user=user, context=dict(self.env.context, no_mail_to_attendees=True)
        )
        with Form(env["calendar.event"], view=APPOINTMENT_FORM) as form:
            form.participant_id = self.participant.with_env(env)
            form.name = "First interview"
            form.start = fields.Datetime.now().replace(microsecond=0) + timedelta(
                days=6
            )
            form.participant_appointment_type_id = env.ref(
                "participant_sms.appointment_type_individual"
            )
            form.participant_theme_id = env["participant.appointment.theme"].search(
                [], limit=1
            )
            form.location = "Town hall, office 3"
        event = form.record
        self.assertEqual(event.participant_id, self.participant)
        self.assertEqual(event.participant_collaborator_id, user)
        self.assertIn(user.partner_id, event.partner_ids)
        self.assertEqual(event.location, "Town hall, office 3")

    # F3
    # ----------------------------------------------------------------------------------
    def test_participants_action_opens_the_file(self):
        form_id, arch = self._action_form_arch(
            "participant_sms.action_participants", self.user_participant
        )
        self.assertEqual(form_id, self.env.ref(PARTICIPANT_FORM).id)
        for xpath in NOT_A_FILE:
            with self.subTest(xpath=xpath):
                self.assertFalse(arch.xpath(xpath), "not part of a participant's file")
        for name in (
            "name",
            "mobile",
            "accepts_sms",
            "participant_referent_id",
            "participant_file_number",
            "participant_appointment_ids",
            "participant_step_ids",
            "participant_orientation_ids",
        ):
            with self.subTest(field=name):
                self.assertTrue(_shown(arch, f"//field[@name='{name}']"))
        # whatever else extends the contacts' form does not reach the file
        self.assertNotEqual(
            self.env.ref(PARTICIPANT_FORM).inherit_id,
            self.env.ref("base.view_partner_form"),
        )

    def test_participant_form_creates_a_participant(self):
        env = self.env(
            user=self.user_participant,
            context=dict(
                self.env.context, default_is_participant=True, default_is_company=False
            ),
        )
        with Form(env["res.partner"], view=PARTICIPANT_FORM) as form:
            form.name = "Lina MARTIN"
            form.participant_file_number = "F-0417"
            form.mobile = "+33 6 44 55 66 77"
        partner = form.record
        self.assertTrue(partner.is_participant)
        self.assertTrue(partner.accepts_sms)
        self.assertEqual(partner.company_id, self.env.company)

    # F4
    # ----------------------------------------------------------------------------------
    def test_contacts_keep_their_form(self):
        base_form = self.env.ref("base.view_partner_form")
        for user in (self.user_internal, self.user_participant):
            with self.subTest(user=user.login):
                views = (
                    self.env["res.partner"].with_user(user).get_views([(False, "form")])
                )
                self.assertEqual(views["views"]["form"]["id"], base_form.id)
                arch = etree.fromstring(views["views"]["form"]["arch"])
                self.assertTrue(arch.xpath("//field[@name='vat']"))
                self.assertFalse(arch.xpath("//*[@name='participant_pathway']"))
        # a user outside the Participants groups sees nothing of the addon in it
        arch = etree.fromstring(
            self.env["res.partner"]
            .with_user(self.user_internal)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertFalse(arch.xpath("//page[@name='participant_file']"))
        self.assertFalse(arch.xpath("//field[starts-with(@name, 'participant_')]"))
        # for a participant user, the tab is there for participants only
        arch = etree.fromstring(
            self.env["res.partner"]
            .with_user(self.user_participant)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        [page] = arch.xpath("//page[@name='participant_file']")
        self.assertEqual(page.get("invisible"), "not is_participant")
        self.assertFalse(self.non_participant.is_participant)
        self.assertTrue(
            self.non_participant.with_user(self.user_internal).read(["name", "vat"])
        )

    # F5
    # ----------------------------------------------------------------------------------
    def test_search_types_the_title_first(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "participant_sms.action_participant_appointments"
        )
        views = (
            self.env["calendar.event"]
            .with_user(self.user_participant)
            .get_views([(action["search_view_id"][0], "search")])
        )
        arch = etree.fromstring(views["views"]["search"]["arch"])
        fields_ = [node.get("name") for node in arch.iter("field")]
        self.assertEqual(fields_[0], "name", "a typed word is first the title")
        self.assertIn("participant_id", fields_[1:])
        self.assertEqual(arch.xpath("//field[@name='name']")[0].get("string"), "Title")
        # what that first choice finds: the title, not the participant's name
        found = (
            self.env["calendar.event"]
            .with_user(self.user_participant)
            .search([("participant_id", "!=", False), ("name", "ilike", "review")])
        )
        self.assertIn(self.event, found)
        self.assertFalse(
            self.env["calendar.event"]
            .with_user(self.user_participant)
            .search(
                [
                    ("participant_id", "!=", False),
                    ("name", "ilike", self.participant.name.split()[0]),
                ]
            )
            & self.event
        )

    def test_links_open_the_participants_forms(self):
        """A link to a participant or to their appointment (chatter, steps, My SMS)
        opens the participant's file or the appointment form for those who follow
        participants; a contact that is not a participant, a meeting, and any user
        outside the Participants groups keep Contacts' and calendar's forms."""
        meeting = self.env["calendar.event"].create(
            {
                "name": "Team meeting",
                "start": fields.Datetime.now() + timedelta(days=2),
                "stop": fields.Datetime.now() + timedelta(days=2, hours=1),
            }
        )
        participant_form = self.env.ref(PARTICIPANT_FORM).id
        appointment_form = self.env.ref(APPOINTMENT_FORM).id
        self.assertEqual(
            self.participant.with_user(self.user_participant).get_formview_id(),
            participant_form,
        )
        self.assertEqual(
            self.event.with_user(self.user_participant).get_formview_id(),
            appointment_form,
        )
        self.assertEqual(
            self.participant.get_formview_id(access_uid=self.user_participant.id),
            participant_form,
        )
        self.assertNotEqual(
            self.non_participant.with_user(self.user_participant).get_formview_id(),
            participant_form,
        )
        self.assertNotEqual(
            meeting.with_user(self.user_participant).get_formview_id(), appointment_form
        )
        self.assertNotEqual(
            self.participant.get_formview_id(access_uid=self.user_internal.id),
            participant_form,
        )
        self.assertNotEqual(
            self.event.get_formview_id(access_uid=self.user_internal.id),
            appointment_form,
        )
        # the participant's appointments and My SMS' new appointment name the form
        action = self.participant.with_user(
            self.user_participant
        ).action_open_participant_appointments()
        self.assertEqual(action["context"]["form_view_ref"], APPOINTMENT_FORM)
