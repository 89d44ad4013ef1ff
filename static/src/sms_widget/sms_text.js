/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

/**
 * SMS text measurement, the browser twin of tools/sms_text.py (same tables, same rules):
 * GSM-7 counts septets (extension characters count 2), UCS-2 counts UTF-16 code units
 * (an emoji counts 2); 160/70 units fit in one SMS, longer texts are cut in segments of
 * 153/67 units that never split an escape pair or a surrogate pair.
 */
const GSM7_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
);
const GSM7_EXTENSION = new Set("\f^{}\\[~]|€");
export const SINGLE_LIMIT = {"GSM-7": 160, "UCS-2": 70};
export const SEGMENT_LIMIT = {"GSM-7": 153, "UCS-2": 67};

function isGsm7(char) {
  return GSM7_BASIC.has(char) || GSM7_EXTENSION.has(char);
}

export function ucs2Chars(text) {
  const seen = [];
  for (const char of text || "") {
    // iterates code points, as Python does
    if (!isGsm7(char) && !seen.includes(char)) {
      seen.push(char);
    }
  }
  return seen;
}

export function measure(text) {
  text = text || "";
  const forcing = ucs2Chars(text);
  const encoding = forcing.length ? "UCS-2" : "GSM-7";
  const costs = [];
  for (const char of text) {
    if (encoding === "GSM-7") {
      costs.push(GSM7_EXTENSION.has(char) ? 2 : 1);
    } else {
      costs.push(char.codePointAt(0) > 0xffff ? 2 : 1);
    }
  }
  const units = costs.reduce((a, b) => a + b, 0);
  let segments = 0;
  let remaining = SINGLE_LIMIT[encoding];
  if (costs.length && units <= SINGLE_LIMIT[encoding]) {
    segments = 1;
    remaining = SINGLE_LIMIT[encoding] - units;
  } else if (costs.length) {
    const limit = SEGMENT_LIMIT[encoding];
    let used = 0;
    segments = 1;
    for (const cost of costs) {
      if (used + cost > limit) {
        segments += 1;
        used = 0;
      }
      used += cost;
    }
    remaining = limit - used;
  }
  return {
    encoding,
    units,
    segments,
    length: [...text].length,
    remaining,
    ucs2Chars: forcing,
  };
}

// -- French-aware GSM-7, the twin of to_gsm() in tools/sms_text.py -------------------------
const TYPOGRAPHY = {};
const addAll = (chars, replacement) => {
  for (const char of chars) {
    TYPOGRAPHY[char] = replacement;
  }
};
addAll("’‘‚‛′`´", "'");
addAll("“”„‟″«»", '"');
addAll("‹›", "'");
addAll("…", "...");
addAll("–—‒―−‐‑", "-");
addAll("•", "-");
addAll("·", ".");
addAll(
  "\u00a0\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u205f\u3000",
  " "
);
addAll("\u200b\u200c\u200d\u2060\ufeff\u00ad", "");
addAll("\t", " ");
const LETTERS = {
  œ: "oe",
  Œ: "OE",
  ÿ: "y",
  Ÿ: "Y",
  ð: "d",
  Ð: "D",
  þ: "th",
  Þ: "TH",
  ł: "l",
  Ł: "L",
  đ: "d",
  Đ: "D",
  ı: "i",
};

function letter(char) {
  if (char in LETTERS) {
    return LETTERS[char];
  }
  const bare = char.normalize("NFD").replace(/\p{Mn}/gu, "");
  return bare && [...bare].every(isGsm7) ? bare : null;
}

/** {character: replacement} of what toGsm replaces, in order of first appearance. */
export function gsmReplacements(text, letters = false) {
  const found = new Map();
  for (const char of text || "") {
    if (found.has(char) || isGsm7(char)) {
      continue;
    }
    if (char in TYPOGRAPHY) {
      found.set(char, TYPOGRAPHY[char]);
    } else if (letters) {
      const replacement = letter(char);
      if (replacement !== null) {
        found.set(char, replacement);
      }
    }
  }
  return found;
}

export function convert(text, mode) {
  text = text || "";
  if (mode === "keep") {
    return {text, replaced: new Map()};
  }
  const replaced = gsmReplacements(text, mode === "letters");
  if (!replaced.size) {
    return {text, replaced};
  }
  return {
    text: [...text]
      .map((char) => (replaced.has(char) ? replaced.get(char) : char))
      .join(""),
    replaced,
  };
}
