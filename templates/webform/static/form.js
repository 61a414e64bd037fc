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
 * answers anyway. The data the rules read is built as the server builds it from stored answers
 * (checkround/forms/rule_data.py, the one rule): empty inputs are no answer, numbers are read as
 * the page's language writes them (numbers.js), an emptied repeat row is no row. That part
 * (RuleData) does not touch the page, and node's require() of this file returns it.
 */
(function (root) {
  "use strict";

  // -- the data the rules read ----------------------------------------------------------------
  //
  // Built by one rule, the server's (checkround/forms/rule_data.py says it in full): a field
  // not answered is absent (never null, "" or an empty list); text without the spaces around
  // it and with "\n" line ends; a date as its ISO text; a checklist item and a repeat row hold
  // the parts answered; calculated values are computed here (the form's until they settle,
  // then each row's in order) and kept when they are finite numbers, text or yes/no. Nothing
  // in this part touches the page: it reads it through `page` (value, ticked, rows, whole), so
  // node's require() runs the same builder (tests/unit/test_rule_engines.py).
  var RuleData = (function () {
    var MAX_CALCULATED_TEXT = 10000;

    function compact(record) {
      Object.keys(record).forEach(function (key) {
        if (record[key] === undefined) {
          delete record[key];
        }
      });
      return Object.keys(record).length ? record : undefined;
    }

    function clean(value) {
      var text = typeof value === "string" ? value.replace(/\r\n?/g, "\n").trim() : "";
      return text === "" ? undefined : text;
    }

    // "14/06/2019" (or 14-6-2019, 14.6.2019) and "2019-06-14" as "2019-06-14", as the server
    // reads a date (checkround/formats/dates.py); anything else, or no such day, is no answer.
    function isoDate(text) {
      var parts = /^([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})$/.exec(text);
      var iso = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
      var year, month, day;
      if (parts) {
        year = +parts[4];
        month = +parts[3];
        day = +parts[1];
      } else if (iso) {
        year = +iso[1];
        month = +iso[2];
        day = +iso[3];
      } else {
        return undefined;
      }
      var moment = new Date(0);
      moment.setUTCFullYear(year, month - 1, day);
      var same = moment.getUTCFullYear() === year && moment.getUTCMonth() === month - 1 && moment.getUTCDate() === day;
      if (year < 1 || !same) {
        return undefined;
      }
      return ("000" + year).slice(-4) + "-" + ("0" + month).slice(-2) + "-" + ("0" + day).slice(-2);
    }

    function text(reading, name) {
      return clean(reading.page.value(name));
    }

    function number(reading, name) {
      var value = text(reading, name);
      if (value === undefined || !reading.numbers) {
        return undefined;
      }
      var read = reading.numbers.parse(value, reading.lang, reading.page.whole(name));
      // A number that cannot be read is no answer to the rules, as on the server (number-fields.js
      // says why next to it).
      return read.problem || typeof read.value !== "number" || !isFinite(read.value) ? undefined : read.value;
    }

    function readRow(reading, name, field, index) {
      var record = {};
      field.fields.forEach(function (sub) {
        record[sub.key] = READERS[sub.reader](reading, name + "." + index + "." + sub.key, sub);
      });
      return compact(record);
    }

    // The readers that field types name (browser_reader in checkround.forms.fieldtypes.REGISTRY;
    // the server sends each field's as "reader" in #rules); undefined is "no answer".
    var READERS = {
      text: text,
      number: number,
      date: function (reading, name) {
        var value = text(reading, name);
        return value === undefined ? undefined : isoDate(value);
      },
      boolean: function (reading, name) {
        var value = text(reading, name);
        return value === undefined ? undefined : value === "true";
      },
      choices: function (reading, name) {
        var values = reading.page.ticked(name).filter(function (value) {
          return value !== "";
        });
        return values.length ? values : undefined;
      },
      checklist: function (reading, name) {
        var status = reading.page.ticked(name + ".status")[0];
        return compact({
          status: status === "" ? undefined : status,
          score: number(reading, name + ".score"),
          note: text(reading, name + ".note"),
        });
      },
      rows: function (reading, name, field) {
        var rows = reading.page
          .rows(name)
          .map(function (index) {
            return readRow(reading, name, field, index);
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

    // What a calculation gives: a finite number, text up to MAX_CALCULATED_TEXT characters or
    // yes/no; null for anything else and for a rule that fails.
    function result(logic, rule, data) {
      var value;
      try {
        value = logic.apply(rule, data);
      } catch (error) {
        return null;
      }
      if (typeof value === "number") {
        return isFinite(value) ? value : null;
      }
      if (typeof value === "string") {
        return Array.from(value).length > MAX_CALCULATED_TEXT ? null : value;
      }
      return typeof value === "boolean" ? value : null;
    }

    // Set holder[key] to a result ("" and null are no value); whether it changed.
    function put(holder, key, value) {
      var before = holder[key];
      if (value === null || value === "") {
        delete holder[key];
        return before !== undefined;
      }
      holder[key] = value;
      return before !== value;
    }

    function settleRow(logic, spec, field, record, data) {
      field.fields.forEach(function (sub) {
        if (sub.computed) {
          var scope = Object.assign({}, data);
          scope[spec.item] = record;
          put(record, sub.key, result(logic, sub.calculate, scope));
        }
      });
      return record;
    }

    function settle(logic, spec, data) {
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
      for (var pass = 0; pass < totals.length; pass += 1) {
        var changed = false;
        totals.forEach(function (total) {
          changed = put(data[total.section], total.field.key, result(logic, total.field.calculate, data)) || changed;
        });
        if (!changed) {
          break;
        }
      }
      spec.sections.forEach(function (section) {
        section.fields.forEach(function (field) {
          var rows = field.fields ? data[section.key][field.key] : undefined;
          (Array.isArray(rows) ? rows : []).forEach(function (record) {
            settleRow(logic, spec, field, record, data);
          });
        });
      });
      return data;
    }

    // reading: {page, numbers, lang, logic}; page reads the inputs: value(name) (the first
    // control's, a checked radio's, "" for none), ticked(name) (checked boxes' values in the
    // page's order), rows(name) (a repeat group's row indices), whole(name) (a whole number).
    function build(reading, spec) {
      var data = {};
      spec.sections.forEach(function (section) {
        var values = {};
        section.fields.forEach(function (field) {
          values[field.key] = READERS[field.reader](reading, section.key + "." + field.key, field);
        });
        data[section.key] = compact(values) || {};
      });
      return settle(reading.logic, spec, data);
    }

    // One row as its rules read it (_item), its calculations computed against `data`.
    function row(reading, spec, name, field, index, data) {
      return settleRow(reading.logic, spec, field, readRow(reading, name, field, index) || {}, data);
    }

    return { build: build, row: row, READERS: READERS };
  })();

  if (typeof module === "object" && module.exports) {
    module.exports = RuleData;
    return;
  }

  // -- the page ---------------------------------------------------------------------------------

  var form = document.getElementById("answers");
  var rulesElement = document.getElementById("rules");
  if (!form || !rulesElement || !root.jsonLogic) {
    return;
  }
  var jsonLogic = root.jsonLogic;
  var spec = JSON.parse(rulesElement.textContent);
  var lang = document.documentElement.lang;
  var PLACEHOLDER = "__i__"; // the index in a repeat group's row template

  function controls(name) {
    return form.querySelectorAll('[name="' + name + '"]');
  }

  function rowsOf(name) {
    var group = form.querySelector('[data-repeat="' + name + '"]');
    return group ? Array.prototype.slice.call(group.querySelectorAll(".rows > .row")) : [];
  }

  var reading = {
    lang: lang,
    logic: jsonLogic,
    numbers: root.CheckroundNumbers,
    page: {
      value: function (name) {
        var control = controls(name)[0];
        if (control && control.type === "radio") {
          control = form.querySelector('[name="' + name + '"]:checked'); // a short list: none is no answer
        }
        return control ? control.value : "";
      },
      ticked: function (name) {
        return Array.prototype.map.call(form.querySelectorAll('[name="' + name + '"]:checked'), function (box) {
          return box.value;
        });
      },
      rows: function (name) {
        return rowsOf(name).map(function (row) {
          return row.getAttribute("data-index");
        });
      },
      whole: function (name) {
        var control = controls(name)[0];
        return Boolean(control) && control.getAttribute("data-number") === "whole";
      },
    },
  };

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
    var data = RuleData.build(reading, spec);
    spec.sections.forEach(function (section) {
      section.fields.forEach(function (field) {
        if (field.computed) {
          show(section.key + "." + field.key, data[section.key][field.key]);
        }
      });
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
      var index = row.getAttribute("data-index");
      var scope = Object.assign({}, data);
      scope[spec.item] = RuleData.row(reading, spec, name, field, index, data);
      var prefix = name + "." + index + ".";
      field.fields.forEach(function (sub) {
        if (sub.computed) {
          show(prefix + sub.key, scope[spec.item][sub.key]);
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
})(this);
