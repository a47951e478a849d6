// Before the idle sign-out (DJANGO_STAFF_IDLE_MINUTES without a request to the admin), a warning
// with a button that keeps the member of staff signed in. Without this script nothing is lost
// either: a save after the sign-out is kept until she signs in again (sitewide/staff_idle.py).
(function () {
  "use strict";
  var panel = document.getElementById("idle-warning");
  if (!panel) return;
  var idleMs = Number(panel.dataset.idleMinutes) * 60000;
  var warnMs = Math.min(2 * 60000, idleMs / 2);
  var soon = panel.querySelector(".idle-warning__soon");
  var gone = panel.querySelector(".idle-warning__gone");
  var left = panel.querySelector(".idle-warning__left");
  var stay = panel.querySelector(".idle-warning__stay");
  var seenAt = Date.now();
  var tick = null;

  function update() {
    var remaining = seenAt + idleMs - Date.now();
    if (remaining > warnMs) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    if (remaining <= 0) {
      soon.hidden = true;
      gone.hidden = false;
      stay.hidden = true;
      clearInterval(tick);
      return;
    }
    var minutes = Math.ceil(remaining / 60000);
    left.textContent = minutes > 1 ? minutes + " minutes" : "less than a minute";
  }

  stay.addEventListener("click", function () {
    fetch(panel.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": panel.dataset.csrf },
    }).then(function (response) {
      if (response.ok) {
        seenAt = Date.now();
        update();
      }
    });
  });
  tick = setInterval(update, 5000);
})();
