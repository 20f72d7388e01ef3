// Live pages (tickets/live.py): poll the page with the stamp it was rendered with;
// 204 means nothing changed, a new page means: swap every [data-live-region] in which
// nobody is typing. A region with typed text, chosen files or an open dialog is kept
// as it is, and a notice says that the page has news.
(function () {
  "use strict";

  var poll = document.querySelector("[data-live-poll]");
  if (!poll || !window.fetch || !window.DOMParser) { return; }
  var stamp = poll.getAttribute("data-stamp");
  var interval = parseInt(poll.getAttribute("data-interval"), 10) || 5000;
  var notice = document.getElementById("live-notice");
  var busy = false;
  var stopped = false;

  function fieldChanged(field) {
    var type = (field.type || "").toLowerCase();
    if (type === "hidden" || type === "submit" || type === "button" || type === "reset") { return false; }
    if (type === "file") { return !!(field.files && field.files.length); }
    if (type === "checkbox" || type === "radio") { return field.checked !== field.defaultChecked; }
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return field.value !== field.defaultValue;
  }

  // Someone is busy here: typed or chose something, is in a field, or has a dialog open.
  function inUse(region) {
    var fields = region.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i += 1) {
      if (fieldChanged(fields[i])) { return true; }
    }
    var active = document.activeElement;
    if (active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) {
      return true;
    }
    return !!region.querySelector("dialog[open]");
  }
  window.lpseRegionInUse = inUse;

  function openPanels(region) {
    return Array.prototype.map.call(region.querySelectorAll("details[open] > summary"), function (summary) {
      return summary.textContent.trim();
    });
  }

  function reopen(region, titles) {
    Array.prototype.forEach.call(region.querySelectorAll("details > summary"), function (summary) {
      if (titles.indexOf(summary.textContent.trim()) !== -1) { summary.parentNode.open = true; }
    });
  }

  function apply(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var held = false;
    Array.prototype.forEach.call(fresh.querySelectorAll("[data-live-region]"), function (next) {
      var current = next.id && document.getElementById(next.id);
      if (!current) { return; }
      if (inUse(current)) { held = true; return; }
      var titles = openPanels(current);
      var node = document.importNode(next, true);
      current.replaceWith(node);
      reopen(node, titles);
      if (window.htmx) { window.htmx.process(node); }
    });
    var nextPoll = fresh.querySelector("[data-live-poll]");
    // While a region is held, keep the old stamp: the next poll brings the news again.
    if (nextPoll && !held) { stamp = nextPoll.getAttribute("data-stamp"); }
    if (notice) { notice.hidden = !held; }
    document.dispatchEvent(new CustomEvent("live:updated", { detail: { held: held } }));
  }

  function tick() {
    if (stopped || busy || document.hidden) { return; }
    busy = true;
    var url = new URL(window.location.href);
    url.hash = "";
    url.searchParams.set("live", stamp);
    fetch(url.toString(), { credentials: "same-origin", headers: { "X-Live-Poll": "1" } })
      .then(function (response) {
        if (response.status === 204) { return null; }
        if (!response.ok || response.redirected) {
          // Gone, no longer visible, or signed out: stop asking.
          stopped = response.status === 404 || response.status === 403 || response.redirected;
          return null;
        }
        return response.text();
      })
      .then(function (html) { if (html) { apply(html); } })
      .catch(function () { /* offline for a moment: the next tick tries again */ })
      .then(function () { busy = false; });
  }

  window.setInterval(tick, interval);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { tick(); } });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-live-reload]");
    if (link) { event.preventDefault(); window.location.reload(); }
  });

  // The console reports "writing a reply" to colleagues (tickets/presence.py).
  window.lpseReplying = function () {
    var areas = document.querySelectorAll("#tanggapan textarea, #tindakan textarea");
    return Array.prototype.some.call(areas, function (area) { return area.value.trim() !== ""; });
  };
})();

// The bell's unread count, refreshed every 30 s.
(function () {
  "use strict";
  var bell = document.querySelector("[data-bell]");
  if (!bell || !window.fetch) { return; }
  window.setInterval(function () {
    if (document.hidden) { return; }
    fetch(bell.getAttribute("data-bell"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var count = bell.querySelector(".bell__count");
        var fresh = new DOMParser().parseFromString(html, "text/html").body.firstElementChild;
        if (count) { count.remove(); }
        if (fresh) { bell.appendChild(fresh); }
      })
      .catch(function () {});
  }, 30000);
})();
