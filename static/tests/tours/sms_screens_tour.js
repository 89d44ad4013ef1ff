/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";

/** `element` shows its whole text: nothing cut by an ellipsis or hidden by overflow. */
function cut(element) {
  return [element, ...element.querySelectorAll("*")].filter(
    (node) =>
      node.offsetParent !== null &&
      node.scrollWidth > node.clientWidth + 1 &&
      getComputedStyle(node).overflowX !== "visible"
  );
}

/** How many lines the text of `element` takes (its icons aside). */
function lines(element) {
  const tops = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    if (!walker.currentNode.textContent.trim()) {
      continue;
    }
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    tops.push(
      ...[...range.getClientRects()]
        .filter((rect) => rect.width > 0)
        .map((rect) => rect.top)
    );
  }
  tops.sort((a, b) => a - b);
  let count = 0;
  let last = -Infinity;
  for (const top of tops) {
    if (top - last > 5) {
      count++;
      last = top;
    }
  }
  return count;
}

function describe(nodes) {
  return nodes
    .map(
      (node) =>
        `${node.tagName}.${node.className}: '${node.textContent.trim()}' ` +
        `(${node.scrollWidth} > ${node.clientWidth})`
    )
    .join(" ; ");
}

/**
 * The SMS list on the page fits the screen: its title, the status and number columns (headers
 * and cells) are not cut, and the Excel export button stands on one line.
 */
registry.category("web_tour.tours").add("participant_sms_list_fit_tour", {
  steps: () => [
    {
      content: "The list shows its SMS",
      trigger: ".o_list_view .o_data_row td[name=state] .badge",
    },
    {
      content: "Title, status and number are whole; the export button is on one line",
      trigger: ".o_list_view .o_data_row",
      run: () => {
        const problems = [];
        const title = document.querySelector(".o_control_panel .o_breadcrumb");
        if (!title) {
          problems.push("no title");
        } else if (cut(title).length) {
          problems.push(`title cut: ${describe(cut(title))}`);
        }
        for (const name of ["state", "number_display"]) {
          const header = document.querySelector(
            `.o_list_table thead th[data-name=${name}]`
          );
          if (!header) {
            problems.push(`no column ${name}`);
            continue;
          }
          const label = header.querySelector(".o_list_number_th, span") || header;
          if (cut(header).length) {
            problems.push(`header ${name} cut: ${describe(cut(header))}`);
          }
          if (lines(label) > 1) {
            problems.push(`header ${name} on ${lines(label)} lines`);
          }
          for (const cell of document.querySelectorAll(
            `.o_data_row td[name=${name}]`
          )) {
            if (cut(cell).length) {
              problems.push(`cell ${name} cut: ${describe(cut(cell))}`);
            }
          }
        }
        const exportButton = document.querySelector("button[name=action_export_xlsx]");
        if (exportButton && lines(exportButton) > 1) {
          problems.push(`the export button holds ${lines(exportButton)} lines`);
        }
        if (exportButton && cut(exportButton).length) {
          problems.push(`the export button is cut: ${describe(cut(exportButton))}`);
        }
        if (problems.length) {
          throw new Error(
            `At ${window.innerWidth}x${window.innerHeight}: ${problems.join(" | ")}`
          );
        }
      },
    },
  ],
});

/**
 * Upcoming SMS (a French user): no Delete (Odoo's joke dialog) but "Cancel the SMS", with its own words; the
 * SMS leaves the list (it is kept as Cancelled).
 */
registry.category("web_tour.tours").add("participant_sms_cancel_upcoming_tour", {
  steps: () => [
    {
      content: "Select the SMS to come",
      trigger:
        ".o_data_row:contains('Screens PARTICIPANT') .o_list_record_selector input",
      run: "click",
    },
    {
      content: "The actions offer no Delete",
      trigger: ".o_control_panel_actions .o_cp_action_menus button",
      run: "click",
    },
    {
      trigger: ".o-dropdown--menu",
      run: () => {
        const items = [
          ...document.querySelectorAll(".o-dropdown--menu .o-dropdown-item"),
        ].map((item) => item.textContent.trim());
        if (items.some((item) => /Delete|Supprimer/.test(item))) {
          throw new Error(`Delete offered on upcoming SMS: ${items.join(" | ")}`);
        }
      },
    },
    {
      content: "Cancel the SMS",
      trigger: "button[name=action_cancel]",
      run: "click",
    },
    {
      content: "The confirmation says what happens (in French), not 'gone forever'",
      trigger: ".modal-body:contains('ne seront pas envoyés'):contains('Annulés')",
      run: () => {
        const text = document.querySelector(".modal-body").textContent;
        if (/forever|jamais|Bye-bye|Au revoir/.test(text)) {
          throw new Error(`Odoo's delete dialog: ${text}`);
        }
      },
    },
    {
      trigger: ".modal-footer .btn-primary",
      run: "click",
    },
    {
      content: "The SMS is no longer to come",
      trigger: ".o_list_view:not(:has(.o_data_row:contains('Screens PARTICIPANT')))",
    },
  ],
});
