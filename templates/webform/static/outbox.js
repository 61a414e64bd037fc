/*
 * Checkround web form: a report sent without a connection is kept and sent when it returns.
 *
 * Without this script the page posts natively (the server's answers are the same). With it,
 * "Gửi báo cáo" posts the page from the script: when the post cannot get through (no network,
 * a connection lost on the way, a gateway that answers 502 or 504) the post is kept on the phone
 * (localStorage, beside the copy draft.js keeps) with its submission key, the page says so, and
 * it is sent again when the browser is back online, on the next visit, or every half minute
 * meanwhile. Each try carries the same key, so the server stores it once however many tries
 * reach it. Any other answer is the server's to show: the page is posted again natively (the
 * same key again) and the browser shows the server's page (the errors, a refusal). After a 503
 * (the database did not answer: the report may be stored) that second post is the "send
 * again" the server asks for, and the same key makes it the same revision.
 *
 * It also registers the service worker (sw.js) and asks it to keep this page and its files,
 * so the form opens without a connection after the first visit.
 */
(function () {
  "use strict";

  var RETRY_EVERY = 30000; // ms between tries while a kept report waits

  var form = document.getElementById("answers");
  var status = document.getElementById("outbox");
  if (!form || !status || !form.hasAttribute("data-draft-key")) {
    return;
  }

  // -- the service worker --------------------------------------------------------------------------

  var worker = form.getAttribute("data-service-worker");
  if (worker && "serviceWorker" in navigator) {
    navigator.serviceWorker
      .register(worker)
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        var files = Array.prototype.map.call(document.querySelectorAll("script[src], link[rel=stylesheet]"), function (e) {
          return e.src || e.href;
        });
        registration.active.postMessage({ keep: [location.href].concat(files) });
        document.documentElement.setAttribute("data-offline-ready", "");
      })
      .catch(function () {
        // no service worker (private mode, an old browser): the form needs the network to open
      });
  }

  // -- the outbox ------------------------------------------------------------------------------------

  var all = form.querySelector("fieldset.all");
  if (all && all.disabled) {
    return;
  }
  var key = "checkround:outbox:" + form.getAttribute("data-draft-key");
  var store = null;
  try {
    store = window.localStorage;
  } catch (error) {
    store = null;
  }
  var timer = null;
  var sending = false;
  var held = null; // the report waiting: the last one the unit sent

  function say(name) {
    status.textContent = name ? status.getAttribute("data-" + name) : "";
    status.hidden = !name;
  }

  function kept() {
    try {
      return store && JSON.parse(store.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function postNatively(body) {
    // The server's answer is a page for the browser to show: post the same fields (the same
    // submission key) as the page would have.
    var sent = document.createElement("form");
    sent.method = "post";
    sent.action = form.getAttribute("action") || "";
    sent.hidden = true;
    new URLSearchParams(body).forEach(function (value, name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      sent.appendChild(input);
    });
    document.body.appendChild(sent);
    HTMLFormElement.prototype.submit.call(sent);
  }

  function send(post) {
    if (sending) {
      return;
    }
    sending = true;
    fetch(post.action, {
      method: "POST",
      body: new URLSearchParams(post.body),
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    })
      .then(function (response) {
        sending = false;
        if (response.status === 502 || response.status === 504) {
          throw new Error("not through"); // a gateway's answer: the function was not reached
        }
        if (store) {
          store.removeItem(key);
        }
        if (timer) {
          clearInterval(timer);
          timer = null;
        }
        if (response.ok && response.redirected && new URL(response.url).pathname.slice(-8) === "/receipt") {
          form.dispatchEvent(new CustomEvent("checkround:sent")); // draft.js: the copy is done with
          location.assign(response.url); // stored: the receipt
        } else {
          postNatively(post.body); // the server's page (errors, a refusal) with the same key
        }
      })
      .catch(function () {
        sending = false;
        hold(post);
      });
  }

  function hold(post) {
    held = post;
    if (store) {
      try {
        store.setItem(key, JSON.stringify(post));
      } catch (error) {
        // storage full: the page stays open with the report in it, and tries again
      }
    }
    say("waiting");
    if (!timer) {
      // The report held when the timer fires, not the one that started it: a unit that changed
      // an answer and pressed "Gửi báo cáo" again while it waited (on another page, say) sends
      // the new one.
      timer = setInterval(function () {
        send(held);
      }, RETRY_EVERY);
    }
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (event.defaultPrevented || (button && button.value !== "submit")) {
      return; // drafts, rows: posted natively as before
    }
    event.preventDefault();
    var data = new FormData(form);
    data.set("action", "submit");
    var post = { action: new URL(form.getAttribute("action") || "", location.href).href, body: Array.from(data.entries()) };
    say("sending");
    if (navigator.onLine === false) {
      hold(post);
    } else {
      send(post);
    }
  });

  window.addEventListener("online", function () {
    var post = kept();
    if (post) {
      send(post);
    }
  });

  // A report kept on an earlier visit (the page was closed while it waited).
  var waiting = kept();
  if (waiting) {
    if (navigator.onLine === false) {
      hold(waiting);
    } else {
      say("sending");
      send(waiting);
    }
  }
})();
