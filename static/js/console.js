// The helpdesk console's ticket page (tickets/templates/tickets/console/ticket_detail.html).
// A static file, not inline script: the Content-Security-Policy allows no inline code.
(function () {
  "use strict";
  // A ready-made reply fills the reply box (appended when something is typed already).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.dataset.cannedTarget) { return; }
    var option = select.options[select.selectedIndex];
    var box = document.getElementById(select.dataset.cannedTarget);
    if (!box || !option || !option.dataset.body) { return; }
    var typed = box.value.replace(/\s+$/, "");
    box.value = typed ? typed + "\n\n" + option.dataset.body : option.dataset.body;
    box.focus();
  });
  // Jawaban yang mungkin: a past resolution or an article link is added to the reply box.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-insert-target]") : null;
    if (!button) { return; }
    var box = document.getElementById(button.getAttribute("data-insert-target"));
    var text = button.getAttribute("data-insert-text") || "";
    if (!box || !text) { return; }
    var typed = box.value.replace(/\s+$/, "");
    box.value = typed ? typed + "\n\n" + text : text;
    box.focus();
  });
  // A second click on an action button is not sent again.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) { return; }
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
    });
  });
  // The presence poll (#kehadiran) says whether this person is writing a reply. Added
  // here rather than with hx-vals="js:…", which needs eval.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt.hasAttribute("data-presence")) { return; }
    event.detail.parameters.replying = window.lpseReplying ? window.lpseReplying() : false;
  });
})();

// The queue's keyboard (tickets/templates/tickets/console/queue.html, documented there):
// j / k move the selected row, Enter opens it, / jumps to the search box. Never while
// the person is typing in a field, and never with a modifier (the browser's own keys).
(function () {
  "use strict";
  var SELECTED = "is-selected";

  function typing(target) {
    if (!(target instanceof Element)) { return false; }
    return target.closest("input, textarea, select, [contenteditable], [role=dialog]") !== null;
  }

  function rows() {
    var list = document.querySelector("[data-keyboard-list]");
    return list ? Array.prototype.slice.call(list.querySelectorAll("tr[data-row]")) : [];
  }

  var selectedHref = null;

  function select(all, index) {
    var chosen = all[index].querySelector("[data-row-link]");
    selectedHref = chosen ? chosen.getAttribute("href") : null;
    all.forEach(function (row, i) {
      row.classList.toggle(SELECTED, i === index);
      if (i === index) { row.setAttribute("aria-current", "true"); } else { row.removeAttribute("aria-current"); }
    });
    var link = all[index].querySelector("[data-row-link]");
    if (link) { link.focus({ preventScroll: false }); }
  }

  // The list is redrawn by the live poll (static/js/live.js): keep the selection.
  document.addEventListener("live:updated", function () {
    if (!selectedHref) { return; }
    var all = rows();
    var index = all.findIndex(function (row) {
      var link = row.querySelector("[data-row-link]");
      return link && link.getAttribute("href") === selectedHref;
    });
    if (index >= 0 && (document.activeElement === document.body || !document.activeElement)) {
      select(all, index);
    } else if (index >= 0) {
      all[index].classList.add(SELECTED);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (typing(event.target)) { return; }
    var all = rows();
    if (event.key === "/") {
      var search = document.querySelector(".console__filters input[type=search]");
      if (!search) { return; }
      event.preventDefault();
      search.focus();
      search.select();
      return;
    }
    if (!all.length) { return; }
    var current = all.findIndex(function (row) { return row.classList.contains(SELECTED); });
    if (current < 0 && document.activeElement) {
      current = all.findIndex(function (row) { return row.contains(document.activeElement); });
    }
    if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      var next = event.key === "j" ? current + 1 : current - 1;
      if (current < 0) { next = 0; }
      select(all, Math.max(0, Math.min(all.length - 1, next)));
    } else if (event.key === "Enter" && current >= 0) {
      var link = all[current].querySelector("[data-row-link]");
      if (link && document.activeElement !== link) {
        event.preventDefault();
        link.click();
      }
      // On the focused link itself the browser follows it.
    }
  });
})();
