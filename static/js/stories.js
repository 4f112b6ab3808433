// Stories: small progressive enhancement. Without JavaScript the suggested topics are a plain
// list to read; with it, each one becomes a button that adds the topic to the field.
(function () {
  "use strict";
  document.querySelectorAll("[data-tag-suggestions]").forEach(function (box) {
    var input = document.getElementById(box.getAttribute("data-tag-suggestions"));
    if (!input) return;
    box.querySelectorAll("[data-tag]").forEach(function (chip) {
      var name = chip.getAttribute("data-tag");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tag tag-button";
      button.textContent = name;
      button.setAttribute("aria-label", "Add topic " + name);
      button.addEventListener("click", function () {
        var current = input.value.split(",").map(function (t) { return t.trim(); })
          .filter(function (t) { return t.length > 0; });
        if (current.map(function (t) { return t.toLowerCase(); }).indexOf(name.toLowerCase()) === -1) {
          current.push(name);
        }
        input.value = current.join(", ");
        input.focus();
      });
      chip.replaceWith(button);
    });
  });
})();
