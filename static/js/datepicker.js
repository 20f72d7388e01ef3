// A small date picker for text boxes marked data-datepicker (dd/mm/yyyy).
// Written for LPSE Support: the browser's own <input type="date"> shows dates in the
// browser's language (mm/dd/yyyy on an English browser), the helpdesk writes dd/mm/yyyy
// with Indonesian month names whatever the browser says. The box stays a plain text box
// (the server parses and checks it); this only adds a calendar to pick from.
// A static file without inline style (the Content-Security-Policy allows none): the
// calendar is shown and hidden with the `hidden` attribute and placed by app.css.
//
// Keyboard: the button beside the box opens the calendar; arrows move a day or a week,
// PageUp/PageDown a month, Home/End the start/end of the week, Enter or Space picks,
// Escape closes and returns to the button.
(function () {
  "use strict";
  var MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
    "Agustus", "September", "Oktober", "November", "Desember"];
  var DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"];
  var DAYS_SHORT = ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"];
  var counter = 0;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function format(date) {
    return pad(date.getDate()) + "/" + pad(date.getMonth() + 1) + "/" + date.getFullYear();
  }
  function parse(text) {
    var m = /^\s*(\d{1,2})[\/\-.](\d{1,2})[\/\-.](\d{4})\s*$/.exec(text || "");
    var day, month, year;
    if (m) { day = +m[1]; month = +m[2]; year = +m[3]; } else {
      m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(text || "");
      if (!m) { return null; }
      year = +m[1]; month = +m[2]; day = +m[3];
    }
    var date = new Date(year, month - 1, day);
    if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) {
      return null;
    }
    return date;
  }
  function sameDay(a, b) {
    return a && b && a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() &&
      a.getDate() === b.getDate();
  }
  function addDays(date, n) { return new Date(date.getFullYear(), date.getMonth(), date.getDate() + n); }
  function addMonths(date, n) {
    var target = new Date(date.getFullYear(), date.getMonth() + n, 1);
    var last = new Date(target.getFullYear(), target.getMonth() + 1, 0).getDate();
    return new Date(target.getFullYear(), target.getMonth(), Math.min(date.getDate(), last));
  }
  function weekday(date) { return (date.getDay() + 6) % 7; } // Monday = 0
  function label(date) {
    return DAYS[weekday(date)] + ", " + date.getDate() + " " + MONTHS[date.getMonth()] + " " +
      date.getFullYear();
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function calendarIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "datepicker__icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M7 2v2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2h-2V2h-2v2H9V2H7zM5 9h14v11H5V9zm2 2v2h2v-2H7zm4 0v2h2v-2h-2zm4 0v2h2v-2h-2zm-8 4v2h2v-2H7zm4 0v2h2v-2h-2z");
    svg.appendChild(path);
    return svg;
  }

  function attach(input) {
    if (input.dataset.datepickerReady) { return; }
    input.dataset.datepickerReady = "1";
    var id = "datepicker-" + (++counter);
    var wrap = el("span", "datepicker");
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);

    var toggle = el("button", "datepicker__toggle");
    toggle.type = "button";
    toggle.setAttribute("aria-haspopup", "dialog");
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", id);
    var fieldLabel = input.labels && input.labels[0] ? input.labels[0].textContent.trim() : "";
    toggle.setAttribute("aria-label", "Pilih tanggal dari kalender" + (fieldLabel ? ": " + fieldLabel : ""));
    toggle.title = "Pilih tanggal dari kalender";
    toggle.appendChild(calendarIcon());
    wrap.appendChild(toggle);

    var dialog = el("div", "datepicker__dialog");
    dialog.id = id;
    dialog.hidden = true;
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "false");
    dialog.setAttribute("aria-label", "Pilih tanggal" + (fieldLabel ? ": " + fieldLabel : ""));
    var head = el("div", "datepicker__head");
    var prev = el("button", "datepicker__nav", "‹");
    prev.type = "button";
    prev.setAttribute("aria-label", "Bulan sebelumnya");
    var title = el("span", "datepicker__title");
    title.id = id + "-title";
    title.setAttribute("aria-live", "polite");
    var next = el("button", "datepicker__nav", "›");
    next.type = "button";
    next.setAttribute("aria-label", "Bulan berikutnya");
    head.appendChild(prev);
    head.appendChild(title);
    head.appendChild(next);
    var grid = el("table", "datepicker__grid");
    grid.setAttribute("role", "grid");
    grid.setAttribute("aria-labelledby", title.id);
    var thead = el("thead");
    var headRow = el("tr");
    DAYS_SHORT.forEach(function (day, i) {
      var th = el("th", "", day);
      th.scope = "col";
      th.abbr = DAYS[i];
      headRow.appendChild(th);
    });
    thead.appendChild(headRow);
    grid.appendChild(thead);
    var body = el("tbody");
    grid.appendChild(body);
    var foot = el("div", "datepicker__foot");
    var today = el("button", "datepicker__today", "Hari ini");
    today.type = "button";
    var clear = el("button", "datepicker__clear", "Kosongkan");
    clear.type = "button";
    var close = el("button", "datepicker__close", "Tutup");
    close.type = "button";
    foot.appendChild(today);
    foot.appendChild(clear);
    foot.appendChild(close);
    dialog.appendChild(head);
    dialog.appendChild(grid);
    dialog.appendChild(foot);
    wrap.appendChild(dialog);

    var focused = new Date();

    function render(moveFocus) {
      var chosen = parse(input.value);
      var now = new Date();
      title.textContent = MONTHS[focused.getMonth()] + " " + focused.getFullYear();
      while (body.firstChild) { body.removeChild(body.firstChild); }
      var first = new Date(focused.getFullYear(), focused.getMonth(), 1);
      var day = addDays(first, -weekday(first));
      for (var week = 0; week < 6; week++) {
        var row = el("tr");
        for (var i = 0; i < 7; i++) {
          var cell = el("td");
          var inMonth = day.getMonth() === focused.getMonth();
          var button = el("button", "datepicker__day", String(day.getDate()));
          button.type = "button";
          button.dataset.date = format(day);
          button.setAttribute("aria-label", label(day));
          button.tabIndex = sameDay(day, focused) ? 0 : -1;
          if (!inMonth) { button.classList.add("datepicker__day--other"); }
          if (sameDay(day, now)) { button.classList.add("datepicker__day--today"); button.setAttribute("aria-current", "date"); }
          if (sameDay(day, chosen)) { button.setAttribute("aria-pressed", "true"); cell.setAttribute("aria-selected", "true"); }
          cell.setAttribute("role", "gridcell");
          cell.appendChild(button);
          row.appendChild(cell);
          day = addDays(day, 1);
        }
        body.appendChild(row);
        if (day.getMonth() !== focused.getMonth() && week >= 3) { break; }
      }
      if (moveFocus) {
        var target = body.querySelector("button[tabindex='0']");
        if (target) { target.focus(); }
      }
    }

    function open() {
      focused = parse(input.value) || new Date();
      dialog.hidden = false;
      toggle.setAttribute("aria-expanded", "true");
      render(true);
    }
    function shut(returnFocus) {
      if (dialog.hidden) { return; }
      dialog.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      if (returnFocus) { toggle.focus(); }
    }
    function pick(date) {
      input.value = date ? format(date) : "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      shut(false);
      input.focus();
    }

    toggle.addEventListener("click", function () {
      if (dialog.hidden) { open(); } else { shut(true); }
    });
    prev.addEventListener("click", function () { focused = addMonths(focused, -1); render(false); });
    next.addEventListener("click", function () { focused = addMonths(focused, 1); render(false); });
    today.addEventListener("click", function () { pick(new Date()); });
    clear.addEventListener("click", function () { pick(null); });
    close.addEventListener("click", function () { shut(true); });
    body.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("button[data-date]");
      if (button) { pick(parse(button.dataset.date)); }
    });
    body.addEventListener("keydown", function (event) {
      var moves = {
        ArrowLeft: function (d) { return addDays(d, -1); },
        ArrowRight: function (d) { return addDays(d, 1); },
        ArrowUp: function (d) { return addDays(d, -7); },
        ArrowDown: function (d) { return addDays(d, 7); },
        PageUp: function (d) { return addMonths(d, event.shiftKey ? -12 : -1); },
        PageDown: function (d) { return addMonths(d, event.shiftKey ? 12 : 1); },
        Home: function (d) { return addDays(d, -weekday(d)); },
        End: function (d) { return addDays(d, 6 - weekday(d)); }
      };
      if (moves[event.key]) {
        event.preventDefault();
        focused = moves[event.key](focused);
        render(true);
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        pick(focused);
      }
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        shut(true);
      }
    });
    document.addEventListener("mousedown", function (event) {
      if (!dialog.hidden && !wrap.contains(event.target)) { shut(false); }
    });
    dialog.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !wrap.contains(event.relatedTarget)) { shut(false); }
    });
  }

  function init(root) {
    (root || document).querySelectorAll("input[data-datepicker]").forEach(attach);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
})();
