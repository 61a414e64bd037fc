/*
 * Numbers as the web form's language writes them: the page's copy of the server's grammar
 * (functions/checkround/formats/numbers.py says it in full). Vietnamese groups thousands with
 * "." and marks decimals with ","; English the reverse. A text is read the form language's way
 * and the other language's way; one reading (or two that agree) is the value, the form
 * language's decimal mark settles two that differ, and otherwise the text is ambiguous
 * ("1.265" in a Vietnamese decimal field: 1265 or 1,265?) and refused with both readings.
 *
 * The server stays the authority: it reads the posted text again. tests/fixtures/
 * number_cases.json holds this file and the server's module to the same cases.
 *
 * Loaded by the page as window.CheckroundNumbers; node's require() gets the same object.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.CheckroundNumbers = api;
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var MAX_LENGTH = 400;
  var MARKS = { vi: { group: ".", decimal: "," }, en: { group: ",", decimal: "." } };
  var OTHER = { vi: "en", en: "vi" };
  var SPACES = /[\u00a0\u202f\u2009]/g;
  var TRIM = /^[ \t\n\r\u00a0\u202f\u2009]+|[ \t\n\r\u00a0\u202f\u2009]+$/g;
  var SIGNS = { "-": -1, "\u2212": -1, "+": 1 };

  function escape(mark) {
    return mark.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function numeral(marks) {
    var g = escape(marks.group);
    var d = escape(marks.decimal);
    return new RegExp(
      "^(?:[0-9]+|[1-9][0-9]{0,2}([" + g + " ])[0-9]{3}(?:\\1[0-9]{3})*)(?:" + d + "[0-9]+)?$"
    );
  }

  var NUMERALS = { vi: numeral(MARKS.vi), en: numeral(MARKS.en) };

  function language(lang) {
    return MARKS[lang] ? lang : "vi";
  }

  function read(body, lang, integer) {
    var marks = MARKS[lang];
    if ((integer && body.indexOf(marks.decimal) >= 0) || !NUMERALS[lang].test(body)) {
      return null;
    }
    return Number(body.split(marks.group).join("").split(" ").join("").replace(marks.decimal, "."));
  }

  function value(number, sign, integer) {
    var result = number * sign;
    if (!isFinite(result)) {
      return { problem: "too_large" };
    }
    return { value: integer ? result : result + 0 };
  }

  /*
   * What `text` means in a form written in `lang`: {value: n}, or {problem: "invalid" |
   * "ambiguous" | "too_large"} (an ambiguous one also has readings: [grouped, decimal]).
   */
  function parse(text, lang, integer) {
    var body = String(text).replace(TRIM, "");
    if (!body || body.length > MAX_LENGTH) {
      return { problem: "invalid" };
    }
    var sign = SIGNS[body.charAt(0)];
    if (sign !== undefined) {
      body = body.slice(1);
    }
    sign = sign === undefined ? 1 : sign;
    body = body.replace(SPACES, " ");
    lang = language(lang);
    var own = read(body, lang, integer);
    var other = read(body, OTHER[lang], integer);
    if (own !== null && other !== null && own !== other && body.indexOf(MARKS[lang].decimal) < 0) {
      var first = value(Math.max(own, other), sign, integer);
      var second = value(Math.min(own, other), sign, integer);
      if (first.problem || second.problem) {
        return { problem: "too_large" };
      }
      return { problem: "ambiguous", readings: [first.value, second.value] };
    }
    var found = own !== null ? own : other;
    return found === null ? { problem: "invalid" } : value(found, sign, integer);
  }

  // A number in fixed notation ("-1234.5"): every digit it has, or rounded to `digits`.
  function fixed(number, digits) {
    var text = digits === null || digits === undefined ? String(number) : number.toFixed(digits);
    var match = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:e([+-][0-9]+))?$/.exec(text);
    var mantissa = match[2] + (match[3] || "");
    var point = match[2].length + (match[4] ? parseInt(match[4], 10) : 0);
    var body;
    if (point <= 0) {
      body = "0." + "0".repeat(-point) + mantissa;
    } else if (point >= mantissa.length) {
      body = mantissa + "0".repeat(point - mantissa.length);
    } else {
      body = mantissa.slice(0, point) + "." + mantissa.slice(point);
    }
    return match[1] + body;
  }

  /*
   * `number` written `lang`'s way: at most `digits` decimals (all it has when null), no
   * trailing zeros, thousands grouped unless `grouped` is false.
   */
  function format(number, lang, digits, grouped) {
    var marks = MARKS[language(lang)];
    var text = fixed(number, digits);
    var negative = text.charAt(0) === "-";
    var parts = text.replace(/^-/, "").split(".");
    var whole = parts[0].replace(/^0+(?=[0-9])/, "");
    var fraction = (parts[1] || "").replace(/0+$/, "");
    if (grouped !== false) {
      whole = whole.replace(/\B(?=([0-9]{3})+(?![0-9]))/g, marks.group);
    }
    var result = whole + (fraction ? marks.decimal + fraction : "");
    return negative && /[1-9]/.test(result) ? "-" + result : result;
  }

  function formatForInput(number, lang) {
    return format(number, lang, null, false);
  }

  return { parse: parse, format: format, formatForInput: formatForInput, MAX_LENGTH: MAX_LENGTH };
});
