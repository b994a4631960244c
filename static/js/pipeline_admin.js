/* Process admin: drag the step rows to reorder them; the order numbers follow. */
(function () {
  "use strict";
  function renumber(tbody) {
    let position = 0;
    tbody.querySelectorAll("tr.form-row:not(.empty-form)").forEach(function (row) {
      const input = row.querySelector("input[name$='-position']");
      const label = row.querySelector("input[name$='-label']");
      if (input && label && label.value.trim() !== "") {
        input.value = position;
        position += 1;
      }
    });
  }
  function setUp() {
    const group = document.getElementById("steps-group");
    if (!group || typeof Sortable === "undefined") return;
    const tbody = group.querySelector("tbody");
    if (!tbody) return;
    const addHandle = function (row) {
      const cell = row.querySelector("td.field-position");
      if (!cell || cell.querySelector(".step-drag")) return;
      const handle = document.createElement("span");
      handle.className = "step-drag";
      handle.title = "⇅";
      handle.textContent = "⇅";
      handle.style.cssText = "cursor: move; padding: 0 .5rem 0 0; font-size: 1.1rem; user-select: none;";
      cell.prepend(handle);
    };
    tbody.querySelectorAll("tr.form-row").forEach(addHandle);
    // Rows added with "Add another step" get a handle too.
    document.addEventListener("formset:added", function (event) {
      if (event.target && event.target.matches && event.target.matches("tr.form-row")) addHandle(event.target);
    });
    Sortable.create(tbody, {
      animation: 120,
      handle: ".step-drag",
      draggable: "tr.form-row:not(.empty-form)",
      onEnd: function () { renumber(tbody); },
    });
  }
  document.addEventListener("DOMContentLoaded", setUp);
})();
