// Runs in <head> before the first paint: marks that scripts run, and applies the text size the
// patient chose on an earlier page, so the page does not jump.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  try {
    var size = window.localStorage.getItem("mesoclinic:text-size");
    if (size === "large" || size === "largest") {
      root.setAttribute("data-text-size", size);
    }
  } catch (error) {
    // Storage blocked by the browser: the standard size stays.
  }
})();
