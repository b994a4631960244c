// E-mail drop (mail-capture): an .eml or .msg file dropped anywhere on a page holding a
// form[data-mail-drop] (a card, the inbox) is sent through that form; choosing the file in
// the form's input sends it too. A drop on another file input keeps the browser's behaviour.
(function () {
  "use strict";
  const MAIL_FILE = /\.(eml|msg)$/i;

  function dropForm() {
    return document.querySelector("form[data-mail-drop]");
  }

  function send(form, files) {
    const input = form.querySelector("input[type=file]");
    if (files) {
      input.files = files;
    }
    form.classList.add("mail-drop-sending");
    form.submit();
  }

  let overlay = null;
  let depth = 0;

  function showOverlay(form) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.className = "mail-drop-overlay";
      overlay.setAttribute("aria-hidden", "true");
      document.body.appendChild(overlay);
    }
    overlay.textContent = form.dataset.dropHint || "";
    document.body.classList.add("mail-dragging");
  }

  function hideOverlay() {
    depth = 0;
    document.body.classList.remove("mail-dragging");
  }

  function carriesFiles(event) {
    return event.dataTransfer && Array.from(event.dataTransfer.types || []).includes("Files");
  }

  function onFileInput(event) {
    return event.target instanceof Element && event.target.closest("input[type=file]:not([data-mail-drop-input])");
  }

  document.addEventListener("change", function (event) {
    const input = event.target.closest && event.target.closest("input[data-mail-drop-input]");
    if (input && input.files.length) {
      send(input.form);
    }
  });

  document.addEventListener("dragenter", function (event) {
    const form = dropForm();
    if (!form || !carriesFiles(event) || onFileInput(event)) {
      return;
    }
    depth += 1;
    showOverlay(form);
  });

  document.addEventListener("dragleave", function () {
    depth -= 1;
    if (depth <= 0) {
      hideOverlay();
    }
  });

  document.addEventListener("dragover", function (event) {
    if (dropForm() && carriesFiles(event) && !onFileInput(event)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    }
  });

  document.addEventListener("drop", function (event) {
    const form = dropForm();
    if (!form || !carriesFiles(event) || onFileInput(event)) {
      return;
    }
    event.preventDefault();
    hideOverlay();
    const files = event.dataTransfer.files;
    if (files.length === 1 && MAIL_FILE.test(files[0].name)) {
      send(form, files);
    } else {
      document.dispatchEvent(
        new CustomEvent("jalon:message", { detail: { text: form.dataset.dropRefused, level: "error" } })
      );
    }
  });
})();
