// Topic suggestions for comma-separated fields ("makerspace, grant writing").
// Without JavaScript the shared <datalist> suggests the first topic only; with it, each field
// gets its own list whose options carry the topics already typed, so every topic is suggested.
(function () {
  "use strict";
  var source = document.getElementById("topic-suggestions");
  if (!source) { return; }
  var topics = Array.prototype.map.call(source.options, function (option) { return option.value; });

  document.querySelectorAll("input[data-topics]").forEach(function (input) {
    var list = document.createElement("datalist");
    list.id = input.id + "-suggestions";
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("list", list.id);

    function refresh() {
      var value = input.value;
      var cut = value.lastIndexOf(",");
      var prefix = cut === -1 ? "" : value.slice(0, cut + 1).replace(/\s*$/, " ");
      var typed = value.slice(cut + 1).trim().toLowerCase();
      var chosen = value.slice(0, cut + 1).split(",").map(function (part) {
        return part.trim().toLowerCase();
      });
      var options = topics.filter(function (topic) {
        var lower = topic.toLowerCase();
        return chosen.indexOf(lower) === -1 && (!typed || lower.indexOf(typed) !== -1);
      }).slice(0, 50);
      list.replaceChildren.apply(list, options.map(function (topic) {
        var option = document.createElement("option");
        option.value = prefix + topic;
        return option;
      }));
    }
    input.addEventListener("input", refresh);
    input.addEventListener("focus", refresh);
  });
})();
