/* Checkround admin console: small conveniences on top of pages that work without it.
   - [data-live]: the element is drawn again from the server every few seconds while the page is
     open (the same URL, fetched in the background), so a board follows the units' reports.
   - [data-copy]: a button that copies the text of the element its value names.
   No inline script anywhere: the Content-Security-Policy allows scripts from this file only. */
(function () {
  "use strict";

  function refresh(element) {
    var seconds = parseInt(element.getAttribute("data-live"), 10) || 10;
    var timer = null;
    function tick() {
      if (document.hidden) { timer = setTimeout(tick, seconds * 1000); return; }
      fetch(window.location.href, { credentials: "same-origin", headers: { "X-Console-Fragment": element.id } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(element.id);
          // Nothing is swapped while someone is typing or choosing inside the region.
          if (fresh && fresh.innerHTML !== element.innerHTML && !element.contains(document.activeElement)) {
            element.innerHTML = fresh.innerHTML;
            element.setAttribute("data-updated", String(Date.now()));
          }
        })
        .catch(function () { /* the next tick tries again */ })
        .then(function () { timer = setTimeout(tick, seconds * 1000); });
    }
    timer = setTimeout(tick, seconds * 1000);
    return timer;
  }

  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    var value = source.value !== undefined ? source.value : source.textContent;
    var done = function () {
      var note = button.parentNode.querySelector(".copied");
      if (!note) {
        note = document.createElement("span");
        note.className = "copied";
        note.setAttribute("role", "status");
        button.parentNode.appendChild(note);
      }
      note.textContent = button.getAttribute("data-copied") || "✓";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value).then(done, function () { select(source); });
    } else {
      select(source);
      if (document.execCommand && document.execCommand("copy")) { done(); }
    }
  }

  function select(source) {
    if (source.select) { source.focus(); source.select(); return; }
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (button) { event.preventDefault(); copy(button); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var live = document.querySelectorAll("[data-live][id]");
    for (var i = 0; i < live.length; i++) { refresh(live[i]); }
    var copyButtons = document.querySelectorAll("[data-copy]");
    for (var j = 0; j < copyButtons.length; j++) { copyButtons[j].hidden = false; }
  });
})();
