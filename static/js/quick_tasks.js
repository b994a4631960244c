/* Tasks on the go: the record a new task is about, picked from the look-up as the user types
   (templates/pipeline/_task_link_field.html), and the cards' toolbars, whose secondary actions
   fold into a "More" menu on phones (templates/prospects/prospect_detail.html). Listeners are
   delegated: the task dialog is loaded by htmx after the page. */
(function () {
  "use strict";

  function field(element) {
    return element.closest("[data-task-link]");
  }

  function choose(box, value, label) {
    box.querySelector("[data-task-link-value]").value = value;
    box.querySelector("[data-task-link-label]").textContent = label;
    var chosen = box.querySelector("[data-task-link-chosen]");
    var search = box.querySelector("[data-task-link-search]");
    chosen.hidden = !value;
    search.hidden = Boolean(value);
    search.value = "";
    box.querySelector(".task-link-results").replaceChildren();
    (value ? chosen.querySelector("button") : search).focus();
  }

  document.addEventListener("click", function (event) {
    var hit = event.target.closest("[data-link-value]");
    if (hit && field(hit) && !hit.disabled) {
      choose(field(hit), hit.dataset.linkValue, hit.dataset.linkLabel);
      return;
    }
    var clear = event.target.closest("[data-task-link-clear]");
    if (clear && field(clear)) choose(field(clear), "", "");
  });

  // Enter in the search field picks the first record instead of sending the task form;
  // the arrow keys move between the records found.
  document.addEventListener("keydown", function (event) {
    var box = field(event.target);
    if (!box) return;
    var hits = Array.prototype.slice.call(box.querySelectorAll("[data-link-value]:not([disabled])"));
    if (event.target.matches("[data-task-link-search]")) {
      if (event.key === "Enter") {
        event.preventDefault();
        if (hits.length) choose(box, hits[0].dataset.linkValue, hits[0].dataset.linkLabel);
      } else if (event.key === "ArrowDown" && hits.length) {
        event.preventDefault();
        hits[0].focus();
      }
      return;
    }
    var index = hits.indexOf(event.target);
    if (index < 0) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = index + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0) box.querySelector("[data-task-link-search]").focus();
      else if (next < hits.length) hits[next].focus();
    }
  });

  // Cards' toolbars: every action in a row on a wide screen, the secondary ones behind "More"
  // on a phone (the <details> works without this script: it then starts folded everywhere).
  var wide = window.matchMedia("(min-width: 861px)");

  function unfold() {
    document.querySelectorAll("details[data-toolbar-more]").forEach(function (details) {
      details.open = wide.matches;
    });
  }

  wide.addEventListener("change", unfold);
  document.addEventListener("DOMContentLoaded", unfold);
})();
