// The product picker of the opportunity lines (templates/catalogue/_product_picker.html):
// the server lists the active products matching what is typed (htmx); picking one copies its
// label, unit, price and VAT rate into the line's fields, which stay editable. Loaded once by
// the opportunity card; every listener is delegated, so the add form and the edit dialog,
// swapped in by htmx, need nothing more.
(function () {
  "use strict";

  function pickerOf(element) { return element.closest("[data-product-picker]"); }

  function setField(form, name, value) {
    const field = form.elements.namedItem(name);
    if (field && value !== undefined) field.value = value;
  }

  function showPicked(picker, text) {
    const picked = picker.querySelector("[data-product-picked]");
    if (!picked) return;
    picked.querySelector("[data-product-picked-name]").textContent = text;
    picked.hidden = !text;
  }

  function closeChoices(picker) {
    const choices = picker.querySelector("[data-product-choices]");
    if (choices) choices.replaceChildren();
  }

  function pick(button) {
    const picker = pickerOf(button);
    const form = button.closest("form");
    if (!picker || !form) return;
    const data = button.dataset;
    setField(form, "product", data.productPick);
    setField(form, "item", data.label);
    setField(form, "unit", data.unit);
    setField(form, "unit_price", data.price);
    setField(form, "vat_rate", data.vat);
    showPicked(picker, data.code + " – " + data.label);
    closeChoices(picker);
    const search = picker.querySelector("[data-product-search]");
    if (search) search.value = "";
    const quantity = form.elements.namedItem("quantity");
    if (quantity) { quantity.focus(); quantity.select(); }
  }

  document.addEventListener("click", function (event) {
    const choice = event.target.closest("[data-product-pick]");
    if (choice) { event.preventDefault(); pick(choice); return; }
    const clear = event.target.closest("[data-product-clear]");
    if (clear) {
      const picker = pickerOf(clear);
      setField(clear.closest("form"), "product", "");
      showPicked(picker, "");
      const search = picker.querySelector("[data-product-search]");
      if (search) search.focus();
    }
  });

  document.addEventListener("keydown", function (event) {
    const search = event.target.closest && event.target.closest("[data-product-search]");
    if (search) {
      const first = pickerOf(search).querySelector("[data-product-pick]");
      // Enter picks the first product listed, never submits the line half typed.
      if (event.key === "Enter") {
        event.preventDefault();
        if (first) pick(first);
      } else if (event.key === "ArrowDown" && first) {
        event.preventDefault();
        first.focus();
      } else if (event.key === "Escape" && first) {
        // Closes the list only, not the dialog the form may be in.
        event.preventDefault();
        closeChoices(pickerOf(search));
      }
      return;
    }
    const choice = event.target.closest && event.target.closest("[data-product-pick]");
    if (!choice) return;
    const item = choice.closest("li");
    if (event.key === "ArrowDown" && item.nextElementSibling) {
      event.preventDefault();
      item.nextElementSibling.querySelector("[data-product-pick]").focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      const previous = item.previousElementSibling;
      if (previous) previous.querySelector("[data-product-pick]").focus();
      else pickerOf(choice).querySelector("[data-product-search]").focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      const picker = pickerOf(choice);
      closeChoices(picker);
      picker.querySelector("[data-product-search]").focus();
    }
  });
})();
