/*
 * A search box over a long list of radios or checkboxes (a select_one or select_multiple drawn
 * as a list: its fieldset has class "long-list" and the box's label in data-filter). Typing keeps the choices
 * whose label holds the words typed, ignoring case and Vietnamese accents ("ha noi" finds
 * "Hà Nội"); a chosen choice always stays in sight. Without this script the list is simply
 * all its checkboxes.
 */
(function () {
  "use strict";

  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  document.querySelectorAll("fieldset.long-list[data-filter]").forEach(function (list, index) {
    var choices = Array.prototype.slice.call(list.querySelectorAll("label.choice"));
    if (!choices.length) {
      return;
    }
    var id = (list.id || "list-" + index) + "-filter";
    var label = document.createElement("label");
    label.className = "filter-label";
    label.htmlFor = id;
    label.textContent = list.getAttribute("data-filter");
    var box = document.createElement("input");
    box.type = "search";
    box.id = id;
    box.className = "filter";
    box.autocomplete = "off";
    choices[0].parentNode.insertBefore(label, choices[0]);
    choices[0].parentNode.insertBefore(box, choices[0]);
    box.addEventListener("input", function () {
      var words = plain(box.value).split(/\s+/).filter(Boolean);
      choices.forEach(function (choice) {
        var text = plain(choice.textContent);
        var ticked = choice.querySelector("input").checked;
        var match = words.every(function (word) {
          return text.indexOf(word) >= 0;
        });
        choice.classList.toggle("filtered-out", !(match || ticked));
      });
    });
  });
})();
