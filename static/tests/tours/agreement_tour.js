/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";

/**
 * A referent, in French, collects a participant's agreement on their CER during the
 * interview: opens the participant's file, the Documents tab, the CER; sends the code by SMS;
 * types a wrong code first (the window says so), then the code the participant reads; the CER
 * is agreed and its signed document can be downloaded.
 */
registry.category("web_tour.tours").add("participant_sms_agreement_tour", {
  steps: () => [
    {
      content: "The participant's file",
      trigger: ".o_breadcrumb:contains(Amina BENALI)",
    },
    {
      content: "The Documents tab, in French",
      trigger: ".o_notebook .nav-link:contains(Documents)",
      run: "click",
    },
    {
      content: "Open the CER",
      trigger:
        ".o_field_widget[name=participant_document_ids] .o_data_row:contains(CER du 12/03) button[name=action_open_document]",
      run: "click",
    },
    {
      content: "The CER is to agree",
      trigger: ".o_statusbar_status .o_arrow_button_current:contains(À accepter)",
    },
    {
      content: "Collect the agreement by SMS",
      trigger:
        "button[name=action_agreement_send_code]:contains(Recueillir l'accord par SMS)",
      run: "click",
    },
    {
      content: "The code was sent: the window asks for it",
      trigger:
        ".modal .o_field_widget[name=number_display]:contains(+33 6 12 34 56 01)",
    },
    {
      content: "Type a wrong code",
      trigger: ".modal .o_field_widget[name=code] input",
      run: "edit 111111",
    },
    {
      content: "Confirm it",
      trigger: ".modal button[name=action_confirm_code]",
      run: "click",
    },
    {
      content: "The window says the code is wrong, in French",
      trigger: ".modal .o_psms_agreement_error:contains(Code erroné)",
    },
    {
      content: "Type the code the participant reads",
      trigger: ".modal .o_field_widget[name=code] input",
      run: "edit 482913",
    },
    {
      content: "Confirm it",
      trigger: ".modal button[name=action_confirm_code]",
      run: "click",
    },
    {
      content: "The agreement is recorded",
      trigger: ".o_notification:contains(a donné son accord)",
    },
    {
      content: "The CER is agreed",
      trigger: ".o_statusbar_status .o_arrow_button_current:contains(Accepté)",
    },
    {
      content: "Its signed document can be downloaded",
      trigger: "button[name=action_open_certificate]:contains(Document signé)",
    },
  ],
});
