/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";

const {DateTime} = luxon;

/**
 * A manager sends a batch SMS to the demo saved list "Forum emploi - Lyon": appointment details,
 * batch template, preview (one line per participant), validate.
 */
registry.category("web_tour.tours").add("participant_sms_batch_tour", {
  url: "/odoo/action-participant_sms.action_participants",
  steps: () => [
    {
      content: "Open the SMS menu",
      trigger: ".o_main_navbar button:contains(SMS)",
      run: "click",
    },
    {
      trigger: ".dropdown-item:contains(Batch SMS)",
      run: "click",
    },
    {
      content: "Pick the saved list",
      trigger: ".modal .o_field_widget[name=list_id] input",
      run: "edit Forum emploi",
    },
    {
      trigger: ".o-autocomplete--dropdown-item a:contains(Forum emploi - Lyon)",
      run: "click",
    },
    {
      content: "The appointment in a week at 14:00",
      trigger: ".modal .o_field_widget[name=start] input",
      run: `edit ${DateTime.now().plus({days: 7}).toFormat("MM/dd/yyyy")} 14:00:00`,
    },
    {
      trigger: ".modal .o_field_widget[name=appointment_type_id] input",
      run: "edit Collective",
    },
    {
      trigger:
        ".o-autocomplete--dropdown-item a:contains(Collective information session)",
      run: "click",
    },
    {
      trigger: ".modal .o_field_widget[name=theme_id] input",
      run: "edit Employment",
    },
    {
      trigger: ".o-autocomplete--dropdown-item a:contains(Employment)",
      run: "click",
    },
    {
      trigger: ".modal .o_field_widget[name=location] input",
      run: "edit Salle des fêtes",
    },
    {
      content: "Pick the batch template",
      trigger: ".modal .o_field_widget[name=template_id] input",
      run: "edit Collective",
    },
    {
      trigger: ".o-autocomplete--dropdown-item a:contains(Collective information)",
      run: "click",
    },
    {
      trigger: ".modal .o_field_widget[name=body] textarea:value(/first_name/)",
    },
    {
      content: "Preview",
      trigger: ".modal button[name=action_preview]",
      run: "click",
    },
    {
      content: "One line per participant of the list",
      trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:nth-child(6)",
    },
    {
      content: "Every demo participant of the list can receive it",
      trigger: ".modal .o_field_widget[name=recipient_count]:contains(6)",
    },
    {
      content: "Validate",
      trigger: ".modal button[name=action_validate]",
      run: "click",
    },
    {
      content: "Confirm",
      trigger: ".modal-footer button:contains(Ok)",
      run: "click",
    },
    {
      content: "Summary",
      trigger: ".o_notification:contains(6 SMS scheduled)",
    },
  ],
});
