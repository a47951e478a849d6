// The reading grade beside each text on a page's form, as the editor types: the site grades the
// text (the same Flesch-Kincaid count as on save) and names the hardest sentences. Without this
// script, the grades appear after saving (the "Reading grade" panel and each part's title).
// Loaded in the page's head, with the admin's own scripts: it starts once the form is there.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var source = document.querySelector("[data-reading-grade-url]");
  var form = document.getElementById("treatmentpage_form");
  if (!source || !form) return;
  var url = source.dataset.readingGradeUrl;
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var selector = "#id_intro, #id_at_a_glance, textarea[name$='-body'], textarea[name$='-answer'], textarea[name$='-detail']";

  function outputFor(box) {
    var output = box.parentNode.querySelector("output.reading-grade[for='" + box.id + "']");
    if (!output) {
      output = document.createElement("output");
      output.className = "reading-grade";
      output.htmlFor = box.id;
      output.setAttribute("aria-live", "polite");
      box.insertAdjacentElement("afterend", output);
    }
    return output;
  }

  function show(output, result) {
    output.textContent = "";
    var line = document.createElement("span");
    line.textContent = "Reading grade " + result.grade + " (target " + result.target + ")" +
      (result.above ? ": above the target." : ".");
    output.classList.toggle("reading-grade--above", result.above);
    output.appendChild(line);
    if (result.hardest.length) {
      var list = document.createElement("ul");
      result.hardest.forEach(function (sentence) {
        var item = document.createElement("li");
        item.textContent = "Hardest: \u201c" + sentence + "\u201d";
        list.appendChild(item);
      });
      output.appendChild(list);
    }
  }

  function grade(box) {
    var body = new URLSearchParams({ text: box.value });
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token },
      body: body,
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (result) show(outputFor(box), result);
    });
  }

  var timers = new WeakMap();
  form.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(selector)) return;
    clearTimeout(timers.get(box));
    timers.set(box, setTimeout(function () { grade(box); }, 500));
  });
});
