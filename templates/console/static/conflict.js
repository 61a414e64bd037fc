/* The editor after a save that lost a race (loaded only then): each note of a part both admins
   changed that has one box (a label in one language, a number) gets a button that puts the
   other admin's value in that box. Nothing is saved until "Save the draft"; without the script
   the note still gives their value, to type. The box keeps the admin's own value until then. */
(function () {
  "use strict";

  document.querySelectorAll(".b-clash [data-input]").forEach(function (note) {
    var box = document.getElementById(note.getAttribute("data-input"));
    if (!box) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "small secondary b-take";
    button.textContent = note.getAttribute("data-take");
    button.addEventListener("click", function () {
      box.value = note.getAttribute("data-theirs");
      // The editor's own script hears it as typing: the page is marked unsaved, the preview follows.
      box.dispatchEvent(new Event("input", { bubbles: true }));
      box.focus();
    });
    note.appendChild(document.createTextNode(" "));
    note.appendChild(button);
  });
})();
