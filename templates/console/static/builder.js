/*
 * The form builder's editor, better with JavaScript. Without this script every button posts
 * the whole form to the server, which draws the page again (add, duplicate, remove, move, check,
 * save) and the preview is refreshed with its own button. With it:
 *  - sections, fields, row fields and choices can be dragged (SortableJS, vendored with its
 *    licence): each keeps a hidden "pos" input that the server reads the order from, and a drop
 *    rewrites them;
 *  - the preview follows the typing: a short while after the last change the form is posted to
 *    the preview frame (the "refresh the preview" button, which targets the frame);
 *  - a changed type redraws the editor, which shows that type's options;
 *  - a rule editor shows only the inputs of its chosen way (conditions, a sum, or JSON);
 *  - once anything changed, "publish" waits for the draft to be saved;
 *  - the page comes back to the element a button acted on, or to the error summary.
 */
(function () {
  "use strict";

  var form = document.getElementById("builder");
  if (!form) {
    return;
  }
  var previewButton = document.getElementById("preview-button");
  var unsaved = document.getElementById("unsaved");
  var publishArea = document.getElementById("publish-area");
  var timer = null;

  function refreshPreview() {
    if (previewButton) {
      previewButton.click();
    }
  }

  if (previewButton) {
    // A refresh asked for by hand makes the one waiting for the typing to pause unnecessary.
    previewButton.addEventListener("click", function () {
      window.clearTimeout(timer);
    });
  }

  function changed() {
    if (unsaved) {
      unsaved.hidden = false;
    }
    if (publishArea) {
      publishArea.hidden = true;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(refreshPreview, 600);
  }

  function renumber(list) {
    var position = 0;
    Array.prototype.forEach.call(list.children, function (child) {
      var pos = child.querySelector(":scope > input.pos");
      if (pos) {
        pos.value = String(position);
        position += 1;
      }
    });
  }

  if (window.Sortable) {
    form.querySelectorAll("[data-sort]").forEach(function (list) {
      window.Sortable.create(list, {
        handle: ".drag",
        draggable: ".b-sortable",
        animation: 120,
        // Pointer events rather than the browser's drag and drop: the same on a phone's touch
        // and a mouse, and with no drag image of a whole long fieldset.
        forceFallback: true,
        onEnd: function () {
          renumber(list);
          changed();
        },
      });
    });
    form.querySelectorAll(".drag").forEach(function (handle) {
      handle.classList.add("ready");
    });
  }

  function showMode(rule) {
    var checked = rule.querySelector(':scope > .b-modes input[type="radio"]:checked');
    var mode = checked ? checked.value : rule.getAttribute("data-mode");
    rule.querySelectorAll(":scope > [data-when]").forEach(function (part) {
      part.hidden = part.getAttribute("data-when") !== mode;
    });
  }

  form.querySelectorAll(".b-rule").forEach(function (rule) {
    showMode(rule);
    rule.querySelectorAll(':scope > .b-modes input[type="radio"]').forEach(function (radio) {
      radio.addEventListener("change", function () {
        showMode(rule);
      });
    });
  });

  // "Required when a rule holds": the rule's editor shows only when that is chosen.
  form.querySelectorAll(".b-required").forEach(function (box) {
    var rule = box.querySelector(":scope > .b-rule");
    function show() {
      var chosen = box.querySelector(':scope > label input[type="radio"]:checked');
      if (rule) {
        rule.hidden = !chosen || chosen.value !== "rule";
      }
    }
    show();
    box.addEventListener("change", show);
  });

  // A condition's value input offers the choices of the field it names.
  form.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches('.b-condition select[name$=".field"]')) {
      return;
    }
    var value = select.closest(".b-condition").querySelector('input[name$=".value"]');
    var option = select.options[select.selectedIndex];
    var list = option ? option.getAttribute("data-list") : null;
    if (list) {
      value.setAttribute("list", list);
    } else {
      value.removeAttribute("list");
    }
  });

  form.addEventListener("input", changed);
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-redraw")) {
      // A new type has other options: the server draws them (nothing is saved).
      var check = form.querySelector('button[name="op"][value="check"]');
      if (check) {
        check.click();
      }
      return;
    }
    changed();
  });

  // Back where the admin was: the element a button acted on, else the first error or conflict.
  var focus = form.getAttribute("data-focus");
  var target = (focus && document.getElementById(focus)) ||
    document.getElementById("conflict") || document.getElementById("error-summary");
  if (target) {
    if (target.tagName === "DETAILS") {
      target.open = true;
    }
    target.scrollIntoView({ block: "start" });
    if (target.id === "conflict" || target.id === "error-summary") {
      target.focus();
    }
  }
  if (form.getAttribute("data-dirty")) {
    // The page holds edits that are not saved: the frame shows them, not the saved draft.
    if (publishArea) {
      publishArea.hidden = true;
    }
    refreshPreview();
  }
})();
