/*
 * Checkround web form, better with JavaScript.
 *
 * The page works without this script: the server validates, drops answers for fields that are
 * not relevant, computes the totals and adds or removes repeat rows when their buttons post the
 * form. With it, the same happens as the unit types: the form's own JSON Logic rules (embedded
 * by the server in #rules, evaluated by the vendored json-logic-js exactly as the server's
 * engine does) hide the fields that are not relevant and recompute the calculated ones, and
 * rows are added and removed in the page.
 *
 * A hidden field's controls are disabled, so they are not posted: the server would drop those
 * answers anyway. Values are read the way the server reads the post (checkround/forms/
 * formdata.py): empty inputs are no answer, numbers are read as the page's language writes them
 * (numbers.js), an emptied repeat row is no row.
 */
(function () {
  "use strict";

  var form = document.getElementById("answers");
  var rulesElement = document.getElementById("rules");
  if (!form || !rulesElement || !window.jsonLogic) {
    return;
  }
  var jsonLogic = window.jsonLogic;
  var spec = JSON.parse(rulesElement.textContent);
  var lang = document.documentElement.lang;
  var PLACEHOLDER = "__i__"; // the index in a repeat group's row template

  function controls(name) {
    return form.querySelectorAll('[name="' + name + '"]');
  }

  function text(name) {
    var control = controls(name)[0];
    if (control && control.type === "radio") {
      control = form.querySelector('[name="' + name + '"]:checked'); // a short list: none is no answer
    }
    var value = control ? control.value.trim() : "";
    return value === "" ? undefined : value;
  }

  function number(name) {
    var value = text(name);
    if (value === undefined || !window.CheckroundNumbers) {
      return undefined;
    }
    var whole = controls(name)[0].getAttribute("data-number") === "whole";
    var read = window.CheckroundNumbers.parse(value, lang, whole);
    // A number that cannot be read is no answer to the rules, as on the server (number-fields.js
    // says why next to it).
    return read.problem ? undefined : read.value;
  }

  function checkedValues(name) {
    return Array.prototype.map.call(form.querySelectorAll('[name="' + name + '"]:checked'), function (box) {
      return box.value;
    });
  }

  function compact(record) {
    Object.keys(record).forEach(function (key) {
      if (record[key] === undefined) {
        delete record[key];
      }
    });
    return Object.keys(record).length ? record : undefined;
  }

  function rowsOf(name) {
    var group = form.querySelector('[data-repeat="' + name + '"]');
    return group ? Array.prototype.slice.call(group.querySelectorAll(".rows > .row")) : [];
  }

  function readRow(name, field, row) {
    var record = {};
    field.fields.forEach(function (sub) {
      record[sub.key] = READERS[sub.reader](name + "." + row.getAttribute("data-index") + "." + sub.key, sub);
    });
    return compact(record);
  }

  // The readers that field types name (browser_reader in checkround.forms.fieldtypes.REGISTRY;
  // the server sends each field's as "reader" in #rules); undefined is "no answer".
  var READERS = {
    text: text,
    number: number,
    boolean: function (name) {
      var value = text(name);
      return value === undefined ? undefined : value === "true";
    },
    choices: function (name) {
      var values = checkedValues(name);
      return values.length ? values : undefined;
    },
    checklist: function (name) {
      return compact({
        status: checkedValues(name + ".status")[0],
        score: number(name + ".score"),
        note: text(name + ".note"),
      });
    },
    rows: function (name, field) {
      var rows = rowsOf(name)
        .map(function (row) {
          return readRow(name, field, row);
        })
        .filter(function (record) {
          return record !== undefined;
        });
      return rows.length ? rows : undefined;
    },
    none: function () {
      return undefined; // computed below, never read from the page
    },
  };

  function collect() {
    var data = {};
    spec.sections.forEach(function (section) {
      var values = {};
      section.fields.forEach(function (field) {
        values[field.key] = READERS[field.reader](section.key + "." + field.key, field);
      });
      data[section.key] = compact(values) || {};
    });
    return data;
  }

  function computed(rule, data) {
    var value;
    try {
      value = jsonLogic.apply(rule, data);
    } catch (error) {
      return null;
    }
    return typeof value === "number" && isFinite(value) ? value : null;
  }

  function relevant(rule, data) {
    if (rule === undefined || rule === null) {
      return true;
    }
    try {
      return jsonLogic.truthy(jsonLogic.apply(rule, data));
    } catch (error) {
      return true; // as the server: a rule that cannot be evaluated hides nothing
    }
  }

  function format(value) {
    if (typeof value !== "number" || !isFinite(value) || !window.CheckroundNumbers) {
      return "—";
    }
    return window.CheckroundNumbers.format(value, lang, 2); // as the reports print it
  }

  function show(name, value) {
    var output = form.querySelector('[data-calc="' + name + '"]');
    if (output && output.value !== format(value)) {
      output.value = format(value);
    }
  }

  function toggle(element, shown) {
    if (!element) {
      return;
    }
    element.hidden = !shown;
    element.querySelectorAll("input, select, textarea, button").forEach(function (control) {
      if (!shown && !control.disabled) {
        control.disabled = true;
        control.setAttribute("data-off", "");
      } else if (shown && control.hasAttribute("data-off")) {
        control.disabled = false;
        control.removeAttribute("data-off");
      }
    });
  }

  function wrapper(name) {
    return form.querySelector('[data-path="' + name + '"]');
  }

  function update() {
    var data = collect();
    var totals = [];
    spec.sections.forEach(function (section) {
      section.fields.forEach(function (field) {
        if (field.computed) {
          totals.push({ section: section.key, field: field });
        }
      });
    });
    // Forms cannot save calculations that depend on each other in a loop, so as many passes
    // as there are calculations settle every chain (as on the server).
    totals.forEach(function () {
      totals.forEach(function (total) {
        data[total.section][total.field.key] = computed(total.field.calculate, data);
      });
    });
    totals.forEach(function (total) {
      show(total.section + "." + total.field.key, data[total.section][total.field.key]);
    });

    // Sections first, then their fields: a field shown again inside a section shown again
    // gets its own verdict after its section's.
    spec.sections.forEach(function (section) {
      var sectionShown = relevant(section.relevant, data);
      toggle(form.querySelector('[data-section="' + section.key + '"]'), sectionShown);
      section.fields.forEach(function (field) {
        var name = section.key + "." + field.key;
        var shown = sectionShown && relevant(field.relevant, data);
        toggle(wrapper(name), shown);
        if (field.fields && shown) {
          updateRows(name, field, data);
        }
      });
    });
  }

  function updateRows(name, field, data) {
    rowsOf(name).forEach(function (row) {
      var scope = Object.assign({}, data);
      scope[spec.item] = readRow(name, field, row) || {};
      var prefix = name + "." + row.getAttribute("data-index") + ".";
      field.fields.forEach(function (sub) {
        if (sub.computed) {
          show(prefix + sub.key, computed(sub.calculate, scope));
        } else if (sub.relevant !== undefined) {
          toggle(wrapper(prefix + sub.key), relevant(sub.relevant, scope));
        }
      });
    });
  }

  // -- repeat rows ----------------------------------------------------------------------------

  function renumber(group) {
    var rows = group.querySelectorAll(".rows > .row");
    rows.forEach(function (row, position) {
      row.querySelector(".row-n").textContent = String(position + 1);
    });
    var limit = parseInt(group.getAttribute("data-max"), 10);
    var add = group.querySelector(".add-row");
    if (add) {
      add.hidden = isFinite(limit) && rows.length >= limit;
    }
  }

  function addRow(group) {
    var next = 0;
    group.querySelectorAll(".rows > .row").forEach(function (row) {
      next = Math.max(next, parseInt(row.getAttribute("data-index"), 10) + 1);
    });
    var row = group.querySelector("template.row-template").content.firstElementChild.cloneNode(true);
    // Fill the index into every attribute that carries it (names, ids, for, aria-describedby,
    // the remove button's value); text is never touched.
    [row].concat(Array.prototype.slice.call(row.querySelectorAll("*"))).forEach(function (element) {
      Array.prototype.forEach.call(element.attributes, function (attribute) {
        if (attribute.value.indexOf(PLACEHOLDER) >= 0) {
          element.setAttribute(attribute.name, attribute.value.split(PLACEHOLDER).join(String(next)));
        }
      });
    });
    group.querySelector(".rows").appendChild(row);
    renumber(group);
    var first = row.querySelector("input, select, textarea");
    if (first) {
      first.focus();
    }
  }

  function removeRow(row) {
    var group = row.closest("[data-repeat]");
    row.remove();
    renumber(group); // one row fewer: the add button is back if the limit had hidden it
    group.querySelector(".add-row").focus();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=action]");
    var action = button ? /^(add|remove):/.exec(button.value) : null;
    if (!action) {
      return; // save and submit post the form
    }
    event.preventDefault();
    if (action[1] === "add") {
      addRow(button.closest("[data-repeat]"));
    } else {
      removeRow(button.closest(".row"));
    }
    update();
  });

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  // The server's "not needed" notes are for pages without this script: here a field that is
  // not needed is hidden, and comes back when it is.
  form.querySelectorAll(".off-note").forEach(function (note) {
    note.remove();
  });
  form.querySelectorAll("[data-repeat]").forEach(renumber);
  update();
})();
