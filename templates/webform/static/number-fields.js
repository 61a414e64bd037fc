/*
 * The web form's number inputs (data-number="whole" or "decimal"), read as the server will
 * read them (numbers.js). Under each one, the value read, grouped as the reports write numbers
 * but with every digit typed ("= 1.265,5"; reports round to two decimals). A text that cannot
 * be read, or that reads two ways ("1.265": 1265 or 1,265?), gets the server's own message
 * next to it as it is typed, and the page is not sent until it is fixed.
 * The server reads the post again and stays the authority; without this script it says the
 * same after the post.
 *
 * An input's error is the element "<id>-error", as the server draws it: once the unit edits
 * the value, the server's message about the old value is replaced by this script's.
 */
(function () {
  "use strict";

  var numbers = window.CheckroundNumbers;
  var form = document.getElementById("answers");
  var messagesElement = document.getElementById("number-messages");
  if (!numbers || !form || !messagesElement) {
    return;
  }
  var messages = JSON.parse(messagesElement.textContent);
  var lang = document.documentElement.lang;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  // [the value read, as the reports write it, or null; the message for a text that is not one number, or null]
  function reading(input) {
    var text = input.value.trim();
    if (!text) {
      return [null, null];
    }
    var whole = input.getAttribute("data-number") === "whole";
    var read = numbers.parse(text, lang, whole);
    if (read.problem === "ambiguous") {
      var first = numbers.formatForInput(read.readings[0], lang);
      var second = numbers.formatForInput(read.readings[1], lang);
      return [null, fill(messages.ambiguous_number, { text: text, first: first, second: second })];
    }
    if (read.problem === "too_large") {
      return [null, messages.too_large];
    }
    if (read.problem) {
      return [null, messages[whole ? "unreadable_integer" : "unreadable_number"]];
    }
    return [numbers.format(read.value, lang, null), null];
  }

  function echoOf(input) {
    var id = input.id + "-echo";
    var echo = document.getElementById(id);
    if (!echo) {
      echo = document.createElement("p");
      echo.id = id;
      echo.className = "number-echo";
      echo.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", echo);
    }
    return echo;
  }

  function describe(input, id, on) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (each) {
      return each && each !== id;
    });
    if (on) {
      ids.push(id);
    }
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  function showError(input, message) {
    var id = input.id + "-error";
    var error = document.getElementById(id);
    if (message && !error) {
      error = document.createElement("p");
      error.id = id;
      error.className = "error";
      error.setAttribute("role", "alert");
      echoOf(input).insertAdjacentElement("afterend", error);
    }
    if (error && message) {
      error.textContent = message;
    } else if (error) {
      error.remove();
    }
    describe(input, id, Boolean(message));
    if (message) {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
  }

  // Returns the input's message, if any. `judge` "all" shows it (or clears the input's error);
  // "problems" only shows one; "none" leaves the input's error as it is.
  function update(input, judge) {
    var found = reading(input);
    var echo = echoOf(input);
    echo.textContent = found[0] === null ? "" : "= " + found[0];
    echo.hidden = found[0] === null;
    if (judge === "all" || (judge === "problems" && found[1] !== null)) {
      showError(input, found[1]);
    }
    return found[1];
  }

  function inputs() {
    return Array.prototype.slice.call(form.querySelectorAll("input[data-number]"));
  }

  form.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-number")) {
      update(event.target, "all");
    } else if (event.target === form) {
      // Answers put back into the page at once (draft.js restoring what was typed): read
      // them all, and flag any that the server would refuse.
      inputs().forEach(function (input) {
        update(input, "problems");
      });
    }
  });

  form.addEventListener("submit", function (event) {
    var wrong = inputs().filter(function (input) {
      return !input.disabled && update(input, "all") !== null;
    });
    if (wrong.length) {
      event.preventDefault();
      wrong[0].focus();
    }
  });

  // A page of a paged form (pages.js) checks its own numbers before moving on: the inputs in
  // `container` the server would refuse, each now showing its message.
  window.CheckroundNumberFields = {
    check: function (container) {
      return inputs().filter(function (input) {
        return container.contains(input) && !input.disabled && update(input, "all") !== null;
      });
    },
  };

  // Rows added in the page bring new inputs: they are read as they are typed in.
  inputs().forEach(function (input) {
    update(input, "none"); // the server has already judged what it drew
  });
})();
