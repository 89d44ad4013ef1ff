/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";

/**
 * A social worker finds a participant by file number, opens the file (the participant's own
 * form, not the contact's), sees the pathway, and goes to the participant's appointments in
 * the calendar.
 */
registry.category("web_tour.tours").add("participant_sms_participant_tour", {
  url: "/odoo/action-participant_sms.action_participants",
  steps: () => [
    {
      content: "The participants list is shown",
      trigger:
        ".o_list_view .o_data_row td[name=participant_file_number]:contains(TOUR-0001)",
    },
    {
      content: "Search by file number",
      trigger: ".o_searchview_input",
      run: "edit TOUR-0001",
    },
    {
      content: "Validate the search",
      trigger: ".o_searchview_input",
      run: "press Enter",
    },
    {
      content: "Open the participant",
      trigger: ".o_data_row td[name=name]:contains(Tour PARTICIPANT)",
      run: "click",
    },
    {
      content: "The participant's file: no VAT, website or sales & purchase",
      trigger: ".o_form_view .o_field_widget[name=participant_file_number]",
    },
    {
      trigger:
        ".o_form_view:not(:has(.o_field_widget[name=vat])):not(:has(.o_field_widget[name=website])):not(:has(.o_notebook .nav-link:contains(Sales)))",
    },
    {
      content: "Open the pathway tab",
      trigger: ".o_notebook .nav-link:contains(Pathway)",
      run: "click",
    },
    {
      content: "The file shows the consent to SMS and the appointment",
      trigger:
        ".o_field_widget[name=participant_appointment_ids] .o_data_row:contains(Tour appointment)",
    },
    {
      content: "Untick 'Accepts SMS'",
      trigger: ".o_field_widget[name=accepts_sms] input",
      run: "click",
    },
    {
      content: "Save",
      trigger: ".o_form_button_save",
      run: "click",
    },
    {
      content: "Saved",
      trigger: ".o_form_saved",
    },
    {
      content: "Open the participant's appointments",
      trigger: "button[name=action_open_participant_appointments]",
      run: "click",
    },
    {
      content: "The appointments open in the calendar",
      trigger: ".o_calendar_view",
    },
  ],
});
