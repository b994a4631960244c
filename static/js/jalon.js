// Small behaviours shared by every page. htmx does the rest.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    const toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) {
      const sidebar = document.getElementById("sidebar");
      const open = sidebar.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });

  // Modal dialogs: a response swapped into #modal-body opens the dialog; the
  // "jalon:close-modal" event (sent by the server in HX-Trigger) closes it. That event fires
  // when the response arrives, before its swap: the flag keeps the swap from reopening it.
  let closing = false;
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "modal-body") {
      const dialog = document.getElementById("modal");
      if (!closing && !dialog.open) dialog.showModal();
    }
  });
  document.addEventListener("htmx:afterRequest", function () { closing = false; });
  document.addEventListener("jalon:close-modal", function () {
    closing = true;
    const dialog = document.getElementById("modal");
    if (dialog && dialog.open) dialog.close();
  });

  // A stale save is answered 409 with the form showing the current values and the conflict
  // (core/_conflict.html): swap it like a success, which htmx does not do for a 4xx.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Server messages sent with htmx responses (HX-Trigger: {"jalon:message": {...}}).
  document.addEventListener("jalon:message", function (event) {
    const box = document.getElementById("messages");
    if (!box || !event.detail) return;
    const div = document.createElement("div");
    div.className = "message message-" + (event.detail.level || "info");
    div.setAttribute("role", "status");
    const span = document.createElement("span");
    span.textContent = event.detail.text || "";
    const close = document.createElement("button");
    close.type = "button"; close.className = "message-close"; close.textContent = "×";
    close.addEventListener("click", function () { div.remove(); });
    div.append(span, close);
    box.append(div);
    setTimeout(function () { div.remove(); }, 8000);
  });

  // Ctrl+K (or Cmd+K) follows the page's [data-ctrl-k] link: list <-> Kanban.
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K")) {
      const link = document.querySelector("[data-ctrl-k]");
      if (link) {
        event.preventDefault();
        window.location.href = link.getAttribute("href");
      }
    }
  });
})();
