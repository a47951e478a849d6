// Enhances the page toolbar: Print, Copy link, Share and Text size, and on a treatment page where
// the browser can speak, Listen (js/listen.js, fetched only then). Without this script the page
// still works: the e-mail link shares, the browser prints, and browser zoom enlarges text. Its
// words come from the page, in the page's language.
(function () {
  "use strict";
  var STORAGE_KEY = "mesoclinic:text-size";

  function announce(toolbar, message) {
    var status = toolbar.querySelector("[data-toolbar-status]");
    if (!status) return;
    status.textContent = "";
    // A fresh text node after a tick is announced even when the message repeats.
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function currentSize() {
    return document.documentElement.getAttribute("data-text-size") || "standard";
  }

  function applySize(size) {
    var root = document.documentElement;
    if (size === "standard") root.removeAttribute("data-text-size");
    else root.setAttribute("data-text-size", size);
    try { window.localStorage.setItem(STORAGE_KEY, size); } catch (error) { /* not remembered */ }
    document.querySelectorAll("[data-text-size]").forEach(function (button) {
      if (button.tagName === "BUTTON") {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-text-size") === size));
      }
    });
  }

  function copyLink(toolbar, url) {
    var copyThis = function () { announce(toolbar, toolbar.getAttribute("data-copy-this") + " " + url); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(
        function () { announce(toolbar, toolbar.getAttribute("data-copied")); }, copyThis
      );
    } else {
      copyThis();
    }
  }

  function setUp(toolbar) {
    var tools = toolbar.closest("[data-page-tools]");
    if (tools) tools.hidden = false;
    toolbar.querySelectorAll("[hidden]").forEach(function (element) {
      var action = element.getAttribute("data-action");
      if (action === "share" && typeof navigator.share !== "function") return;
      element.hidden = false;
    });
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      var action = button.getAttribute("data-action");
      if (action === "print") {
        window.print();
      } else if (action === "copy-link") {
        copyLink(toolbar, button.getAttribute("data-url"));
      } else if (action === "share") {
        navigator.share({ title: button.getAttribute("data-title"), url: button.getAttribute("data-url") })
          .catch(function () { /* the patient closed the share sheet */ });
      } else if (button.hasAttribute("data-text-size")) {
        applySize(button.getAttribute("data-text-size"));
        announce(toolbar, document.getElementById("text-size-label").textContent + ": " + button.textContent);
      }
    });
    applySize(currentSize());
    var listen = toolbar.getAttribute("data-listen");
    if (listen && window.speechSynthesis && window.SpeechSynthesisUtterance) {
      var script = document.createElement("script");
      script.src = listen;
      document.head.appendChild(script);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".page-toolbar").forEach(setUp);
  });
})();
