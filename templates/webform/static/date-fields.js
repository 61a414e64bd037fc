/*
 * The web form's date inputs (data-date) are text, typed day first (14/06/2019) whatever the
 * phone's own date format; the server reads them (checkround/formats/dates.py). Where the
 * browser can open its date picker from a script, a button next to each input opens it, and
 * the day picked is written into the input the same way. Without this script, or without a
 * picker, the date is typed. Rows a repeat group gains in the page (form.js adds them from the
 * row template) get their buttons as they appear.
 */
(function () {
  "use strict";

  var form = document.getElementById("answers");
  var probe = document.createElement("input");
  probe.type = "date";
  if (!form || probe.type !== "date" || typeof probe.showPicker !== "function") {
    return;
  }

  // "14/06/2019" (or 14-6-2019, 14.6.2019) as the picker's "2019-06-14"; "" for anything else.
  function iso(text) {
    var match = /^\s*([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})\s*$/.exec(text);
    if (!match) {
      return /^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$/.test(text) ? text.trim() : "";
    }
    return match[4] + "-" + ("0" + match[3]).slice(-2) + "-" + ("0" + match[1]).slice(-2);
  }

  function addPicker(input) {
    input.setAttribute("data-picker", "");
    var picker = document.createElement("input");
    picker.type = "date";
    picker.className = "date-picker";
    picker.tabIndex = -1;
    picker.setAttribute("aria-hidden", "true");
    picker.min = input.getAttribute("data-min") || "";
    picker.max = input.getAttribute("data-max") || "";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "pick-date";
    button.textContent = input.getAttribute("data-date");
    button.addEventListener("click", function () {
      picker.value = iso(input.value);
      try {
        picker.showPicker();
      } catch (error) {
        input.focus(); // no picker here after all: the date is typed
      }
    });
    picker.addEventListener("change", function () {
      var day = picker.value.split("-");
      if (day.length === 3) {
        input.value = day[2] + "/" + day[1] + "/" + day[0];
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
    input.insertAdjacentElement("afterend", button);
    button.insertAdjacentElement("afterend", picker);
  }

  // Inputs inside a <template> are not in the document: they are found once a row is made.
  function addPickers() {
    form.querySelectorAll("input[data-date]:not([data-picker])").forEach(addPicker);
  }

  addPickers();
  new MutationObserver(addPickers).observe(form, { childList: true, subtree: true });
})();
