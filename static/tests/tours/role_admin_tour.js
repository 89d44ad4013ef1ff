/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";
import {screenshot} from "@participant_sms/../tests/tours/role_screenshot";

const SMS_MENU = "participant_sms.menu_participant_sms";

function openSmsMenu(xmlid, label) {
  return [
    {
      content: "Open the SMS menu",
      trigger: `.o_main_navbar button[data-menu-xmlid='${SMS_MENU}']`,
      run: "click",
    },
    {
      content: `${label}, in French`,
      trigger: `.dropdown-item[data-menu-xmlid='participant_sms.${xmlid}']:contains(${label})`,
      run: "click",
    },
  ];
}

/**
 * The SMS administrator, in French: the dashboard, the sent SMS, the templates, and the SMS
 * credit in the settings.
 */
registry.category("web_tour.tours").add("participant_sms_role_admin_tour", {
  steps: () => [
    ...openSmsMenu("menu_participant_sms_dashboard", "Tableau de bord"),
    {
      content: "The dashboard draws its charts",
      trigger: ".o_psms_charts canvas",
    },
    {
      trigger: ".o-form-buttonbox:contains(Crédit restant)",
    },
    screenshot("admin_dashboard"),
    ...openSmsMenu("menu_participant_sms_sent", "SMS envoyés"),
    {
      content: "The SMS sent are listed",
      trigger: ".o_list_view .o_data_row:contains(Amina BENALI)",
    },
    screenshot("admin_sent"),
    ...openSmsMenu("menu_participant_sms_templates", "Modèles"),
    {
      content: "The templates are listed",
      trigger: ".o_list_view .o_data_row:contains(Invitation à)",
    },
    screenshot("admin_templates"),
    ...openSmsMenu("menu_participant_sms_settings", "Paramétrage"),
    {
      content: "The credit left in the packages, in French",
      trigger:
        "#psms_credit_remaining:contains(Crédit restant) .o_field_widget[name=psms_credit_remaining]:contains(/\\d/)",
      run() {
        // the block's title ("Crédit SMS") at the top of the screen
        const block = this.anchor.closest(".o_settings_container") || this.anchor;
        (block.previousElementSibling || block).scrollIntoView({block: "start"});
      },
    },
    screenshot("admin_settings"),
  ],
});
