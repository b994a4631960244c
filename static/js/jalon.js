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
  // Any other error answer (4xx, 5xx) is never swapped in: the page stays as it was.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (event.detail.xhr.status >= 400) {
      event.detail.shouldSwap = false;
      event.detail.isError = true;
    }
  });

  // A failed htmx request (an error answer, or no answer at all) says so in the message area.
  // The texts are <body data-error-*> attributes that templates/base.html renders in the
  // user's language. An answer that brings its own message (HX-Trigger: jalon:message) shows
  // that one only.
  function errorText(status) {
    const texts = document.body.dataset;
    if (!status) return texts.errorNetwork;
    if (status >= 500) return texts.errorServer;
    return {400: texts.errorBadRequest, 403: texts.errorForbidden, 404: texts.errorNotFound}[status]
      || texts.errorRefused;
  }
  function showError(status) {
    const text = errorText(status);
    if (!text) return;
    document.dispatchEvent(new CustomEvent("jalon:message", { detail: { text: text, level: "error" } }));
  }
  document.addEventListener("htmx:responseError", function (event) {
    const xhr = event.detail.xhr;
    if ((xhr.getResponseHeader("HX-Trigger") || "").indexOf("jalon:message") !== -1) return;
    showError(xhr.status);
  });
  document.addEventListener("htmx:sendError", function () { showError(0); });

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
    close.type = "button"; close.className = "message-close";
    close.setAttribute("aria-label", box.dataset.closeLabel || "Close");
    close.title = box.dataset.closeLabel || "Close";
    // The icon is the page's own (<template id="message-close-icon"> in base.html).
    const icon = document.getElementById("message-close-icon");
    if (icon) close.append(icon.content.cloneNode(true));
    div.append(span, close);
    box.append(div);
    setTimeout(function () { div.remove(); }, 8000);
  });
  // What the server did on its own for the user (core/notices.py), after the view's message.
  document.addEventListener("jalon:messages", function (event) {
    ((event.detail && event.detail.items) || []).forEach(function (item) {
      document.dispatchEvent(new CustomEvent("jalon:message", { detail: item }));
    });
  });

  // Behaviours the templates declare with data attributes. The Content-Security-Policy allows
  // no inline event handler (onclick="...") and htmx runs without eval (no hx-on, no trigger
  // filter such as click[...]): each one lives here instead.

  // The elements of `root` (itself included) that match `selector`.
  function within(root, selector) {
    const found = root.querySelectorAll ? Array.from(root.querySelectorAll(selector)) : [];
    if (root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }

  // [data-category-colour]: a category badge in the colour a manager chose. Set through the
  // CSSOM, which the policy allows where a style="" attribute would be refused.
  function paintCategories(root) {
    within(root, "[data-category-colour]").forEach(function (badge) {
      badge.style.setProperty("--c", badge.dataset.categoryColour);
    });
  }
  paintCategories(document);
  document.addEventListener("htmx:load", function (event) { paintCategories(event.detail.elt); });

  document.addEventListener("click", function (event) {
    // .message-close: removes its message (server-rendered or sent with htmx).
    const close = event.target.closest(".message-close");
    if (close && close.closest(".message")) { close.closest(".message").remove(); return; }

    // [data-modal-close]: closes the dialog it is in.
    const closer = event.target.closest("[data-modal-close]");
    if (closer) {
      const dialog = closer.closest("dialog") || document.getElementById("modal");
      if (dialog && dialog.open) dialog.close();
      return;
    }

    // [data-tabs] [role=tab]: the clicked tab shows as selected at once (htmx loads its panel).
    const tab = event.target.closest("[data-tabs] [role=tab]");
    if (tab) {
      tab.closest("[data-tabs]").querySelectorAll("[role=tab]").forEach(function (other) {
        other.classList.toggle("active", other === tab);
        other.setAttribute("aria-selected", other === tab ? "true" : "false");
      });
      return;
    }

    // [data-select-row]: a click on a row, away from its links and fields, selects it and fires
    // "jalon:select-row", which its hx-trigger waits for (e.g. to load the row's panel).
    const row = event.target.closest("[data-select-row]");
    if (row && !event.target.closest("a, button, input, select, textarea, label")) {
      row.parentElement.querySelectorAll("[data-select-row].selected").forEach(function (other) {
        other.classList.remove("selected");
      });
      row.classList.add("selected");
      htmx.trigger(row, "jalon:select-row");
    }
  });

  document.addEventListener("change", function (event) {
    // [data-check-all="selector"]: a box that ticks or unticks every box the selector matches.
    const all = event.target.closest("[data-check-all]");
    if (all) {
      document.querySelectorAll(all.dataset.checkAll).forEach(function (box) { box.checked = all.checked; });
    }
    // [data-autosubmit]: a field whose change submits its form.
    const field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.submit();
  });

  // [data-select-on-focus]: a read-only field (an address to copy) selects its text.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });

  // form[data-confirm="Question?"]: asks before submitting; with data-confirm-action="delete",
  // only when the form's "action" field has that value. Captured before htmx sees the submit.
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (!form) return;
    const only = form.dataset.confirmAction;
    if (only && !(form.elements.action && form.elements.action.value === only)) return;
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // [data-drop-empty-params] (a filter form): its htmx requests leave out the empty fields, so
  // that the URL pushed to the history shows only the filters in use (/companies/?q=acme).
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.target.closest || !event.target.closest("[data-drop-empty-params]")) return;
    const parameters = event.detail.parameters;
    for (const key of Array.from(Object.keys(parameters))) {
      if (parameters[key] === "") delete parameters[key];
    }
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
