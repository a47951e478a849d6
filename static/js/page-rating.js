// Enhances "Rate this page": sends the rating in the background, updates the average in place and
// says so politely; shows the visitor's own earlier vote. Without it the forms post normally.
(function () {
  "use strict";

  function setStars(container, pictures) {
    container.querySelectorAll(".star").forEach(function (star, index) {
      star.className = "star star--" + pictures[index];
    });
  }

  // The tally as the server has it now: the page around the block may be an older copy.
  function showTally(block, data) {
    block.querySelector("[data-rating-summary]").textContent = data.summary;
    setStars(block.querySelector("[data-rating-stars]"), data.stars);
    var prompt = block.querySelector("[data-rating-prompt]");
    prompt.hidden = !data.prompt || Boolean(data.your_rating);
    prompt.textContent = data.prompt || "";
  }

  function say(block, text, isError) {
    var status = block.querySelector("[data-rating-status]");
    status.textContent = "";
    var paragraph = document.createElement("p");
    paragraph.className = isError ? "rating__error" : "rating__thanks";
    paragraph.textContent = text;
    status.appendChild(paragraph);
  }

  // Every sentence shown comes from the server (the JSON reply, or the block's data-not-sent), so
  // the page and this script never word the same thing twice.
  function send(form, notSent) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).catch(function () {
      throw new Error(notSent);  // offline, or the connection dropped: not the browser's own wording
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || notSent);
        return data;
      });
    });
  }

  function setUp(block) {
    var ratingForm = block.querySelector("[data-rating-form]");
    var commentForm = block.querySelector("[data-comment-form]");
    var notSent = block.getAttribute("data-not-sent");

    ratingForm.addEventListener("submit", function (event) {
      event.preventDefault();
      send(ratingForm, notSent).then(function (data) {
        showTally(block, data);
        // The thanks names the new vote; an earlier vote is no longer this visitor's vote.
        block.querySelector("[data-rating-mine]").hidden = true;
        say(block, data.message);
        commentForm.hidden = false;
      }).catch(function (error) { say(block, error.message, true); });
    });

    commentForm.addEventListener("submit", function (event) {
      event.preventDefault();
      send(commentForm, notSent).then(function (data) {
        say(block, data.message);
        commentForm.hidden = true;
        commentForm.reset();
      }).catch(function (error) { say(block, error.message, true); });
    });

    // The visitor's own vote is never in the (cached) page: ask for it, but only from a browser
    // that has voted (its readable marker cookie says so), so other visitors make no request.
    if (!/(?:^|;\s*)mesoclinic_rated=1/.test(document.cookie)) return;
    var url = block.getAttribute("data-mine-url") + "?page=" + encodeURIComponent(block.getAttribute("data-page"));
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { your_rating: null }; })
      .then(function (data) {
        if (!data.summary) return;
        showTally(block, data);
        if (!data.your_rating) return;
        var radio = ratingForm.querySelector('input[name="stars"][value="' + data.your_rating + '"]');
        if (radio && !ratingForm.querySelector('input[name="stars"]:checked')) radio.checked = true;
        commentForm.hidden = false;
        // Already thanked for this vote (the page a rating came back to): say it once.
        if (block.querySelector("[data-rating-status]").textContent.trim()) return;
        var mine = block.querySelector("[data-rating-mine]");
        mine.textContent = data.message;
        mine.hidden = false;
      })
      .catch(function () { /* offline: the form still works */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-rating]").forEach(setUp);
  });
})();
