/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";

/**
 * The period button of `value` is the element a real click at its centre reaches: nothing (the
 * charts' row) lies over it.
 */
function assertReachable(value) {
  for (const selector of [
    `input[data-value='${value}']`,
    `input[data-value='${value}'] + label`,
  ]) {
    const target = document.querySelector(`.o_field_widget[name=period] ${selector}`);
    target.scrollIntoView({block: "center"});
    const box = target.getBoundingClientRect();
    const hit = document.elementFromPoint(
      box.left + box.width / 2,
      box.top + box.height / 2
    );
    if (hit !== target) {
      throw new Error(
        `The period button '${value}' is covered by ${hit && hit.outerHTML.slice(0, 120)}`
      );
    }
  }
}

/** The months of the period, in the user's language ("Nov 2026"), never "2026-11". */
function assertMonths(expected) {
  const months = [
    ...document.querySelectorAll(".o_psms_pivot tbody tr td:first-child"),
  ].map((cell) => cell.textContent.trim());
  if (months.length !== expected) {
    throw new Error(
      `${expected} month(s) expected in the table, got ${months.join(" | ")}`
    );
  }
  if (months.some((month) => /^\d{4}-\d{2}$/.test(month))) {
    throw new Error(`Months read as ISO codes: ${months.join(" | ")}`);
  }
}

/** Click a period: reachable, becomes the active one, and the table shows its months. */
function periodSteps(value, label, months) {
  return [
    {
      content: `${label}: nothing covers the button`,
      trigger: `.o_field_widget[name=period] input[data-value='${value}']`,
      run: () => assertReachable(value),
    },
    {
      content: label,
      trigger: `.o_field_widget[name=period] input[data-value='${value}'] + label`,
      run: "click",
    },
    {
      content: `${label} is the active period`,
      trigger: `.o_field_widget[name=period] input[data-value='${value}']:checked`,
    },
    {
      content: `${label}: the figures are those of the period`,
      trigger: `.o_psms_pivot tbody:has(tr:nth-child(${months()})):not(:has(tr:nth-child(${months() + 1})))`,
      run: () => assertMonths(months()),
    },
  ];
}

registry.category("web_tour.tours").add("participant_sms_dashboard_tour", {
  steps: () => [
    {
      content: "The dashboard draws its charts on the page",
      trigger: ".o_psms_charts canvas.o_psms_chart_by_state",
    },
    ...periodSteps("month", "This month", () => 1),
    ...periodSteps("year", "This year", () => new Date().getMonth() + 1),
    ...periodSteps("12months", "Last 12 months", () => 12),
    {
      content: "Counts are whole numbers",
      trigger: ".o_psms_pivot tbody a",
      run: () => {
        const cells = [...document.querySelectorAll(".o_psms_pivot tbody a")];
        const bad = cells.filter(
          (cell) =>
            !/^\d[\d\s\u00a0\u202f.,]*$/.test(cell.textContent.trim()) ||
            /[.,]\d{2}$/.test(cell.textContent.trim())
        );
        if (bad.length) {
          throw new Error(
            `Counts with decimals: ${bad.map((cell) => cell.textContent).join(" | ")}`
          );
        }
        // the count axis of the chart by status: 0, 1, 2… never 0,1 … 1,0
        const chart = window.Chart.getChart(
          document.querySelector("canvas.o_psms_chart_by_state")
        );
        const ticks = chart.scales.y.ticks.map((tick) => tick.value);
        if (!ticks.length || ticks.some((value) => !Number.isInteger(value))) {
          throw new Error(`Count axis with fractions: ${ticks.join(" | ")}`);
        }
      },
    },
    {
      content: "The month x status table counts the delivered SMS: click one",
      trigger: ".o_psms_pivot tbody a:first",
      run: "click",
    },
    {
      content: "The list of exactly those SMS opens",
      trigger: ".o_list_view .o_data_row",
    },
    {
      trigger: ".o_psms_simulator_banner",
    },
  ],
});
