/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {
  Component,
  onMounted,
  onPatched,
  onWillStart,
  onWillUnmount,
  useRef,
} from "@odoo/owl";
import {loadBundle} from "@web/core/assets";
import {registry} from "@web/core/registry";
import {user} from "@web/core/user";
import {useService} from "@web/core/utils/hooks";
import {formatFloat, formatInteger} from "@web/views/fields/formatters";
import {standardFieldProps} from "@web/views/fields/standard_field_props";

const COLORS = {
  delivered: "#28a745",
  sent: "#17a2b8",
  processing: "#6c757d",
  not_received: "#ffc107",
  failed: "#dc3545",
  expired: "#fd7e14",
  stop: "#343a40",
  unknown: "#adb5bd",
  not_sent: "#e83e8c",
};
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

/** A count axis: whole numbers only ("0, 1, 2", never "0,1 … 1,0"), with thousands separators. */
const COUNT_TICKS = {precision: 0, callback: (value) => formatInteger(value)};

/** Tooltips in the user's format: "10 000" for a count, "66,7 %" for the rate. */
function tooltip(format) {
  return {
    callbacks: {
      label: (item) => `${item.dataset.label || item.label}: ${format(item.raw)}`,
    },
  };
}
const formatCount = (value) => formatInteger(value);
const formatRate = (value) => `${formatFloat(value, {digits: [16, 1]})} %`;

/**
 * The SMS dashboard's charts and table, drawn from the dashboard's `charts` JSON: every bar,
 * point, slice and cell opens the list of the SMS it counts.
 */
export class PsmsSmsCharts extends Component {
  static template = "participant_sms.SmsCharts";
  static props = {...standardFieldProps};

  setup() {
    this.action = useService("action");
    this.canvases = {
      byState: useRef("byState"),
      rate: useRef("rate"),
      failures: useRef("failures"),
      contexts: useRef("contexts"),
    };
    this.charts = [];
    onWillStart(() => loadBundle("web.chartjs_lib"));
    onMounted(() => this.draw());
    onPatched(() => this.draw());
    onWillUnmount(() => this.destroy());
  }

  get data() {
    return this.props.record.data[this.props.name] || {};
  }

  /** A count as the user reads it: "10 000", never "10 000,00". */
  formatCount(value) {
    return formatCount(value);
  }

  open(domain, name) {
    this.action.doAction({
      type: "ir.actions.act_window",
      res_model: "participant.sms",
      name: name || "SMS",
      domain,
      views: [
        [false, "list"],
        [false, "form"],
      ],
      target: "current",
    });
  }

  destroy() {
    this.charts.forEach((chart) => chart.destroy());
    this.charts = [];
  }

  chart(ref, config, onClick) {
    if (!ref.el) {
      return;
    }
    config.options = Object.assign(
      {
        responsive: true,
        maintainAspectRatio: false,
        locale: (user.lang || "en-US").replace("_", "-"),
        onClick: (event, elements) => elements.length && onClick(elements[0]),
      },
      config.options
    );
    this.charts.push(new window.Chart(ref.el, config));
  }

  draw() {
    this.destroy();
    const data = this.data;
    if (!data.months) {
      return;
    }
    const titles = data.titles;
    this.chart(
      this.canvases.byState,
      {
        type: "bar",
        data: {
          labels: data.months,
          datasets: data.by_state.map((serie) => ({
            label: serie.label,
            data: serie.counts,
            backgroundColor: COLORS[serie.state],
          })),
        },
        options: {
          scales: {
            x: {stacked: true},
            y: {stacked: true, beginAtZero: true, ticks: COUNT_TICKS},
          },
          plugins: {tooltip: tooltip(formatCount)},
        },
      },
      (el) => {
        const serie = data.by_state[el.datasetIndex];
        this.open(serie.domains[el.index], `${serie.label} · ${data.months[el.index]}`);
      }
    );
    this.chart(
      this.canvases.rate,
      {
        type: "line",
        data: {
          labels: data.months,
          datasets: [
            {
              label: titles.rate,
              data: data.delivery_rate,
              borderColor: COLORS.delivered,
              spanGaps: true,
            },
          ],
        },
        options: {
          scales: {
            y: {
              min: 0,
              max: 100,
              ticks: {precision: 0, callback: (value) => `${value} %`},
            },
          },
          plugins: {tooltip: tooltip(formatRate)},
        },
      },
      (el) =>
        this.open(
          data.rate_domains[el.index],
          `${titles.rate} · ${data.months[el.index]}`
        )
    );
    for (const [key, ref] of [
      ["failures", this.canvases.failures],
      ["contexts", this.canvases.contexts],
    ]) {
      const items = data[key];
      this.chart(
        ref,
        {
          type: key === "failures" ? "bar" : "doughnut",
          data: {
            labels: items.map((item) => item.label),
            datasets: [
              {
                label: titles[key],
                data: items.map((item) => item.count),
                backgroundColor: items.map(
                  (item, index) => PALETTE[index % PALETTE.length]
                ),
              },
            ],
          },
          options:
            key === "failures"
              ? {
                  indexAxis: "y",
                  scales: {x: {beginAtZero: true, ticks: COUNT_TICKS}},
                  plugins: {legend: {display: false}, tooltip: tooltip(formatCount)},
                }
              : {plugins: {tooltip: tooltip(formatCount)}},
        },
        (el) => this.open(items[el.index].domain, items[el.index].label)
      );
    }
  }
}

registry.category("fields").add("psms_sms_charts", {component: PsmsSmsCharts});
