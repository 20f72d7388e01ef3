// Small progressive enhancements: confirmation dialogs and upload progress.
(function () {
  "use strict";

  function dialogFor(form) {
    var id = form.getAttribute("data-confirm-dialog");
    return id ? document.getElementById(id) : null;
  }

  // Forms sent by htmx: ask in our own dialog (Ya / Batal) before the request goes.
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.target.closest("form");
    var dialog = form && dialogFor(form);
    if (!dialog || event.detail.elt !== form) { return; }
    event.preventDefault();
    dialog.returnValue = "";
    dialog.showModal();
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue === "yes") { event.detail.issueRequest(true); }
    });
  });

  // Upload progress for multipart htmx forms.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest("form");
    var bar = form && form.querySelector("progress[data-upload-progress]");
    if (!bar || !event.detail.lengthComputable) { return; }
    bar.hidden = false;
    bar.max = event.detail.total;
    bar.value = event.detail.loaded;
    var label = form.querySelector("[data-upload-progress-label]");
    if (label) {
      label.hidden = false;
      label.textContent = Math.round((event.detail.loaded / event.detail.total) * 100) + "%";
    }
  });

  // After an answer: hide the progress bar and, when the form came back with errors,
  // move focus to the summary so that keyboard and screen-reader users hear it.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form");
    if (!form) { return; }
    var bar = form.querySelector("progress[data-upload-progress]");
    var label = form.querySelector("[data-upload-progress-label]");
    if (bar) { bar.hidden = true; bar.value = 0; }
    if (label) { label.hidden = true; }
    var summary = document.getElementById("form-errors");
    if (event.detail.elt === form && summary && summary.textContent.trim()) {
      summary.focus();
      summary.scrollIntoView({ block: "center" });
    }
  });

  // Show the chosen files with their sizes so the reporter can check them.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") { return; }
    var list = document.getElementById(input.id + "-list");
    if (!list) { return; }
    list.innerHTML = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = file.name;
      var size = document.createElement("span");
      size.className = "muted";
      size.textContent = (file.size / 1048576).toFixed(2) + " MB";
      item.appendChild(name);
      item.appendChild(size);
      list.appendChild(item);
    });
  });
})();
