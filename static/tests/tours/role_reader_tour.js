/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";
import {screenshot} from "@participant_sms/../tests/tours/role_screenshot";

const SMS_MENU = "participant_sms.menu_participant_sms";

/**
 * A user with only Participants / User (no SMS permission), in French, opens a participant's
 * appointment: the SMS reminder cannot be switched on, and the tab says why; the SMS menu
 * offers no way to send.
 */
registry.category("web_tour.tours").add("participant_sms_role_reader_tour", {
  steps: () => [
    {
      content: "The appointments, in French",
      trigger: ".o_breadcrumb:contains(Entretiens)",
    },
    {
      content: "Open the appointment",
      trigger: ".o_list_view .o_data_row:contains(Amina BENALI) .o_data_cell",
      run: "click",
    },
    {
      trigger:
        ".o_form_view .o_field_widget[name=participant_id]:contains(Amina BENALI)",
    },
    {
      content: "Open the reminder tab",
      trigger: ".o_notebook .nav-link[name=sms_reminder]:contains(Rappel par SMS)",
      run: "click",
    },
    {
      content: "The reminder cannot be switched on",
      trigger: ".o_field_widget[name=sms_reminder].o_readonly_modifier",
    },
    {
      content: "The tab says why",
      trigger:
        ".o_psms_reminder_readonly .o_field_widget[name=sms_reminder_readonly_reason]:contains(/\\w/)",
    },
    screenshot("reader_reminder"),
    {
      content: "Open the SMS menu",
      trigger: `.o_main_navbar button[data-menu-xmlid='${SMS_MENU}']`,
      run: "click",
    },
    {
      content: "Lists to read, in French",
      trigger:
        ".dropdown-item[data-menu-xmlid='participant_sms.menu_participant_sms_sent']:contains(SMS envoyés)",
    },
    {
      content: "No send menu: neither My SMS, nor batch, nor free SMS",
      trigger:
        ".o-dropdown--menu:not(:has([data-menu-xmlid='participant_sms.menu_participant_sms_batch'])):not(:has([data-menu-xmlid='participant_sms.menu_participant_sms_free'])):not(:has([data-menu-xmlid='participant_sms.menu_participant_sms_desk']))",
    },
    screenshot("reader_sms_menu"),
  ],
});
