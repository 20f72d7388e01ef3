// Small progressive enhancements: confirmation dialogs and upload progress.
(function () {
  "use strict";

  // A plain form with data-confirm asks the browser's confirm() before it is sent, and
  // a button with data-print prints the page (no inline handlers: the CSP forbids them).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) { return; }
    if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { window.print(); }
  });

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

// Reporter actions: files chosen before sending, choices that reveal fields, and
// refusals (403/409/400) shown in place of the page.
(function () {
  "use strict";

  var canEditFiles = (function () {
    try { return typeof DataTransfer === "function" && !!new DataTransfer().items; }
    catch (error) { return false; }
  })();

  function megabytes(bytes) {
    if (bytes < 1048576) { return Math.max(1, Math.round(bytes / 1024)) + " KB"; }
    return (bytes / 1048576).toFixed(1).replace(".", ",") + " MB";
  }

  function sameFile(a, b) {
    return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
  }

  // The files chosen so far for an input: kept apart from the input, which the browser
  // empties at every new choice, and written back into it with a DataTransfer.
  function picked(input) {
    if (!input._picked) { input._picked = []; }
    return input._picked;
  }

  function writeBack(input) {
    var transfer = new DataTransfer();
    picked(input).forEach(function (file) { transfer.items.add(file); });
    input.files = transfer.files;
  }

  function button(label, text, attribute, index) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "button button--small";
    element.textContent = text;
    element.setAttribute("aria-label", label);
    element.setAttribute(attribute, String(index));
    return element;
  }

  function text(list, key, fallback) { return list.getAttribute("data-text-" + key) || fallback; }

  function render(input) {
    var list = document.getElementById(input.getAttribute("data-file-picker"));
    if (!list) { return; }
    var files = canEditFiles ? picked(input) : Array.prototype.slice.call(input.files);
    var limit = Number(input.getAttribute("data-max-bytes")) || 0;
    list.innerHTML = "";
    files.forEach(function (file, index) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.className = "filepicker__name";
      name.textContent = file.name;
      var size = document.createElement("span");
      size.className = "muted";
      size.textContent = megabytes(file.size);
      item.appendChild(name);
      item.appendChild(size);
      if (limit && file.size > limit) {
        item.className = "filepicker__item--too-big";
        var warning = document.createElement("span");
        warning.className = "filepicker__warning";
        warning.textContent = text(list, "too-big", "Melebihi batas ukuran per file.");
        item.appendChild(warning);
      }
      if (canEditFiles) {
        var tools = document.createElement("span");
        tools.className = "filepicker__tools";
        tools.appendChild(button(
          text(list, "replace-label", "Ubah file") + " " + file.name,
          text(list, "replace", "Ubah file"), "data-file-replace", index
        ));
        tools.appendChild(button(
          text(list, "remove-label", "Hapus file") + " " + file.name,
          text(list, "remove", "Hapus file"), "data-file-remove", index
        ));
        item.appendChild(tools);
      }
      list.appendChild(item);
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-file-picker")) { return; }
    if (canEditFiles) {
      // A new choice adds to the list instead of replacing it.
      var files = picked(input);
      Array.prototype.forEach.call(input.files, function (file) {
        if (!files.some(function (known) { return sameFile(known, file); })) { files.push(file); }
      });
      writeBack(input);
    }
    render(input);
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var control = target && target.closest("[data-file-remove], [data-file-replace]");
    if (!control) { return; }
    var list = control.closest("[data-file-list-for]");
    var input = list && document.getElementById(list.getAttribute("data-file-list-for"));
    if (!input) { return; }
    var files = picked(input);
    if (control.hasAttribute("data-file-remove")) {
      files.splice(Number(control.getAttribute("data-file-remove")), 1);
      writeBack(input);
      render(input);
      var next = list.querySelector("[data-file-remove]");
      (next || input).focus();
      return;
    }
    var index = Number(control.getAttribute("data-file-replace"));
    var chooser = document.createElement("input");
    chooser.type = "file";
    chooser.accept = input.accept;
    chooser.addEventListener("change", function () {
      if (!chooser.files.length) { return; }
      files[index] = chooser.files[0];
      writeBack(input);
      render(input);
      var again = list.querySelectorAll("[data-file-replace]")[index];
      if (again) { again.focus(); }
    });
    chooser.click();
  });

  // Parts of a form shown only for one choice of a radio group: data-reveal-when="name=value".
  function reveal(root) {
    Array.prototype.forEach.call(
      (root || document).querySelectorAll("[data-reveal-when]"),
      function (part) {
        var rule = part.getAttribute("data-reveal-when").split("=");
        var form = part.closest("form");
        var chosen = form && form.querySelector('input[name="' + rule[0] + '"]:checked');
        part.hidden = !(chosen && chosen.value === rule[1]);
      }
    );
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === "radio" && input.form) {
      reveal(input.form);
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { reveal(); });
  } else {
    reveal();
  }

  // A refused action (403/409/400), or one the file storage could not take (503), comes
  // back as a page that explains why; htmx does not swap error answers by default, so
  // accept the ones the server retargeted on purpose.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var explained = (xhr.status >= 400 && xhr.status < 500) || xhr.status === 503;
    if (explained && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSwap", function () {
    var refusal = document.getElementById("penolakan");
    if (refusal) { refusal.focus(); }
  });
})();

// Buat Tiket: the code lookup's answer (#code-lookup) shows or hides the manual fields
// (they stay in the form, so typed values survive) and selects the tender's LPSE.
(function () {
  "use strict";

  function syncCodeLookup() {
    var answer = document.querySelector("#code-lookup [data-manual]");
    var manual = document.getElementById("manual-data");
    if (!answer || !manual) { return; }
    var state = answer.getAttribute("data-manual");
    if (state === "show") { manual.hidden = false; }
    if (state === "hide") { manual.hidden = true; }
    var lpse = answer.getAttribute("data-lpse-pk");
    var select = document.getElementById("id_lpse");
    if (lpse && select && select.value !== lpse &&
        select.querySelector('option[value="' + lpse + '"]')) {
      select.value = lpse;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  document.addEventListener("htmx:afterSettle", syncCodeLookup);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", syncCodeLookup);
  } else {
    syncCodeLookup();
  }
})();

// Buat Tiket (guide §4.3.1): "Ubah Email" shows the notification address as text until
// the reporter opens the field (without JS the field is simply shown), and "Pilih dari
// paket saya" fills the code with the picked package (its button asks the code lookup).
(function () {
  "use strict";

  function emailParts() {
    var notice = document.getElementById("email-notice");
    var field = document.getElementById("field-notification_email");
    var input = document.getElementById("id_notification_email");
    return notice && field && input ? { notice: notice, field: field, input: input } : null;
  }

  function hasErrors(parts) {
    var errors = document.getElementById("error-notification_email");
    return parts.field.classList.contains("field--invalid") ||
      !!(errors && errors.textContent.trim());
  }

  function openEmail(parts, focus) {
    parts.notice.hidden = true;
    parts.field.hidden = false;
    parts.notice.querySelector("[data-email-edit]").setAttribute("aria-expanded", "true");
    if (focus) { parts.input.focus(); }
  }

  function initEmail() {
    var parts = emailParts();
    if (!parts || parts.notice.hasAttribute("data-ready")) { return; }
    parts.notice.setAttribute("data-ready", "");
    if (!parts.input.value.trim() || hasErrors(parts)) { return; }
    parts.field.hidden = true;
    parts.notice.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (target && target.closest("[data-email-edit]")) {
      var parts = emailParts();
      if (parts) { openEmail(parts, true); }
      return;
    }
    var pick = target && target.closest("[data-pick-code]");
    if (!pick) { return; }
    var code = document.getElementById("id_code");
    if (code) { code.value = pick.getAttribute("data-pick-code"); }
    var list = pick.closest("details");
    if (list) { list.open = false; }
    if (code) { code.focus(); }
  });

  // A refused submission brings its errors out of band: an address with an error is shown.
  document.addEventListener("htmx:afterSettle", function () {
    var parts = emailParts();
    if (parts && !parts.field.hidden) { return; }
    if (parts && hasErrors(parts)) { openEmail(parts, false); }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initEmail);
  } else {
    initEmail();
  }
})();

// Buat Tiket: suggestions while the reporter types (issue 18). A suggested category fills
// Kategori (its change asks for the fields that depend on it); the reporter still
// chooses. The request sends only the start of the description, so that its address
// stays short; an answer that shows nothing new is not swapped in again, so that a
// screen reader does not read the same suggestions at every pause in typing.
(function () {
  "use strict";

  var SENT_DESCRIPTION_CHARS = 800;

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var pick = target && target.closest("[data-suggest-category]");
    if (!pick) { return; }
    var select = document.getElementById("id_category");
    var value = pick.getAttribute("data-suggest-category");
    if (!select || !select.querySelector('option[value="' + value + '"]')) { return; }
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });

  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt.hasAttribute("data-suggestions")) { return; }
    var description = event.detail.parameters.description;
    if (typeof description === "string" && description.length > SENT_DESCRIPTION_CHARS) {
      event.detail.parameters.description = description.slice(0, SENT_DESCRIPTION_CHARS);
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.hasAttribute || !target.hasAttribute("data-suggestions")) { return; }
    if (target.lastSuggestions === event.detail.serverResponse) {
      event.detail.shouldSwap = false;
    }
    target.lastSuggestions = event.detail.serverResponse;
  });
})();
