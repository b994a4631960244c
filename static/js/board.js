// The Kanban: SortableJS lists posting each drop with htmx, a keyboard "Move to…" menu
// doing the same move, and the snap-back of refused moves. The server decides everything.
(function () {
  "use strict";

  // Where each card in flight came from, so that a refusal puts it back: id -> {list, index}.
  const origins = {};
  let pendingLost = null; // id of a card dropped on Lost whose dialog is open
  let focusAfterMove = null;

  function board() { return document.getElementById("board"); }

  function columnOf(element) {
    const column = element.closest("[data-column]");
    return column ? column.dataset.column : "";
  }

  function neighbours(card) {
    let prev = card.previousElementSibling;
    while (prev && !prev.matches("[data-opportunity]")) prev = prev.previousElementSibling;
    let next = card.nextElementSibling;
    while (next && !next.matches("[data-opportunity]")) next = next.nextElementSibling;
    return {
      prev: prev ? prev.dataset.opportunity : "",
      next: next ? next.dataset.opportunity : "",
    };
  }

  function snapBack(id) {
    const origin = origins[id];
    delete origins[id];
    if (pendingLost === id) pendingLost = null;
    if (!origin) return;
    const card = document.querySelector('[data-opportunity="' + id + '"]');
    if (!card || !origin.list.isConnected) return;
    card.remove();
    const cards = Array.from(origin.list.querySelectorAll(":scope > [data-opportunity]"));
    origin.list.insertBefore(card, cards[origin.index] || null);
    card.classList.add("kanban-card-refused");
    setTimeout(function () { card.classList.remove("kanban-card-refused"); }, 1200);
  }

  function cardIndex(card) {
    return Array.from(card.parentElement.querySelectorAll(":scope > [data-opportunity]")).indexOf(card);
  }

  // A card has landed in a list (drop or menu): ask the server.
  function landed(card, fromKey) {
    const id = card.dataset.opportunity;
    const toKey = columnOf(card);
    const around = neighbours(card);
    const values = {
      opportunity: id, column: toKey, from: fromKey, version: card.dataset.version,
      prev: around.prev, next: around.next,
    };
    if (toKey === "lost" && fromKey !== "lost") {
      pendingLost = id;
      const url = board().dataset.lostUrl.replace(/\/0\/$/, "/" + id + "/") + "?" + new URLSearchParams(
        Object.assign({}, values, Object.fromEntries(new URLSearchParams(board().dataset.query)))
      ).toString();
      htmx.ajax("GET", url, { target: "#modal-body", swap: "innerHTML" });
      return;
    }
    card.classList.add("kanban-card-saving");
    // With the card as source, htmx sends the CSRF header inherited from <body hx-headers>.
    htmx.ajax("POST", board().dataset.moveUrl, {
      source: card, target: card, swap: "outerHTML", values: values,
    });
  }

  function initLists(root) {
    if (typeof Sortable === "undefined") return;
    const lists = [];
    if (root.matches && root.matches(".kanban-cards")) lists.push(root);
    if (root.querySelectorAll) lists.push.apply(lists, root.querySelectorAll(".kanban-cards"));
    lists.forEach(function (list) {
      if (list.sortable) return;
      const boardElement = list.closest("#board");
      if (!boardElement || boardElement.dataset.canModify !== "1") return;
      list.sortable = Sortable.create(list, {
        group: "kanban",
        draggable: "[data-opportunity]",
        // The whole card is the handle, its title included (a click on the title still
        // opens it: a drag starts only once the pointer has moved). Its buttons are not.
        // A card the user may not move (no `data-movable`, decided by the server) never
        // starts a drag, but stays a place other cards can be dropped before or after.
        filter: "button, input, select, textarea, summary, [role=menu], [data-opportunity]:not([data-movable])",
        preventOnFilter: false,
        animation: 150,
        delay: 150,
        delayOnTouchOnly: true, // on phones a short press starts a drag, a swipe scrolls
        touchStartThreshold: 5,
        fallbackTolerance: 5,
        ghostClass: "kanban-card-ghost",
        chosenClass: "kanban-card-chosen",
        onEnd: function (event) {
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          const card = event.item;
          // Its index among all the cards (the ones that may not move included).
          origins[card.dataset.opportunity] = { list: event.from, index: event.oldIndex };
          landed(card, columnOf(event.from));
        },
      });
    });
  }

  // Phones show one column at a time, chosen in a list that gives each column's count.
  let currentColumn = null;
  function syncSwitcher() {
    const boardElement = board();
    if (!boardElement) return;
    const columns = Array.from(boardElement.querySelectorAll(":scope > [data-column]"));
    let switcher = document.getElementById("kanban-switcher");
    if (!columns.length) { if (switcher) switcher.remove(); return; }
    if (!switcher) {
      switcher = document.createElement("div");
      switcher.id = "kanban-switcher";
      switcher.className = "kanban-switcher";
      const label = document.createElement("label");
      label.htmlFor = "kanban-switcher-select";
      label.textContent = boardElement.dataset.switchLabel || "";
      const select = document.createElement("select");
      select.id = "kanban-switcher-select";
      select.dataset.columnSwitch = "";
      select.addEventListener("change", function () { showColumn(select.value); });
      switcher.append(label, select);
    }
    if (switcher.nextElementSibling !== boardElement) boardElement.before(switcher);
    const select = switcher.querySelector("select");
    const keys = columns.map(function (column) { return column.dataset.column; });
    const storageKey = "jalon:board-column:" + boardElement.dataset.process;
    if (currentColumn === null) {
      try { currentColumn = sessionStorage.getItem(storageKey); } catch (error) { currentColumn = null; }
    }
    if (keys.indexOf(currentColumn) < 0) {
      // The first unfolded column holding cards, else the first unfolded one.
      const unfolded = columns.filter(function (column) { return !column.classList.contains("folded"); });
      const busy = unfolded.find(function (column) {
        const count = column.querySelector("[data-count]");
        return count && count.textContent.trim() !== "0";
      });
      currentColumn = (busy || unfolded[0] || columns[0]).dataset.column;
    }
    select.replaceChildren.apply(select, columns.map(function (column) {
      const option = document.createElement("option");
      const count = column.querySelector("[data-count]");
      option.value = column.dataset.column;
      option.textContent = column.dataset.label + (count ? " (" + count.textContent.trim() + ")" : "");
      return option;
    }));
    showColumn(currentColumn);
  }
  function showColumn(key) {
    const boardElement = board();
    if (!boardElement) return;
    currentColumn = key;
    try { sessionStorage.setItem("jalon:board-column:" + boardElement.dataset.process, key); } catch (error) { /* private mode */ }
    boardElement.classList.add("kanban-one");
    boardElement.querySelectorAll(":scope > [data-column]").forEach(function (column) {
      column.classList.toggle("is-current", column.dataset.column === key);
    });
    const select = document.getElementById("kanban-switcher-select");
    if (select && select.value !== key) select.value = key;
  }

  // Sortable loads with `defer` after htmx: initialise once both are there, then on swaps.
  function start() {
    initLists(document);
    syncSwitcher();
    htmx.onLoad(function (element) { initLists(element); });
    // Counts change after moves, the columns after filtering: the list follows.
    document.addEventListener("htmx:afterSettle", syncSwitcher);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  // "Load more" after moves may bring a card already shown: keep the one already there.
  document.addEventListener("htmx:afterSwap", function (event) {
    const target = event.detail.target;
    if (!target || !target.classList || !target.classList.contains("kanban-cards")) return;
    const seen = new Set();
    document.querySelectorAll("#board [data-opportunity]").forEach(function (card) {
      if (seen.has(card.dataset.opportunity)) card.remove();
      else seen.add(card.dataset.opportunity);
    });
  });

  // Back/forward between filtered boards: htmx restores the HTML, the lists need Sortable again.
  document.addEventListener("htmx:historyRestore", function () { initLists(document); syncSwitcher(); });

  document.addEventListener("board:refused", function (event) {
    const id = String(event.detail.opportunity || "");
    snapBack(id);
    const card = document.querySelector('[data-opportunity="' + id + '"]');
    if (card) card.classList.remove("kanban-card-saving");
  });
  document.addEventListener("board:moved", function (event) {
    const id = String(event.detail.opportunity || "");
    delete origins[id];
    if (pendingLost === id) pendingLost = null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusAfterMove) return;
    const card = document.querySelector('[data-opportunity="' + focusAfterMove + '"]');
    focusAfterMove = null;
    if (card) card.focus();
  });
  // An error answer or no answer at all: nothing was saved, so the card goes back (and
  // static/js/jalon.js says why in the message area). So does a card dropped on Lost whose
  // loss-reason dialog could not open (another rep's card: 403).
  function failed(event) {
    const elt = event.detail.elt;
    const id = elt && elt.dataset && elt.dataset.opportunity;
    if (id && origins[id]) {
      snapBack(id);
      const card = document.querySelector('[data-opportunity="' + id + '"]');
      if (card) card.classList.remove("kanban-card-saving");
    } else if (pendingLost && event.detail.target && event.detail.target.id === "modal-body") {
      snapBack(pendingLost);
    }
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  // The loss-reason dialog: closing it without confirming (Cancel, Escape) puts the card back.
  // (Its Cancel button is [data-modal-close], which static/js/jalon.js handles on every page.)
  function watchModal() {
    const dialog = document.getElementById("modal");
    if (!dialog) return;
    dialog.addEventListener("close", function () {
      if (pendingLost) snapBack(pendingLost);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watchModal);
  else watchModal();

  // Task dialogs (the tasks' own forms in #modal): once a task changed, the card it belongs
  // to is fetched again so that its next action and colour are right.
  let taskCard = null;
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-task-for]");
    if (button) taskCard = button.dataset.taskFor;
  });
  document.addEventListener("jalon:tasks-changed", function () {
    const id = taskCard;
    taskCard = null;
    const card = id && document.querySelector('[data-opportunity="' + id + '"]');
    if (!card || !board()) return;
    htmx.ajax("GET", board().dataset.cardUrl.replace(/\/0\/$/, "/" + id + "/"), {
      target: card, swap: "outerHTML",
    });
  });

  // Keyboard: "Move to…" opens a menu of the other columns; a choice is the same move.
  function closeMenu(restoreFocus) {
    const menu = document.querySelector(".move-menu");
    if (!menu) return;
    const button = menu.previousElementSibling;
    menu.remove();
    if (button) {
      button.setAttribute("aria-expanded", "false");
      if (restoreFocus) button.focus();
    }
  }

  function openMenu(button) {
    closeMenu(false);
    const card = button.closest("[data-opportunity]");
    const current = columnOf(card);
    const menu = document.createElement("div");
    menu.className = "move-menu";
    menu.setAttribute("role", "menu");
    menu.setAttribute("aria-label", button.getAttribute("aria-label") || button.textContent.trim());
    document.querySelectorAll("#board [data-column]").forEach(function (column) {
      if (column.dataset.column === current) return;
      const item = document.createElement("button");
      item.type = "button";
      item.setAttribute("role", "menuitem");
      item.dataset.target = column.dataset.column;
      item.textContent = column.dataset.label;
      menu.append(item);
    });
    button.after(menu);
    button.setAttribute("aria-expanded", "true");
    const first = menu.querySelector("[role=menuitem]");
    if (first) first.focus();
  }

  function moveByMenu(item) {
    const card = item.closest("[data-opportunity]");
    const target = document.querySelector('#board [data-column="' + item.dataset.target + '"] .kanban-cards');
    closeMenu(false);
    if (!card || !target) return;
    const fromKey = columnOf(card);
    origins[card.dataset.opportunity] = { list: card.parentElement, index: cardIndex(card) };
    target.prepend(card);
    focusAfterMove = card.dataset.opportunity;
    landed(card, fromKey);
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-move-menu]");
    if (button) {
      if (button.getAttribute("aria-expanded") === "true") closeMenu(true);
      else openMenu(button);
      return;
    }
    const item = event.target.closest(".move-menu [role=menuitem]");
    if (item) { moveByMenu(item); return; }
    if (!event.target.closest(".move-menu")) closeMenu(false);
  });

  document.addEventListener("keydown", function (event) {
    const menu = event.target.closest && event.target.closest(".move-menu");
    if (!menu) return;
    const items = Array.from(menu.querySelectorAll("[role=menuitem]"));
    const index = items.indexOf(document.activeElement);
    if (event.key === "Escape") { event.preventDefault(); closeMenu(true); }
    else if (event.key === "ArrowDown") { event.preventDefault(); items[(index + 1) % items.length].focus(); }
    else if (event.key === "ArrowUp") { event.preventDefault(); items[(index - 1 + items.length) % items.length].focus(); }
    else if (event.key === "Home") { event.preventDefault(); items[0].focus(); }
    else if (event.key === "End") { event.preventDefault(); items[items.length - 1].focus(); }
    else if (event.key === "Tab") { closeMenu(false); }
  });
})();
