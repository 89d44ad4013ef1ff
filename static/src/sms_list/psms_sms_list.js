/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";
import {session} from "@web/session";
import {listView} from "@web/views/list/list_view";
import {ListController} from "@web/views/list/list_controller";

/**
 * The SMS lists say so while the company sends through the built-in simulator: no real SMS
 * leaves, and the statuses shown are simulated.
 */
export class PsmsSmsListController extends ListController {
  static template = "participant_sms.SmsListView";

  /** The hook of psms_sms_list.scss: the SMS lists keep their title and buttons whole. */
  get className() {
    return `${super.className || ""} o_psms_sms_list`;
  }

  get psmsSimulated() {
    return Boolean(session.psms_simulated);
  }
}

registry.category("views").add("psms_sms_list", {
  ...listView,
  Controller: PsmsSmsListController,
});
