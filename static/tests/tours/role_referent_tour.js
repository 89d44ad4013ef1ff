/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";
import {screenshot} from "@participant_sms/../tests/tours/role_screenshot";

const SMS_MENU = "participant_sms.menu_participant_sms";

/**
 * A referent (SMS: individual scheduled and instant), in French: opens their participant's
 * file, then the appointment booked with them, switches the SMS reminder on, reads the text as
 * it will be sent, saves; the reminder is then in "Mes SMS".
 */
registry.category("web_tour.tours").add("participant_sms_role_referent_tour", {
  steps: () => [
    {
      content: "Open the participant's file",
      trigger: ".o_list_view .o_data_row:contains(Amina BENALI) .o_data_cell",
      run: "click",
    },
    {
      content: "The participant's file",
      trigger: ".o_breadcrumb:contains(Amina BENALI)",
    },
    screenshot("referent_participant"),
    {
      content: "Their appointments",
      trigger: ".o_form_view button[name=action_open_participant_appointments]",
      run: "click",
    },
    {
      content: "The appointments as a list",
      trigger: ".o_switch_view.o_list",
      run: "click",
    },
    {
      content: "Open the follow-up appointment",
      trigger: ".o_list_view .o_data_row:contains(Entretien de suivi) .o_data_cell",
      run: "click",
    },
    {
      content: "The SMS reminder tab, in French",
      trigger: ".o_notebook .nav-link[name=sms_reminder]:contains(Rappel par SMS)",
      run: "click",
    },
    {
      content: "Switch the reminder on",
      trigger: ".o_field_widget[name=sms_reminder] input:not(:checked)",
      run: "click",
    },
    {
      content: "The text proposed, merged for the participant, in French",
      trigger:
        ".o_field_widget[name=sms_reminder_body] textarea:value(/Bonjour.*BENALI/)",
      run() {
        this.anchor.scrollIntoView({block: "center"});
      },
    },
    {
      content: "The send is planned",
      trigger:
        ".o_field_widget[name=sms_reminder_planned_at]:contains(/\\d/), .o_field_widget[name=sms_reminder_planned_at] input:value(/\\d/)",
    },
    screenshot("referent_reminder"),
    {
      content: "Save",
      trigger: ".o_form_button_save",
      run: "click",
    },
    {
      trigger: ".o_form_saved",
    },
    {
      content: "The reminder is waiting to go, in French",
      trigger: ".o_field_widget[name=sms_reminder_state]:contains(Pas encore envoyé)",
    },
    {
      content: "Open the SMS menu",
      trigger: `.o_main_navbar button[data-menu-xmlid='${SMS_MENU}']`,
      run: "click",
    },
    {
      content: "My SMS, in French",
      trigger:
        ".dropdown-item[data-menu-xmlid='participant_sms.menu_participant_sms_desk']:contains(Mes SMS)",
      run: "click",
    },
    {
      content: "The upcoming reminders",
      trigger:
        ".o_notebook .nav-link[name=upcoming]:contains(Mes rappels et relances à venir)",
      run: "click",
    },
    {
      content: "The reminder is there",
      trigger:
        ".o_field_widget[name=upcoming_ids] .o_data_row:contains(Amina BENALI):contains(Bonjour)",
    },
    screenshot("referent_my_sms"),
  ],
});
