// Long texts: "3,200 characters left" under each field with a limit, as people type. Without
// JavaScript the help text states the limit, and a longer text is refused by the server with
// the text kept. The visible count changes on every key; screen readers hear it once typing
// pauses, so they are not interrupted at each letter. Characters are counted as the server
// counts them: by code point, each line break as one.
(function () {
  "use strict";
  var PAUSE_MS = 1000;

  function length(text) {
    return Array.from(text).length;
  }

  function words(count, limit) {
    var left = limit - count;
    if (left >= 0) {
      return left.toLocaleString("en") + (left === 1 ? " character" : " characters") + " left";
    }
    return (-left).toLocaleString("en") + (left === -1 ? " character" : " characters") +
      " too many";
  }

  document.querySelectorAll("textarea[data-maxlength]").forEach(function (field) {
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    if (!limit || !field.id) { return; }

    var count = document.createElement("p");
    count.id = field.id + "_count";
    count.className = "character-count";
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", count);
    count.insertAdjacentElement("afterend", spoken);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + count.id);

    var timer = null;
    function update() {
      var used = length(field.value);
      count.textContent = words(used, limit);
      count.classList.toggle("character-count-over", used > limit);
      return used;
    }
    field.addEventListener("input", function () {
      update();
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        spoken.textContent = words(length(field.value), limit);
      }, PAUSE_MS);
    });
    update();
  });
})();
