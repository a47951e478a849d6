// "Listen to this page": the browser's own speech synthesis reads the page's text aloud in the
// page's language (nothing leaves the browser). Shown only where the browser has a voice for that
// language; Pause / Go on and Stop are ordinary buttons, so the keyboard works them.
(function () {
  "use strict";
  var toolbar = document.querySelector(".page-toolbar[data-listen]");
  var text = document.querySelector(".treatment-page__body");
  if (!toolbar || !text) return;
  var speech = window.speechSynthesis;
  var language = document.documentElement.lang;
  var words = toolbar.getAttribute("data-listen-words").split("|");
  var group, listen, stop;

  function voice() {
    return speech.getVoices().filter(function (v) {
      return v.lang.toLowerCase().split(/[-_]/)[0] === language;
    })[0];
  }

  function button(label, action) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "tool-button";
    element.setAttribute("data-action", action);
    element.textContent = label;
    return element;
  }

  function reset() {
    listen.textContent = words[0];
    stop.hidden = true;
  }

  function start() {
    var chosen = voice();
    speech.cancel();
    // One utterance a paragraph or list item: browsers cut long ones short.
    var parts = text.innerText.split(/\n+/).filter(function (part) { return part.trim(); });
    parts.forEach(function (part, index) {
      var utterance = new SpeechSynthesisUtterance(part);
      utterance.lang = language;
      if (chosen) utterance.voice = chosen;
      if (index === parts.length - 1) utterance.onend = reset;
      speech.speak(utterance);
    });
    listen.textContent = words[1];
    stop.hidden = false;
  }

  function show() {
    if (group || !voice()) return;
    group = document.createElement("div");
    group.className = "page-toolbar__listen";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", words[0]);
    listen = button(words[0], "listen");
    stop = button(words[3], "stop-listening");
    group.appendChild(listen);
    group.appendChild(stop);
    toolbar.insertBefore(group, toolbar.querySelector("[data-toolbar-status]"));
    reset();
    listen.addEventListener("click", function () {
      if (!speech.speaking) {
        start();
      } else if (speech.paused) {
        speech.resume();
        listen.textContent = words[1];
          } else {
        speech.pause();
        listen.textContent = words[2];
      }
    });
    stop.addEventListener("click", function () {
      speech.cancel();
      reset();
      listen.focus();
    });
  }

  show();
  speech.addEventListener("voiceschanged", show);
  window.addEventListener("pagehide", function () { speech.cancel(); });
})();
