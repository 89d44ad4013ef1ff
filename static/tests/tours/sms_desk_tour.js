/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("participant_sms_desk_tour", {
  steps: () => [
    {
      content: "My SMS says there is a new reply",
      trigger: ".alert-info:contains('1 new reply to your appointments')",
    },
    {
      content: "The reply to my appointment is listed",
      trigger:
        ".o_field_widget[name=reply_ids] .o_data_row:contains('Je serai en retard')",
    },
    {
      content: "Mark it seen",
      trigger:
        ".o_field_widget[name=reply_ids] .o_data_row button[name=action_mark_seen]",
      run: "click",
    },
    {
      content: "No new reply any more",
      trigger: ".o_form_view:not(:has(.alert-info:visible))",
    },
    {
      content: "My upcoming reminders",
      trigger: ".o_notebook .nav-link:contains('My upcoming reminders')",
      run: "click",
    },
    {
      trigger:
        ".o_field_widget[name=upcoming_ids] .o_data_row:contains('Desk PARTICIPANT')",
    },
    {
      content: "Plan a new appointment with its reminder",
      trigger: "button[name=action_new_appointment]",
      run: "click",
    },
    {
      content: "The appointment form opens",
      trigger: ".o_form_view .o_field_widget[name=participant_collaborator_id]",
    },
  ],
});
