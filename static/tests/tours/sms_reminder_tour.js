/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";

const {DateTime} = luxon;
const LONG_GSM = "a".repeat(152) + "€" + "a".repeat(152);
const FOUR_SMS = "a".repeat(153 * 3 + 1);

/**
 * A social worker books an appointment in the future, switches the SMS reminder on (which
 * saves nothing and prepares the reminder: delay, planned send, template, text), picks a
 * template, sees the counter (which counts as the server does, and says in red when the text
 * is over the maximum), saves, and finds the SMS in the Upcoming SMS list.
 */
registry.category("web_tour.tours").add("participant_sms_reminder_tour", {
  url: "/odoo/action-participant_sms.action_participant_appointments/new",
  steps: () => [
    {
      content: "Name the appointment",
      trigger: ".o_field_widget[name=name] input",
      run: "edit Tour reminder appointment",
    },
    {
      content: "In five days at 10:00",
      trigger: ".o_field_widget[name=start] input",
      run: `edit ${DateTime.now().plus({days: 5}).toFormat("MM/dd/yyyy")} 10:00:00`,
    },
    {
      content: "Pick the participant",
      trigger: ".o_field_widget[name=participant_id] input",
      run: "edit Tour PARTI",
    },
    {
      trigger: ".o-autocomplete--dropdown-item a:contains(Tour PARTICIPANT)",
      run: "click",
    },
    {
      content: "Pick the appointment type",
      trigger: ".o_field_widget[name=participant_appointment_type_id] input",
      run: "edit Individual",
    },
    {
      trigger: ".o-autocomplete--dropdown-item a:contains(Individual appointment)",
      run: "click",
    },
    {
      content: "Open the SMS reminder tab",
      trigger: ".o_notebook .nav-link:contains(SMS reminder)",
      run: "click",
    },
    {
      content: "Switch the reminder on",
      trigger: ".o_field_widget[name=sms_reminder] input",
      run: "click",
    },
    {
      content:
        "Ticking prepared the planned send (two days before) without a red error",
      trigger: ".o_field_widget[name=sms_reminder_planned_at] input:value(/\\d/)",
    },
    {
      trigger:
        ".o_field_widget[name=sms_reminder_template_id] input:value(/Appointment reminder/)",
    },
    {
      trigger:
        ".o_form_view:not(:has(.o_field_invalid)):not(:has(.o_psms_reminder_warning:visible))",
    },
    {
      content: "Ticking saved nothing: still a new appointment",
      trigger: ".o_field_widget[name=sms_reminder_body] textarea:value(/PARTICIPANT/)",
      run: () => {
        if (!/\/new$/.test(window.location.pathname)) {
          throw new Error(
            `ticking saved the appointment (${window.location.pathname})`
          );
        }
      },
    },
    {
      content: "Two days before",
      trigger: ".o_field_widget[name=sms_reminder_days] select",
      run: 'select "2"',
    },
    {
      content: "The planned send is filled",
      trigger: ".o_field_widget[name=sms_reminder_planned_at] input:value(/\\d/)",
    },
    {
      content: "Pick a template",
      trigger: ".o_field_widget[name=sms_reminder_template_id] input",
      run: "edit Appointment reminder",
    },
    {
      trigger:
        ".o-autocomplete--dropdown-item a:contains(Appointment reminder):not(:contains(confirmation))",
      run: "click",
    },
    {
      content: "The template fills the text and the counter shows one SMS",
      trigger:
        ".o_field_widget[name=sms_reminder_body] textarea:value(/Tour PARTICIPANT|PARTICIPANT/)",
    },
    {
      trigger: ".o_psms_counter[data-segments='1'][data-encoding='GSM-7']",
    },
    {
      content: "An extension character is 2 units and never split: 3 SMS, not 2",
      trigger: ".o_field_widget[name=sms_reminder_body] textarea",
      run: `edit ${LONG_GSM}`,
    },
    {
      trigger:
        ".o_psms_counter[data-units='306'][data-segments='3'][data-encoding='GSM-7']",
    },
    {
      content: "Over the maximum (3 SMS): said in red at once, while typing",
      trigger: ".o_field_widget[name=sms_reminder_body] textarea",
      run: `edit ${FOUR_SMS}`,
    },
    {
      trigger: ".o_psms_counter.text-danger[data-segments='4'][data-over-max='1']",
    },
    {
      trigger: ".o_psms_over_max",
    },
    {
      content:
        "A typographic apostrophe is sent as ' (GSM-7) and said so; a newline counts once",
      trigger: ".o_field_widget[name=sms_reminder_body] textarea",
      run: (helpers) => helpers.edit("Aujourd’hui\nok"),
    },
    {
      trigger: ".o_psms_counter[data-units='14'][data-encoding='GSM-7']",
    },
    {
      trigger: ".o_psms_replaced:contains(’ → ')",
    },
    {
      content: "A symbol GSM-7 lacks still forces Unicode and is pointed out",
      trigger: ".o_field_widget[name=sms_reminder_body] textarea",
      run: (helpers) => helpers.edit("À bientôt ☎"),
    },
    {
      trigger: ".o_psms_counter[data-units='11'][data-encoding='UCS-2']",
    },
    {
      trigger: ".o_psms_ucs2:contains(☎)",
    },
    {
      content: "Final text",
      trigger: ".o_field_widget[name=sms_reminder_body] textarea",
      run: "edit Rappel tour : RDV dans 5 jours à 10h.",
    },
    {
      content: "Save",
      trigger: ".o_form_button_save",
      run: "click",
    },
    {
      trigger: ".o_form_saved",
    },
    {
      content: "The reminder SMS is linked and not yet sent",
      trigger: ".o_field_widget[name=sms_reminder_state]:contains(Not yet sent)",
    },
    {
      content: "Open the SMS menu",
      trigger: ".o_main_navbar button:contains(SMS)",
      run: "click",
    },
    {
      trigger: ".dropdown-item:contains(Upcoming SMS)",
      run: "click",
    },
    {
      content: "The SMS is in the Upcoming list",
      trigger: ".o_list_view .o_data_row:contains(Rappel tour : RDV dans 5 jours)",
    },
  ],
});
