/*
 * Checkround web form: a form of one section per page (appearance: pages), page to page
 * without the network.
 *
 * Without this script every move is a post: the server saves the draft on the way and answers
 * with the next page (all sections are in every page, the others hidden, so every post carries
 * every answer). With it, the server's page is the first of a run of pages the script shows
 * itself: "Tiếp tục", "Quay lại", a section in the list and "Sửa" on the check page show the
 * page they name at once, with or without a connection, and
 * - the browser's back and forward buttons move between those pages (each move is an entry in
 *   the history, its address the server's for that page: ?page=<section>, so a reload or a
 *   link opens the same page);
 * - the focus goes to the page's heading, as on a page the browser loaded;
 * - "Tiếp tục" first checks what the page itself can tell (a required answer left empty, a
 *   number the server would not read: the server's own messages) and stays, with a summary
 *   of them at the top, until they are put right; "Quay lại" and the list never stop the unit;
 * - "Kiểm tra câu trả lời" shows every answer as the page holds it (the server draws the list
 *   with the page; data-answer names each row's field);
 * - draft.js hears of each move (checkround:page) and saves the draft in the background then,
 *   as the post used to; what is typed is kept on the phone either way;
 * - "Gửi báo cáo" is the page's own submit, sent by outbox.js (kept while offline).
 * A page that came back from the server with errors shows every section (data-whole): here it
 * opens at the first page with an error, and a link to a field on another page opens that page.
 */
(function () {
  "use strict";

  var form = document.getElementById("answers");
  var current = form && form.querySelector('input[name="page"]');
  var check = document.getElementById("check-answers");
  var step = document.getElementById("step");
  var back = document.getElementById("page-back");
  var next = document.getElementById("page-next");
  var send = document.getElementById("send");
  if (!current || !check || !step || !back || !next || !send) {
    return; // a form on one page, or one the round no longer takes answers for
  }
  var toc = document.getElementById("toc");
  var lang = document.documentElement.lang;
  var numbers = window.CheckroundNumbers;
  var shown = null; // the page shown: a section's key or "check"

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function visible(element) {
    return !element.closest("[hidden]");
  }

  function sectionOf(key) {
    return key === "check" ? check : form.querySelector('section[data-section="' + key + '"]');
  }

  function keyOf(element) {
    var home = element && element.closest("section[data-section], #check-answers");
    return home ? (home === check ? "check" : home.getAttribute("data-section")) : null;
  }

  // The pages in order: the unit's sections the rules show (form.js hides the others as the
  // answers change), then the check page.
  function order() {
    return Array.prototype.filter
      .call(form.querySelectorAll("section[data-section]"), function (section) {
        return !section.hidden;
      })
      .map(function (section) {
        return section.getAttribute("data-section");
      })
      .concat(["check"]);
  }

  function pageInAddress() {
    return new URL(location.href).searchParams.get("page");
  }

  function addressOf(key) {
    var url = new URL(location.href);
    url.searchParams.set("page", key);
    url.searchParams.delete("saved"); // said once, by the page that saved
    url.hash = "";
    return url.pathname + url.search;
  }

  // -- the check page ------------------------------------------------------------------------------

  function choiceText(control) {
    var text = control.closest("label") && control.closest("label").querySelector("span");
    return text ? text.textContent.trim() : control.value;
  }

  function numberText(input) {
    var text = input.value.trim();
    if (!text) {
      return "";
    }
    var read = numbers ? numbers.parse(text, lang, input.getAttribute("data-number") === "whole") : null;
    var value = read && !read.problem ? numbers.format(read.value, lang, 2) : text; // as the reports print it
    var unit = input.getAttribute("data-unit");
    return unit ? value + " " + unit : value;
  }

  function dateText(text) {
    var day = /^\s*([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})\s*$/.exec(text);
    var two = function (n) {
      return ("0" + n).slice(-2);
    };
    return day ? two(day[1]) + "/" + two(day[3]) + "/" + day[4] : text.trim();
  }

  function controlText(control) {
    if (control.hasAttribute("data-number")) {
      return numberText(control);
    }
    return control.hasAttribute("data-date") ? dateText(control.value) : control.value.trim();
  }

  // A field's answer as the check page shows it (as checkround.reports.kinds.display_value
  // writes it for the page without this script); "" for no answer.
  function answerText(wrapper) {
    if (wrapper.classList.contains("field-checklist")) {
      var status = wrapper.querySelector("input[type=radio]:checked");
      var score = wrapper.querySelector("input[data-number]");
      var note = wrapper.querySelector("textarea");
      var parts = [];
      if (status) {
        parts.push(choiceText(status));
      }
      if (score && score.value.trim()) {
        parts.push(numberText(score) + "/" + wrapper.querySelector("fieldset.checklist").getAttribute("data-max-score"));
      }
      if (note && note.value.trim()) {
        parts.push(note.value.trim());
      }
      return parts.join(" · ");
    }
    if (wrapper.classList.contains("field-repeat")) {
      var lines = [];
      wrapper.querySelectorAll(".rows > .row").forEach(function (row) {
        var said = Array.prototype.map
          .call(row.querySelectorAll(":scope > .field"), function (sub) {
            return visible(sub) ? answerText(sub) : "";
          })
          .filter(Boolean);
        if (said.length) {
          lines.push(lines.length + 1 + ". " + said.join(" — ")); // an emptied row is no row
        }
      });
      return lines.join("\n");
    }
    var output = wrapper.querySelector("output");
    if (output) {
      return output.textContent.trim() === "—" ? "" : output.textContent.trim();
    }
    var boxes = wrapper.querySelectorAll("input[type=radio], input[type=checkbox]");
    if (boxes.length) {
      return Array.prototype.filter
        .call(boxes, function (box) {
          return box.checked;
        })
        .map(choiceText)
        .join("; ");
    }
    var control = wrapper.querySelector("textarea, input:not([type=hidden]):not(.date-picker):not(.filter)");
    return control ? controlText(control) : "";
  }

  function fillCheck() {
    check.querySelectorAll("[data-check-section]").forEach(function (part) {
      var section = sectionOf(part.getAttribute("data-check-section"));
      part.hidden = !section || section.hidden;
    });
    check.querySelectorAll("[data-answer]").forEach(function (row) {
      var wrapper = form.querySelector('.field[data-path="' + row.getAttribute("data-answer") + '"]');
      row.hidden = !wrapper || !visible(wrapper);
      if (!row.hidden) {
        row.querySelector("dd").textContent = answerText(wrapper) || "—";
      }
    });
  }

  // -- what a page can tell before moving on ----------------------------------------------------

  var summary = null; // the page's own error summary, while it has one

  function labelText(wrapper) {
    var label = wrapper.querySelector(":scope > label, :scope > fieldset > legend");
    if (!label) {
      return "";
    }
    var copy = label.cloneNode(true);
    copy.querySelectorAll(".req").forEach(function (mark) {
      mark.remove();
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function describe(control, id, on) {
    var ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (each) {
      return each && each !== id;
    });
    if (on) {
      ids.push(id);
    }
    if (ids.length) {
      control.setAttribute("aria-describedby", ids.join(" "));
    } else {
      control.removeAttribute("aria-describedby");
    }
  }

  function answerControls(wrapper) {
    return Array.prototype.filter.call(wrapper.querySelectorAll("input, textarea"), function (control) {
      return control.type !== "hidden" && !control.classList.contains("date-picker") && !control.classList.contains("filter");
    });
  }

  // A required answer left empty: the server's message next to the field, as the server draws it.
  function flag(wrapper) {
    var id = wrapper.id.replace(/-field$/, "") + "-error";
    var error = document.getElementById(id);
    if (!error) {
      error = document.createElement("p");
      error.id = id;
      error.className = "error";
      error.setAttribute("role", "alert");
      wrapper.appendChild(error);
    }
    error.textContent = wrapper.getAttribute("data-required");
    wrapper.classList.add("has-error");
    wrapper.removeAttribute("data-touched");
    wrapper.setAttribute("data-page-flag", "");
    answerControls(wrapper).forEach(function (control) {
      control.setAttribute("aria-invalid", "true");
      describe(control, id, true);
    });
  }

  function unflag(wrapper) {
    var id = wrapper.id.replace(/-field$/, "") + "-error";
    var error = document.getElementById(id);
    if (error) {
      error.remove();
    }
    wrapper.classList.remove("has-error");
    wrapper.removeAttribute("data-page-flag");
    answerControls(wrapper).forEach(function (control) {
      if (!control.hasAttribute("data-number")) {
        control.removeAttribute("aria-invalid"); // a number's own message is number-fields.js's
      }
      describe(control, id, false);
    });
  }

  function clearSummary() {
    if (summary) {
      summary.remove();
      summary = null;
    }
  }

  function problemsOf(key) {
    var section = sectionOf(key);
    var found = [];
    if (!section || key === "check") {
      return found;
    }
    var guide = window.CheckroundGuide;
    section.querySelectorAll(":scope > .field[data-required]").forEach(function (wrapper) {
      if (!visible(wrapper) || !guide) {
        return;
      }
      if (guide.answered(wrapper)) {
        if (wrapper.hasAttribute("data-page-flag")) {
          unflag(wrapper);
        }
        return;
      }
      flag(wrapper);
      var first = answerControls(wrapper).filter(function (control) {
        return !control.disabled;
      })[0];
      found.push({ wrapper: wrapper, control: first, message: wrapper.getAttribute("data-required") });
    });
    var wrong = window.CheckroundNumberFields ? window.CheckroundNumberFields.check(section) : [];
    wrong.forEach(function (input) {
      var error = document.getElementById(input.id + "-error");
      found.push({ wrapper: input.closest(".field"), control: input, message: error ? error.textContent : "" });
    });
    // In the page's order, as the server's summary lists them.
    var all = Array.prototype.slice.call(section.querySelectorAll("input, textarea"));
    found.sort(function (a, b) {
      return all.indexOf(a.control) - all.indexOf(b.control);
    });
    return found;
  }

  function summarize(found) {
    clearSummary();
    summary = document.createElement("div");
    summary.className = "notice error-notice";
    summary.id = "page-errors";
    summary.setAttribute("role", "alert");
    summary.tabIndex = -1;
    var title = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = fill(step.getAttribute("data-errors"), { n: found.length });
    title.appendChild(strong);
    summary.appendChild(title);
    var list = document.createElement("ul");
    found.forEach(function (problem) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + (problem.control ? problem.control.id : problem.wrapper.id);
      link.textContent = labelText(problem.wrapper);
      item.appendChild(link);
      item.appendChild(document.createTextNode(": " + problem.message));
      list.appendChild(item);
    });
    summary.appendChild(list);
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) {
        return;
      }
      event.preventDefault(); // no history entry for a jump inside the page
      (target.closest(".field") || target).scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
    });
    step.insertAdjacentElement("afterend", summary);
    summary.focus();
  }

  // -- showing a page ------------------------------------------------------------------------------

  function show(key) {
    var pages = order();
    if (pages.indexOf(key) < 0) {
      key = pages[0]; // a page the rules now hide, or none: the first
    }
    var at = pages.indexOf(key);
    // A reviewer's section (no data-section) is on no page, as the server draws it.
    form.querySelectorAll("section.section").forEach(function (section) {
      section.classList.toggle("off-page", section.getAttribute("data-section") !== key);
    });
    check.classList.toggle("off-page", key !== "check");
    if (key === "check") {
      fillCheck();
    }
    step.hidden = false;
    step.textContent =
      key === "check" ? step.getAttribute("data-check") : fill(step.getAttribute("data-step"), { n: at + 1, count: pages.length - 1 });
    back.hidden = at === 0;
    back.value = "goto:" + (at > 0 ? pages[at - 1] : "");
    next.hidden = key === "check";
    next.value = "goto:" + (key === "check" ? "" : pages[at + 1]);
    next.textContent = next.getAttribute(pages[at + 1] === "check" ? "data-check" : "data-next");
    send.hidden = key !== "check";
    current.value = key; // a post from here (a draft, a row without the script) comes back here
    if (toc) {
      toc.querySelectorAll("[data-toc]").forEach(function (item) {
        var link = item.querySelector("button, a");
        if (item.getAttribute("data-toc") === key) {
          link.setAttribute("aria-current", "step");
        } else {
          link.removeAttribute("aria-current");
        }
      });
    }
    // The language switch keeps the page as well as what is typed (draft.js).
    document.querySelectorAll("a[hreflang]").forEach(function (link) {
      var url = new URL(link.href);
      url.searchParams.set("page", key);
      link.href = url.href;
    });
    if (key !== shown) {
      clearSummary();
    }
    shown = key;
  }

  // After a move: the top of the new page, its heading read first; draft.js saves on the way.
  function arrive() {
    var heading = sectionOf(shown).querySelector("h2");
    window.scrollTo(0, 0);
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
    if (toc) {
      toc.querySelector("details").open = false;
    }
    form.dispatchEvent(new CustomEvent("checkround:page", { detail: { page: shown } }));
  }

  function go(key) {
    var was = shown;
    show(key);
    if (shown !== was) {
      history.pushState({ checkroundPage: shown }, "", addressOf(shown));
    }
    arrive();
  }

  // "Tiếp tục", "Quay lại", "Sửa" and the sections of the list (submit buttons named goto:…,
  // some outside the form with form="answers"): shown here instead of posted.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest('button[name="action"]');
    var wanted = button && button.form === form ? /^goto:(.+)$/.exec(button.value) : null;
    if (!wanted) {
      return;
    }
    event.preventDefault();
    if (button === next) {
      var found = problemsOf(shown);
      if (found.length) {
        summarize(found);
        return;
      }
    }
    go(wanted[1]);
  });

  // A link to a field or section on another page (the error summary, the section list of a
  // page with errors, a returned report's comments): that page first, then the browser's jump.
  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest && event.target.closest('a[href^="#"]');
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      var key = keyOf(target);
      if (key && key !== shown) {
        show(key);
        history.pushState({ checkroundPage: shown }, "", addressOf(shown));
        form.dispatchEvent(new CustomEvent("checkround:page", { detail: { page: shown } }));
      }
    },
    true
  );

  // A required answer given after the page said it was missing: its message goes.
  function answered(event) {
    var wrapper = event.target.closest && event.target.closest(".field[data-page-flag]");
    if (wrapper && window.CheckroundGuide && window.CheckroundGuide.answered(wrapper)) {
      unflag(wrapper);
    }
  }
  form.addEventListener("input", answered);
  form.addEventListener("change", answered);

  // An answer that shows or hides a section changes the pages: the step and the buttons follow
  // (after form.js, whose listeners come first, has shown or hidden it).
  var pagesNow = order().join(" ");
  function reorder() {
    var pages = order().join(" ");
    if (pages !== pagesNow) {
      pagesNow = pages;
      show(shown);
    }
  }
  form.addEventListener("input", reorder);
  form.addEventListener("change", reorder);

  // The browser's back and forward buttons.
  window.addEventListener("popstate", function (event) {
    // An entry of this script's, else one the browser made for a jump to a field, else the address.
    var jumped = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    var key = (event.state && event.state.checkroundPage) || keyOf(jumped) || pageInAddress();
    if (key && key !== shown) {
      show(key);
      arrive();
    }
  });

  // A report sent from the check page that the page's script refused (a number it cannot read
  // on another page, number-fields.js): that page, and the number, in sight.
  form.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) {
      return;
    }
    var wrong = form.querySelector('input[aria-invalid="true"]:not(:disabled)');
    var key = keyOf(wrong);
    if (key && key !== shown) {
      go(key);
      wrong.focus();
    }
  });

  // Where to start: a page that came back with errors opens at the first page with one; else
  // the page the address names (offline, the service worker may answer with another page's
  // copy), else the server's.
  var start;
  if (step.hasAttribute("data-whole")) {
    start = keyOf(form.querySelector("section[data-section] .field.has-error"));
  } else {
    start = pageInAddress() || current.value;
  }
  show(start);
  history.replaceState({ checkroundPage: shown }, "", location.href);
})();
