// The step list's row menus (`row_html` in pipeline/views/step_rows.py), PROSTEP's context menu:
// a <details> that the keyboard opens like any button; a right click on the row opens it too.
// Open, its panel is placed beside the button (fixed: the table's scroll box would cut it) and
// takes the focus; the arrow keys move through it, Escape closes it and gives the focus back.
(function () {
  "use strict";

  function items(menu) {
    return Array.from(menu.querySelectorAll(".row-menu-panel [role=menuitem]"));
  }

  function place(menu) {
    const panel = menu.querySelector(".row-menu-panel");
    const button = menu.querySelector("summary");
    if (!panel || !button) return;
    panel.classList.add("placed");
    const box = button.getBoundingClientRect();
    const width = panel.offsetWidth;
    const height = panel.offsetHeight;
    const left = Math.max(8, Math.min(box.right - width, window.innerWidth - width - 8));
    const below = box.bottom + 4;
    const top = below + height > window.innerHeight - 8 ? Math.max(8, box.top - height - 4) : below;
    // The CSSOM, which the Content-Security-Policy allows where a style="" attribute is refused.
    panel.style.left = left + "px";
    panel.style.top = top + "px";
  }

  function close(menu, focusButton) {
    if (!menu || !menu.open) return;
    menu.open = false;
    if (focusButton) {
      const button = menu.querySelector("summary");
      if (button) button.focus();
    }
  }

  function closeAll(except) {
    document.querySelectorAll("details[data-row-menu][open]").forEach(function (menu) {
      if (menu !== except) close(menu, false);
    });
  }

  // "toggle" does not bubble: listen in the capture phase.
  document.addEventListener("toggle", function (event) {
    const menu = event.target;
    if (!menu.matches || !menu.matches("details[data-row-menu]")) return;
    const row = menu.closest("tr");
    if (row) row.classList.toggle("menu-open", menu.open);
    if (!menu.open) return;
    closeAll(menu);
    place(menu);
    const first = items(menu)[0];
    if (first) first.focus();
  }, true);

  // A right click on a row (away from its fields and links) opens the row's menu.
  document.addEventListener("contextmenu", function (event) {
    const row = event.target.closest(".step-list tbody tr[data-opportunity]");
    if (!row || event.target.closest("a, input, button, select, textarea")) return;
    const menu = row.querySelector("details[data-row-menu]");
    if (!menu) return;
    event.preventDefault();
    if (menu.open) place(menu);
    else menu.open = true;
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest("details[data-row-menu]")) { closeAll(null); return; }
    // A choice in the menu closes it (the htmx ones answer in place, the modal opens).
    const item = event.target.closest(".row-menu-panel [role=menuitem]");
    if (item && item.tagName === "A" && item.hasAttribute("hx-get")) close(item.closest("details"), false);
  });

  document.addEventListener("keydown", function (event) {
    const menu = event.target.closest && event.target.closest("details[data-row-menu][open]");
    if (!menu) return;
    const list = items(menu);
    const index = list.indexOf(document.activeElement);
    if (event.key === "Escape") { event.preventDefault(); close(menu, true); }
    else if (!list.length) return;
    else if (event.key === "ArrowDown") { event.preventDefault(); list[(index + 1) % list.length].focus(); }
    else if (event.key === "ArrowUp") { event.preventDefault(); list[(index - 1 + list.length) % list.length].focus(); }
    else if (event.key === "Home") { event.preventDefault(); list[0].focus(); }
    else if (event.key === "End") { event.preventDefault(); list[list.length - 1].focus(); }
  });

  // The focus leaving the menu (Tab past its last choice) closes it.
  document.addEventListener("focusout", function (event) {
    const menu = event.target.closest && event.target.closest("details[data-row-menu][open]");
    if (menu && event.relatedTarget && !menu.contains(event.relatedTarget)) close(menu, false);
  });

  // The panel follows its button when the page or the table scrolls, and closes when it leaves.
  function replace() {
    document.querySelectorAll("details[data-row-menu][open]").forEach(place);
  }
  window.addEventListener("resize", replace);
  document.addEventListener("scroll", replace, true);
})();
