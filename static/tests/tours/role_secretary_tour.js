/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";
import {formatDateTime} from "@web/core/l10n/dates";
import {screenshot} from "@participant_sms/../tests/tours/role_screenshot";

const {DateTime} = luxon;

/**
 * A secretary (SMS: batch), in French, invites the participants of a saved list to a workshop:
 * SMS menu, "SMS par lot", list, date, type, theme, place, template, preview, validate.
 */
registry.category("web_tour.tours").add("participant_sms_role_secretary_tour", {
  steps: () => [
    {
      content: "Open the SMS menu",
      trigger:
        ".o_main_navbar button[data-menu-xmlid='participant_sms.menu_participant_sms']",
      run: "click",
    },
    {
      content: "Batch SMS, in French",
      trigger:
        ".dropdown-item[data-menu-xmlid='participant_sms.menu_participant_sms_batch']:contains(SMS par lot)",
      run: "click",
    },
    {
      content: "The batch dialog, in French",
      trigger: ".modal:contains(Destinataires):contains(Modèle de SMS)",
    },
    {
      content: "Pick the saved list",
      trigger: ".modal .o_field_widget[name=list_id] input",
      run: "edit Atelier CV",
    },
    {
      trigger: ".o-autocomplete--dropdown-item a:contains(Atelier CV de mars)",
      run: "click",
    },
    {
      content: "The workshop in a week at 14:00 (French date format)",
      trigger: ".modal .o_field_widget[name=start] input",
      run: `edit ${formatDateTime(
        DateTime.now().plus({days: 7}).set({hour: 14, minute: 0, second: 0})
      )}`,
    },
    {
      trigger: ".modal .o_field_widget[name=appointment_type_id] input",
      run: "edit Atelier coll",
    },
    {
      trigger: ".o-autocomplete--dropdown-item a:contains(Atelier collectif)",
      run: "click",
    },
    {
      trigger: ".modal .o_field_widget[name=theme_id] input",
      run: "edit Candidatures",
    },
    {
      trigger: ".o-autocomplete--dropdown-item a:contains(Candidatures et CV)",
      run: "click",
    },
    {
      trigger: ".modal .o_field_widget[name=location] input",
      run: "edit Maison de l'emploi, salle 2",
    },
    {
      content: "Pick the batch template",
      trigger: ".modal .o_field_widget[name=template_id] input",
      run: "edit Invitation",
    },
    {
      trigger: ".o-autocomplete--dropdown-item a:contains(Invitation à)",
      run: "click",
    },
    {
      trigger: ".modal .o_field_widget[name=body] textarea:value(/first_name/)",
    },
    screenshot("secretary_batch"),
    {
      content: "Preview",
      trigger: ".modal button[name=action_preview]:contains(Aperçu)",
      run: "click",
    },
    {
      content: "One line per participant of the list, the text merged",
      trigger:
        ".modal .o_field_widget[name=line_ids] .o_data_row:nth-child(3):contains(Bonjour)",
    },
    {
      trigger: ".modal .o_field_widget[name=recipient_count]:contains(3)",
    },
    screenshot("secretary_batch_preview"),
    {
      content: "Validate",
      trigger: ".modal button[name=action_validate]:contains(Valider)",
      run: "click",
    },
    {
      content: "Confirm, in French",
      trigger:
        ".modal:contains(Créer les entretiens et programmer les SMS) .modal-footer .btn-primary",
      run: "click",
    },
    {
      content: "Summary, in French",
      trigger: ".o_notification:contains(3 SMS programmés)",
    },
  ],
});
