// Meetup forms: show only the questions that apply to the answers given so far.
// Without JavaScript every question stays visible and the server checks what applies.
(function () {
  "use strict";

  function currentValue(form, name) {
    var fields = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "radio" || field.type === "checkbox") {
        if (field.checked) { return field.type === "checkbox" ? "on" : field.value; }
      } else {
        return field.value;
      }
    }
    return "";
  }

  function update(form) {
    // blocks come in document order, so a controlling question is settled before its followers
    var blocks = form.querySelectorAll("[data-depends]");
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      var name = block.getAttribute("data-depends");
      var wanted = block.getAttribute("data-values").split(" ");
      var shown = wanted.indexOf(currentValue(form, name)) !== -1;
      var controller = form.querySelector('[name="' + name + '"]');
      var controllerBlock = controller && controller.closest("[data-depends]");
      if (controllerBlock && controllerBlock.hidden) { shown = false; }
      block.hidden = !shown;
    }
  }

  var forms = document.querySelectorAll("form");
  for (var i = 0; i < forms.length; i++) {
    var form = forms[i];
    if (!form.querySelector("[data-depends]")) { continue; }
    form.addEventListener("change", update.bind(null, form));
    update(form);
  }
})();
