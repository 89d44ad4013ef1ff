/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import { onWillUpdateProps, useEffect, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { SmsWidget, smsWidget } from "@sms/components/sms_widget/fields_sms_widget";
import { measure } from "./sms_text";

/**
 * Odoo's sms_widget counts each newline twice and treats € [ ] { } ~ ^ \ | as Unicode.
 * This one counts exactly as the server (tools/sms_text.py), live while the user types, and
 * points out the characters that force Unicode (typographic apostrophe, en dash, ê, ç, œ...).
 */
export class PsmsSmsWidget extends SmsWidget {
    static template = "participant_sms.PsmsSmsWidget";

    setup() {
        super.setup();
        this.live = useState({ text: null });
        useEffect(
            (el) => {
                if (!el) {
                    return;
                }
                const onInput = () => {
                    this.live.text = el.value;
                };
                el.addEventListener("input", onInput);
                return () => el.removeEventListener("input", onInput);
            },
            () => [this.targetEditElement.el]
        );
        onWillUpdateProps((nextProps) => {
            const next = nextProps.record.data[nextProps.name] || "";
            if (this.live.text !== null && next !== this.live.text) {
                this.live.text = null;  // changed from outside (template, onchange)
            }
        });
    }

    get text() {
        return this.live.text ?? (this.props.record.data[this.props.name] || "");
    }
    get measure() {
        return measure(this.text);
    }
    get encoding() {
        return this.measure.encoding;
    }
    get nbrChar() {
        return this.measure.units;
    }
    get nbrSMS() {
        return this.measure.segments;
    }
    get ucs2Chars() {
        return this.measure.ucs2Chars.map((char) => (char === " " ? "␣" : char)).join(" ");
    }
}

export const psmsSmsWidget = {
    ...smsWidget,
    component: PsmsSmsWidget,
};

registry.category("fields").add("psms_sms_widget", psmsSmsWidget);
