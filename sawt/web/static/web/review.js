/* Keys for the review queue. The page works without this file (plain forms and buttons); it
   only adds: j/k and ↓/↑ move between complaints, Enter or y confirms the suggestion, 1–9 files
   under the reason with that number, ? shows the help. Keys typed into a field are left alone. */
(function () {
  "use strict";

  var items = Array.prototype.slice.call(document.querySelectorAll("[data-review-item]"));
  if (!items.length) return;
  var live = document.getElementById("review-live");
  var help = document.getElementById("review-help");
  var toggle = document.querySelector("[data-help-toggle]");
  var current = -1;

  function announce(text) {
    if (!live) return;
    // Emptied first, so the same sentence twice in a row is still read out.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function focusItem(index, quiet) {
    if (index < 0 || index >= items.length) return;
    if (current >= 0) items[current].classList.remove("is-current");
    current = index;
    var item = items[index];
    item.classList.add("is-current");
    item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "center" });
    if (!quiet && live) {
      announce(live.dataset.position
        .replace("{n}", String(index + 1))
        .replace("{total}", String(items.length)));
    }
  }

  function itemOf(element) {
    return element && element.closest ? element.closest("[data-review-item]") : null;
  }

  function typing(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || element.isContentEditable;
  }

  function submitWith(button) {
    if (!button || button.disabled) return;
    if (live && live.dataset.saving) announce(live.dataset.saving);
    var form = button.form;
    if (form.requestSubmit) form.requestSubmit(button); else button.click();
    // A second key press before the page reloads must not post again.
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
  }

  function toggleHelp(show) {
    if (!help) return;
    var open = show === undefined ? help.hidden : show;
    help.hidden = !open;
    if (toggle) toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () { toggleHelp(); });
  }

  // Mouse or Tab into an item makes it the one the keys act on.
  document.addEventListener("focusin", function (event) {
    var item = itemOf(event.target);
    if (!item) return;
    var index = items.indexOf(item);
    if (index === current) return;
    if (current >= 0) items[current].classList.remove("is-current");
    current = index;
    item.classList.add("is-current");
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (typing(target)) return;
    var key = event.key;
    if (key === "?") {
      event.preventDefault();
      toggleHelp();
      return;
    }
    if (key === "Escape" && help && !help.hidden) {
      toggleHelp(false);
      return;
    }
    var index = current;
    var inside = itemOf(target);
    if (inside) index = items.indexOf(inside);
    if (key === "j" || key === "ArrowDown") {
      event.preventDefault();
      focusItem(index < 0 ? 0 : Math.min(index + 1, items.length - 1));
      return;
    }
    if (key === "k" || key === "ArrowUp") {
      event.preventDefault();
      focusItem(index <= 0 ? 0 : index - 1);
      return;
    }
    if (index < 0) return;
    var item = items[index];
    // Enter on a button presses that button, as browsers do; on the item it confirms.
    if ((key === "Enter" && target === item) || key === "y") {
      var confirm = item.querySelector("[data-confirm]");
      if (confirm) {
        event.preventDefault();
        submitWith(confirm);
      }
      return;
    }
    if (/^[1-9]$/.test(key)) {
      var choice = item.querySelector('[data-shortcut="' + key + '"]');
      if (choice) {
        event.preventDefault();
        submitWith(choice);
      }
    }
  });

  // After a settle the server sends the page back anchored to the next complaint.
  var start = 0;
  if (location.hash.indexOf("#item-") === 0) {
    var anchored = document.getElementById(location.hash.slice(1));
    if (anchored && items.indexOf(anchored) >= 0) start = items.indexOf(anchored);
  }
  var settled = location.hash.indexOf("#item-") === 0 || location.hash === "#queue";
  if (settled) {
    focusItem(start, true);
    var flash = document.querySelector(".flash");
    if (flash) announce(flash.textContent.trim());
  }
})();
