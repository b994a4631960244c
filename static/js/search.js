// The top bar's global search: an ARIA combobox over the results htmx loads as you type
// (templates/search/_dropdown.html). ↑/↓ move through the options, Enter opens the highlighted
// one (without one, the form goes to the results page), Esc closes; "/" focuses the box from
// anywhere except while typing in a field. The server decides what is found. Beside the listbox,
// a status (role=status) says how many were found, or shows why nothing is listed: "nothing
// found" is not an option to move to.
(function () {
  "use strict";

  function setup(form) {
    const input = form.querySelector("input[role=combobox]");
    const listbox = form.querySelector("[role=listbox]");
    const status = form.querySelector("[role=status]");
    if (!input || !listbox) return;

    function silence() {
      if (status) status.replaceChildren();
    }

    function options() {
      return Array.from(listbox.querySelectorAll("[role=option]"));
    }

    function active() {
      return listbox.querySelector("[role=option][aria-selected=true]");
    }

    function open() {
      if (!listbox.children.length) return close();
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      highlight(null);
    }

    function highlight(option) {
      options().forEach(function (item) {
        item.setAttribute("aria-selected", item === option ? "true" : "false");
      });
      if (option) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function move(step) {
      const items = options();
      if (!items.length) return;
      if (listbox.hidden) open();
      const index = items.indexOf(active());
      let next = index + step;
      if (index === -1) next = step > 0 ? 0 : items.length - 1;
      highlight(items[(next + items.length) % items.length]);
    }

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        move(1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        move(-1);
      } else if (event.key === "Enter") {
        const option = listbox.hidden ? null : active();
        if (option) {
          event.preventDefault();
          window.location.href = option.getAttribute("href");
        }
      } else if (event.key === "Escape") {
        if (!listbox.hidden) {
          event.preventDefault();
          close();
        } else if (status && status.querySelector(".search-hint")) {
          event.preventDefault();
          silence();
        } else {
          input.blur();
        }
      }
    });

    // New results: shown, nothing highlighted (Enter alone goes to the results page).
    listbox.addEventListener("htmx:afterSwap", function () {
      highlight(null);
      if (input.value.trim() && document.activeElement === input) open();
      else close();
    });
    input.addEventListener("input", function () {
      if (!input.value.trim()) {
        listbox.replaceChildren();
        silence();
        close();
      }
    });
    input.addEventListener("focus", function () {
      if (input.value.trim()) open();
    });
    // A click outside closes; a click on an option follows its link.
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) close();
    });
    listbox.addEventListener("mousemove", function (event) {
      const option = event.target.closest("[role=option]");
      if (option && option !== active()) highlight(option);
    });
  }

  function typing(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]"));
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    const input = document.querySelector("[data-global-search] input[role=combobox]");
    if (!input || input.offsetParent === null) return;
    event.preventDefault();
    input.focus();
    input.select();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-global-search]").forEach(setup);
  });
})();
