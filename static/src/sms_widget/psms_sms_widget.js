/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {onWillUpdateProps, useEffect, useState} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {SmsWidget, smsWidget} from "@sms/components/sms_widget/fields_sms_widget";
import {session} from "@web/session";
import {convert, measure} from "./sms_text";

/**
 * Odoo's sms_widget counts each newline twice and treats € [ ] { } ~ ^ \ | as Unicode.
 * This one counts exactly as the server (tools/sms_text.py), live while the user types, and
 * counts the text as it will be sent: typography (and accents, after the company's "SMS
 * characters" setting) written in GSM-7, as the server does; it says what it replaced and
 * points out the characters that still force Unicode (emoji...). Given the field holding the
 * company's maximum (option ``max_segments_field``), a text over it is shown as an error as
 * soon as it is typed, not when saving.
 */
export class PsmsSmsWidget extends SmsWidget {
  static template = "participant_sms.PsmsSmsWidget";
  static props = {
    ...SmsWidget.props,
    maxSegmentsField: {type: String, optional: true},
  };

  setup() {
    super.setup();
    this.live = useState({text: null});
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
        this.live.text = null; // changed from outside (template, onchange)
      }
    });
  }

  get text() {
    return this.live.text ?? (this.props.record.data[this.props.name] || "");
  }
  get converted() {
    return convert(this.text, session.psms_text_mode || "typography");
  }
  get measure() {
    return measure(this.converted.text);
  }
  get replaced() {
    const show = (char) => (char === "\u00a0" || char === "\u202f" ? "⍽" : char || "∅");
    return [...this.converted.replaced]
      .map(([char, repl]) => `${show(char)} → ${show(repl)}`)
      .join("  ");
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
  get maxSegments() {
    const field = this.props.maxSegmentsField;
    return (field && this.props.record.data[field]) || 0;
  }
  get overMax() {
    return Boolean(this.maxSegments) && this.measure.segments > this.maxSegments;
  }
  get ucs2Chars() {
    return this.measure.ucs2Chars.map((char) => (char === " " ? "␣" : char)).join(" ");
  }
}

export const psmsSmsWidget = {
  ...smsWidget,
  component: PsmsSmsWidget,
  extractProps(fieldInfo, dynamicInfo) {
    return {
      ...smsWidget.extractProps(fieldInfo, dynamicInfo),
      maxSegmentsField: fieldInfo.options?.max_segments_field,
    };
  },
};

registry.category("fields").add("psms_sms_widget", psmsSmsWidget);
