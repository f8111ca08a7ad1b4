/* The public survey form, with JavaScript: the progress count follows the answers, "what went
   wrong?" shows only after a low score (or once written in), and answers are saved as the
   person goes (a POST of the whole form with partial=1, carrying the page's CSRF token), so
   coming back through the same link restores them. Without this file the form works as
   plain HTML: every box shown, a button to save for later. */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) { return; }
  var items = Array.prototype.slice.call(form.querySelectorAll("[data-item]"));
  var status = document.getElementById("save-status");
  var autosave = form.getAttribute("data-autosave") === "1";
  var timer = null;
  var pending = false;

  function score(item) {
    var checked = item.querySelector("input[type=radio]:checked");
    return checked ? Number(checked.value) : null;
  }

  function isAnswered(item) {
    if (item.querySelector("input[type=radio]")) { return score(item) !== null; }
    var box = item.querySelector("textarea");
    return !!(box && box.value.trim());
  }

  function showWhy(item) {
    var why = item.querySelector("[data-why]");
    if (!why) { return; }
    var low = Number(item.getAttribute("data-low-max"));
    var value = score(item);
    var written = why.querySelector("textarea").value.trim() !== "";
    why.hidden = !(written || (value !== null && value <= low));
  }

  function progress() {
    var done = items.filter(isAnswered).length;
    var shown = form.querySelector("[data-answered]");
    var bar = form.querySelector("progress");
    if (shown) { shown.textContent = String(done); }
    if (bar) { bar.value = done; }
  }

  function say(key) {
    if (status) { status.textContent = status.getAttribute(key) || ""; }
  }

  function save() {
    timer = null;
    if (!autosave || !window.fetch || !window.FormData) { return; }
    var data = new FormData(form);
    data.set("partial", "1");
    pending = false;
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      say(response.ok ? "data-saved" : "data-failed");
    }).catch(function () { say("data-failed"); });
  }

  function later(delay) {
    pending = true;
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(save, delay);
  }

  items.forEach(function (item) {
    showWhy(item);
    item.addEventListener("change", function (event) {
      if (event.target.type === "radio") { showWhy(item); }
      progress();
      later(300);
    });
    item.addEventListener("input", function (event) {
      if (event.target.tagName === "TEXTAREA") {
        progress();
        later(1500);
      }
    });
  });

  // Leaving with typing not yet saved: send it now (sendBeacon survives the page's end).
  window.addEventListener("pagehide", function () {
    if (!pending || !autosave || !navigator.sendBeacon) { return; }
    var data = new FormData(form);
    data.set("partial", "1");
    navigator.sendBeacon(form.action, data);
    pending = false;
  });

  // Sending the form: a save still waiting must not race the completion.
  form.addEventListener("submit", function () {
    if (timer) { window.clearTimeout(timer); timer = null; }
    pending = false;
  });

  progress();
  var errors = document.getElementById("errors");
  if (errors) { errors.focus(); }
}());
