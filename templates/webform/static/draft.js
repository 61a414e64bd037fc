/*
 * Checkround web form: nothing typed is lost.
 *
 * Without this script the server's draft ("Lưu nháp") works as before. With it:
 * - every change is kept on the phone (localStorage, one entry per round, unit and form
 *   version), so a reload, a crash, a closed in-app browser or a switch of language brings back
 *   what was typed;
 * - a moment after the last change the draft is also saved to the server in the background
 *   (the same post as "Lưu nháp", answered with JSON), and the page says when;
 * - leaving the page with changes the server has not saved asks first.
 *
 * A kept copy is put back only when it was made on top of what the server still holds (the
 * page's data-stamp: when the draft was last saved and the last revision); a draft saved or a
 * report sent since, from here or elsewhere, wins over it. After a successful submit the
 * receipt page removes the copy.
 */
(function () {
  "use strict";

  var SAVE_DELAY = 1500; // ms after the last change before the background save
  var STORE_DELAY = 250; // ms: typing is kept on the phone this soon

  function storage() {
    try {
      var probe = "checkround:probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null; // private mode or storage turned off: the background save still works
    }
  }

  function read(store, key) {
    try {
      var kept = JSON.parse(store.getItem(key) || "null");
      return kept && typeof kept === "object" && kept.values ? kept : null;
    } catch (error) {
      return null;
    }
  }

  // The receipt: the report is sent, so its kept copy is no longer needed.
  var sent = document.querySelector("[data-forget-draft]");
  if (sent) {
    var kept = storage();
    var key = sent.getAttribute("data-forget-draft");
    var copy = kept && read(kept, key);
    if (copy && copy.sending) {
      kept.removeItem(key);
    }
    return;
  }

  var form = document.getElementById("answers");
  var status = document.getElementById("autosave");
  if (!form || !status || !form.hasAttribute("data-draft-key")) {
    return;
  }
  var all = form.querySelector("fieldset.all");
  if (all && all.disabled) {
    return; // read-only: the round takes no answers
  }
  var store = storage();
  var key = form.getAttribute("data-draft-key");
  var stamp = form.getAttribute("data-stamp") || "";
  var SKIP = { csrf: true, submission_key: true, action: true, background: true, at: true };

  // -- a snapshot of the page's answers ---------------------------------------------------------

  function answerControls() {
    return Array.prototype.filter.call(form.elements, function (control) {
      var tag = control.tagName;
      return (
        control.name &&
        !SKIP[control.name] &&
        (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") &&
        control.type !== "hidden" &&
        control.type !== "submit" &&
        !control.closest("template")
      );
    });
  }

  function rowsByGroup() {
    var rows = {};
    form.querySelectorAll("[data-repeat]").forEach(function (group) {
      rows[group.getAttribute("data-repeat")] = Array.prototype.map.call(
        group.querySelectorAll(".rows > .row"),
        function (row) {
          return row.getAttribute("data-index");
        }
      );
    });
    return rows;
  }

  function snapshot() {
    var values = {};
    answerControls().forEach(function (control) {
      var list = values[control.name] || (values[control.name] = []);
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) {
          list.push(control.value);
        }
      } else {
        list.push(control.value);
      }
    });
    return { values: values, rows: rowsByGroup() };
  }

  function same(a, b) {
    return JSON.stringify(a.values) === JSON.stringify(b.values) && JSON.stringify(a.rows) === JSON.stringify(b.rows);
  }

  // -- putting a kept copy back -------------------------------------------------------------------

  // Rows are matched by their place in the group, not their index: the page may number them
  // differently from the page the copy was made on (indices have gaps after a removal).
  function matchRows(kept) {
    var renamed = {};
    Object.keys(kept.rows || {}).forEach(function (group) {
      var element = form.querySelector('[data-repeat="' + group + '"]');
      if (!element) {
        return;
      }
      var wanted = kept.rows[group].length;
      var rows = function () {
        return element.querySelectorAll(".rows > .row");
      };
      var add = element.querySelector(".add-row");
      while (rows().length < wanted && add && !add.hidden) {
        add.click(); // form.js adds the row
      }
      while (rows().length > wanted) {
        var last = rows()[rows().length - 1];
        var remove = last.querySelector(".remove-row");
        if (!remove) {
          break;
        }
        remove.click();
      }
      Array.prototype.forEach.call(rows(), function (row, position) {
        var from = kept.rows[group][position];
        if (from !== undefined) {
          renamed[group + "." + from + "."] = group + "." + row.getAttribute("data-index") + ".";
        }
      });
    });
    return renamed;
  }

  function nameNow(name, renamed) {
    var prefixes = Object.keys(renamed);
    for (var i = 0; i < prefixes.length; i++) {
      if (name.indexOf(prefixes[i]) === 0) {
        return renamed[prefixes[i]] + name.slice(prefixes[i].length);
      }
    }
    return name;
  }

  function restore(kept) {
    var renamed = matchRows(kept);
    var values = {};
    Object.keys(kept.values).forEach(function (name) {
      values[nameNow(name, renamed)] = kept.values[name];
    });
    answerControls().forEach(function (control) {
      var wanted = values[control.name];
      if (wanted === undefined) {
        return;
      }
      if (control.type === "radio" || control.type === "checkbox") {
        control.checked = wanted.indexOf(control.value) >= 0;
      } else {
        var siblings = answerControls().filter(function (other) {
          return other.name === control.name;
        });
        var value = wanted[siblings.indexOf(control)];
        control.value = value === undefined ? "" : value;
      }
    });
    // form.js recomputes totals and relevance, number fields re-read their values.
    form.dispatchEvent(new Event("input", { bubbles: true }));
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "autosave" + (kind ? " " + kind : "");
    status.hidden = !text;
  }

  var kept = store && read(store, key);
  // A copy made while a background save was on its way may meet the stamp that save made: it
  // holds at least what the save sent (the page was left before the answer came).
  // Unless the page was left by posting the form and this page is the server's answer that the
  // post was saved (?saved=): the post carried everything the copy holds, and the page shows it
  // as the server read it.
  var posted = kept && kept.posted && /[?&]saved=/.test(window.location.search);
  var current = kept && (kept.stamp === stamp || (kept.saving && !posted));
  if (current && !same(kept, snapshot())) {
    restore(kept);
    var restored = document.getElementById("restored");
    if (restored) {
      restored.textContent = restored.getAttribute("data-text").replace("{at}", kept.at || "");
      restored.hidden = false;
    }
  }

  // -- keeping and saving --------------------------------------------------------------------------

  var changes = 0; // changes made so far
  var savedChanges = 0; // changes the server holds
  var saving = false;
  var storeTimer = null;
  var saveTimer = null;
  var leaving = false;
  var sending = false; // the page is being submitted
  var posting = false; // the form is being posted (saved, sent, or moved to another page)
  if (current && kept.unsaved) {
    changes = 1; // the copy put back is newer than the server's draft: save it too
    setTimeout(saveNow, 0);
  }

  function clock() {
    var now = new Date();
    var pad = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    return pad(now.getHours()) + ":" + pad(now.getMinutes());
  }

  function keep() {
    if (!store) {
      return;
    }
    var copy = snapshot();
    copy.stamp = stamp;
    copy.at = clock();
    copy.unsaved = changes !== savedChanges;
    copy.sending = sending;
    copy.saving = saving; // a background save is on its way (see where the copy is put back)
    copy.posted = posting; // the page was left by posting the form
    try {
      store.setItem(key, JSON.stringify(copy));
    } catch (error) {
      // storage full: the background save still runs
    }
  }

  function saveNow() {
    saveTimer = null;
    if (saving || leaving || changes === savedChanges) {
      return;
    }
    saving = true;
    var upTo = changes;
    var body = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (name !== "action") {
        body.append(name, value);
      }
    });
    body.append("action", "draft");
    body.append("background", "1");
    fetch(form.getAttribute("action") || "", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      redirect: "error",
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (reply) {
            return { ok: response.ok, reply: reply };
          });
      })
      .then(function (result) {
        saving = false;
        if (!result.ok || !result.reply.stamp) {
          var refused = new Error(result.reply.message || "");
          refused.fromServer = true;
          throw refused;
        }
        savedChanges = Math.max(savedChanges, upTo);
        // The server now holds this draft: later copies are made on top of it.
        stamp = result.reply.stamp;
        form.setAttribute("data-stamp", stamp);
        keep();
        say(status.getAttribute("data-saved").replace("{at}", result.reply.saved_at || clock()), "saved");
        if (changes !== savedChanges) {
          schedule();
        }
      })
      .catch(function (error) {
        saving = false;
        var message = status.getAttribute("data-failed");
        // The server's reason, in the page's language; a network failure needs no more words.
        say(error && error.fromServer && error.message ? message + " " + error.message : message, "failed");
      });
  }

  function schedule() {
    if (saveTimer) {
      clearTimeout(saveTimer);
    }
    saveTimer = setTimeout(saveNow, SAVE_DELAY);
  }

  function changed() {
    changes += 1;
    // At most STORE_DELAY after a change, however fast the typing goes on (a throttle, not a
    // debounce: continuous typing is kept too).
    if (!storeTimer) {
      storeTimer = setTimeout(function () {
        storeTimer = null;
        keep();
      }, STORE_DELAY);
    }
    schedule();
  }

  form.addEventListener("input", function (event) {
    if (event.isTrusted) {
      changed();
    }
  });
  form.addEventListener("change", function (event) {
    if (event.isTrusted) {
      changed();
    }
  });
  // Adding or removing a repeat row changes the answers too.
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=action]");
    if (button && /^(add|remove):/.test(button.value) && event.isTrusted) {
      setTimeout(changed, 0);
    }
  });

  form.addEventListener("submit", function (event) {
    leaving = true;
    // The copy is kept as it is sent (no later timer may overwrite it): marked "sending" when
    // the report is submitted, so the receipt knows to remove it.
    clearTimeout(storeTimer);
    clearTimeout(saveTimer);
    var button = event.submitter;
    sending = !button || button.value === "submit";
    posting = true;
    keep();
  });

  // pages.js moved to another page of a form of one section per page: the draft is saved on
  // the way, as the post that moved without the script did (and kept on the phone at once).
  form.addEventListener("checkround:page", function () {
    if (leaving || changes === savedChanges) {
      return;
    }
    clearTimeout(storeTimer);
    storeTimer = null;
    keep();
    clearTimeout(saveTimer);
    saveNow();
  });

  // The connection is back: a draft the server could not be given is saved now, not at the
  // next change.
  window.addEventListener("online", function () {
    if (!leaving && changes !== savedChanges) {
      clearTimeout(saveTimer);
      saveNow();
    }
  });

  // outbox.js sent a report kept while offline: the receipt removes this copy.
  form.addEventListener("checkround:sent", function () {
    leaving = true;
    sending = true;
    keep();
  });

  // The language link and any other way out: what is typed is kept on the phone first.
  document.querySelectorAll("a[hreflang]").forEach(function (link) {
    link.addEventListener("click", function () {
      leaving = true;
      keep();
    });
  });

  window.addEventListener("pagehide", function () {
    if (!leaving && changes !== savedChanges) {
      keep();
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (leaving || changes === savedChanges) {
      return undefined;
    }
    keep();
    event.preventDefault();
    event.returnValue = ""; // the browser asks in its own words
    return "";
  });

  window.addEventListener("pageshow", function (event) {
    leaving = false; // back to this page from the browser's cache
    sending = false;
    posting = false;
    if (event.persisted) {
      keep();
    }
  });
})();
