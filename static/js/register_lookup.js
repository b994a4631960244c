// The national register look-up (templates/contacts/_register_lookup.html): a click on a
// result's "Use" button copies its values into the form marked data-register-form, by field
// name ("line1" also fills "address-line1", the company form's address fields).
(function () {
  "use strict";

  function fieldsNamed(form, name) {
    return [name, "address-" + name]
      .map(function (n) { return form.elements.namedItem(n); })
      .filter(function (el) { return el && !(el instanceof RadioNodeList); });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-register-pick]");
    if (!button) return;
    event.preventDefault();
    var lookup = button.closest("[data-register-lookup]");
    var form = document.querySelector("form[data-register-form]");
    if (!form) return;
    var values = JSON.parse(button.getAttribute("data-register-pick"));
    Object.keys(values).forEach(function (name) {
      fieldsNamed(form, name).forEach(function (field) {
        field.value = values[name] || "";
        field.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
    var results = lookup && lookup.querySelector(".register-results");
    if (results) results.replaceChildren();
    var filled = lookup && lookup.querySelector("[data-register-filled]");
    if (filled) filled.hidden = false;
    var first = form.elements.namedItem("name");
    if (first && first.focus) first.focus();
  });
})();
