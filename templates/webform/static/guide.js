/*
 * Checkround web form: finding one's way through it.
 *
 * The page works without this script: the list of sections is a <details> with each section's
 * state as the server saw it, the error summary links to each field, text areas say their
 * limit. With it:
 * - the error summary takes the focus when the page comes back with errors, and its links
 *   bring the whole field, its label first, into view and put the cursor in it;
 * - the list of sections follows the answers as they are typed (complete, in progress, has
 *   errors, not started: the same rule as checkround.forms.webform.progress) and closes when a
 *   section is picked;
 * - a text area with a limit says how much of it is left;
 * - "Lưu nháp" tells the server where the unit was, and the saved page comes back there.
 */
(function () {
  "use strict";

  var form = document.getElementById("answers");
  if (!form) {
    return;
  }

  function visible(element) {
    return !element.closest("[hidden]");
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function counted(n) {
    var numbers = window.CheckroundNumbers;
    return numbers ? numbers.format(n, document.documentElement.lang, 0) : String(n);
  }

  // -- the error summary -------------------------------------------------------------------------

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) {
        return;
      }
      // The browser jumps to the control; then the field's label is brought into view with it.
      window.requestAnimationFrame(function () {
        var wrapper = target.closest(".field") || target;
        wrapper.scrollIntoView({ block: "start" });
        var control = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
        if (control) {
          control.focus({ preventScroll: true });
        }
      });
    });
  }

  // -- the list of sections --------------------------------------------------------------------------

  var toc = document.getElementById("toc");
  var stateNames = {};
  var template = document.getElementById("section-states");
  if (template) {
    template.content.querySelectorAll("[data-state]").forEach(function (name) {
      stateNames[name.getAttribute("data-state")] = name.textContent;
    });
  }

  function controlsOf(wrapper) {
    return Array.prototype.filter.call(wrapper.querySelectorAll("input, select, textarea"), function (control) {
      return !control.disabled && !control.closest("template") && control.type !== "hidden";
    });
  }

  function given(control) {
    if (control.type === "radio" || control.type === "checkbox") {
      return control.checked;
    }
    return control.value.trim() !== "";
  }

  function answered(wrapper) {
    var controls = controlsOf(wrapper);
    if (wrapper.classList.contains("field-checklist")) {
      // A checklist item is answered with its result and its score; the note is optional.
      var status = controls.some(function (control) {
        return control.type === "radio" && control.checked;
      });
      var score = controls.some(function (control) {
        return /\.score$/.test(control.name) && given(control);
      });
      return status && score;
    }
    return controls.some(given);
  }

  function stateOf(section) {
    var flagged = Array.prototype.filter.call(
      section.querySelectorAll('.field.has-error:not([data-touched]), input[data-number][aria-invalid="true"]'),
      visible
    );
    if (flagged.length) {
      return "errors";
    }
    var asked = Array.prototype.filter.call(section.querySelectorAll(":scope > .field"), function (wrapper) {
      return visible(wrapper) && !wrapper.classList.contains("field-calculated");
    });
    var done = asked.filter(answered);
    if (!done.length) {
      return "not_started";
    }
    var missing = asked.filter(function (wrapper) {
      return wrapper.hasAttribute("data-required") && done.indexOf(wrapper) < 0;
    });
    return missing.length ? "in_progress" : "complete";
  }

  function updateToc() {
    if (!toc) {
      return;
    }
    var shown = 0;
    var complete = 0;
    form.querySelectorAll("section[data-section]").forEach(function (section) {
      var item = toc.querySelector('[data-toc="' + section.getAttribute("data-section") + '"]');
      if (!item) {
        return;
      }
      item.hidden = section.hidden;
      if (section.hidden) {
        return;
      }
      var state = stateOf(section);
      shown += 1;
      complete += state === "complete" ? 1 : 0;
      var badge = item.querySelector(".state-badge");
      if (badge.getAttribute("data-state") !== state) {
        badge.setAttribute("data-state", state);
        badge.textContent = stateNames[state] || state;
      }
    });
    var count = document.getElementById("toc-count");
    if (count) {
      count.textContent = fill(count.getAttribute("data-text"), { done: complete, n: shown });
    }
  }

  // pages.js asks the same question of a page's required fields before moving on, and has the
  // list follow it from page to page.
  window.CheckroundGuide = { answered: answered, updateToc: updateToc };

  if (toc) {
    toc.addEventListener("click", function (event) {
      if (event.target.closest("a")) {
        toc.querySelector("details").open = false; // the section, not the list, fills the screen
      }
    });
  }

  // -- text areas with a limit -------------------------------------------------------------------

  function updateCount(area) {
    var note = document.getElementById(area.id + "-count");
    if (!note) {
      return;
    }
    var left = parseInt(area.getAttribute("data-max-length"), 10) - area.value.length;
    var over = left < 0;
    var text = fill(note.getAttribute(over ? "data-over" : "data-left"), { n: counted(Math.abs(left)) });
    if (note.textContent !== text) {
      note.textContent = text;
    }
    note.classList.toggle("over", over);
  }

  var areas = form.querySelectorAll("textarea[data-max-length]");
  areas.forEach(updateCount);

  // -- keeping up with the answers ----------------------------------------------------------------

  var timer = null;
  function changed(event) {
    var wrapper = event.target.closest && event.target.closest(".field.has-error");
    if (wrapper && event.isTrusted) {
      wrapper.setAttribute("data-touched", ""); // the server's error was about the old answer
    }
    if (event.target.matches && event.target.matches("textarea[data-max-length]")) {
      updateCount(event.target);
    }
    if (timer) {
      clearTimeout(timer);
    }
    // After form.js has shown or hidden what the answer changes.
    timer = setTimeout(updateToc, 100);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("click", function (event) {
    if (event.target.closest(".add-row, .remove-row")) {
      setTimeout(updateToc, 100);
    }
  });
  updateToc();

  // -- coming back where the unit was after a save ------------------------------------------------

  var at = form.querySelector('input[name="at"]');
  form.addEventListener("submit", function (event) {
    if (!at || !event.submitter || event.submitter.value !== "draft") {
      return;
    }
    var here = "";
    // What the unit is reading: the last section or field that starts in the top quarter.
    var top = Math.max(toc ? toc.getBoundingClientRect().bottom + 8 : 8, window.innerHeight / 4);
    form.querySelectorAll("section[data-section], section[data-section] > .field").forEach(function (element) {
      // A section off the page (a form of one section per page) has no place on the screen.
      if (visible(element) && !element.closest(".off-page") && element.getBoundingClientRect().top <= top) {
        here = element.id;
      }
    });
    at.value = here;
  });
})();
