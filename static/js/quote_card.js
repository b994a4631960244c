// The quote card: the "send" dialog and the public link's copy button (the
// Content-Security-Policy allows no inline handler; templates/quotes/quote_detail.html).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    // [data-dialog-open="id"]: opens the <dialog> of that id.
    const opener = event.target.closest("[data-dialog-open]");
    if (opener) {
      const dialog = document.getElementById(opener.dataset.dialogOpen);
      if (dialog && !dialog.open) dialog.showModal();
      return;
    }

    // [data-copy="id"]: copies the value of that field; the button says so for a moment.
    const copy = event.target.closest("[data-copy]");
    if (copy) {
      const field = document.getElementById(copy.dataset.copy);
      if (!field) return;
      const done = function () {
        const label = copy.textContent;
        copy.textContent = copy.dataset.copied || label;
        setTimeout(function () { copy.textContent = label; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          field.select(); document.execCommand("copy"); done();
        });
      } else {
        field.select();
        document.execCommand("copy");
        done();
      }
    }
  });
})();
