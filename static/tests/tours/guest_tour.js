/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";

/**
 * An employee outside the Participants groups (an accountant, an HR officer) works in Odoo as
 * before the addon came: the Calendar opens and shows the participant's appointment they are
 * invited to as busy time only; Contacts opens without any participant.
 */
registry.category("web_tour.tours").add("participant_sms_guest_tour", {
  url: "/odoo/calendar",
  steps: () => [
    {
      content: "The calendar is shown",
      trigger: ".o_calendar_view .fc-view",
    },
    {
      content: "The participant's appointment is busy time, without its name",
      trigger: ".o_calendar_view .fc-event:contains(Busy)",
    },
    {
      content: "Nothing of the participant appears",
      trigger: ".o_calendar_view:not(:contains(ZQX)):not(:contains(Nadia))",
    },
    {
      content: "Go to Contacts",
      trigger: "body",
      run: "goToUrl /odoo/contacts",
    },
    {
      content: "Contacts are shown",
      trigger: ".o_kanban_view .o_kanban_record:contains(Guest Colleague)",
    },
    {
      content: "No participant among them",
      trigger: ".o_kanban_view:not(:contains(ZQX)):not(:contains(Nadia))",
    },
  ],
});
