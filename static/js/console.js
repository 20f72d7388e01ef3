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
