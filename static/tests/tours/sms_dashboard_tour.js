/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("participant_sms_dashboard_tour", {
    steps: () => [
        {
            content: "The dashboard draws its charts on the page",
            trigger: ".o_psms_charts canvas.o_psms_chart_by_state",
        },
        {
            content: "This year",
            trigger: ".o_field_widget[name=period] input[data-value='year']",
            run: "click",
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
