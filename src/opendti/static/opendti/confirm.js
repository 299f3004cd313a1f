// Irreversible actions ask first (docs/self-assessment.md, docs/appraisal.md): a form, or one of
// its buttons, carries data-confirm="what will happen" and optionally data-confirm-button="label
// of the confirming button". Submitting it opens the page's <dialog id="confirm-dialog"> (base.html)
// with that text; only "confirm" submits, with the button that was pressed. No inline script: the
// Content-Security-Policy forbids it. Without JavaScript the form submits as before.
(function () {
  "use strict";
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var text = dialog.querySelector("[data-confirm-text]");
  var ok = dialog.querySelector("[data-confirm-ok]");
  var okLabel = ok.textContent;
  var pending = null;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (!message || form.dataset.confirmed === "1") {
      delete form.dataset.confirmed;
      return;
    }
    event.preventDefault();
    pending = { form: form, submitter: submitter };
    text.textContent = message;
    ok.textContent = (submitter && submitter.getAttribute("data-confirm-button")) ||
      form.getAttribute("data-confirm-button") || okLabel;
    dialog.returnValue = "";  // Escape leaves the last answer in place otherwise
    dialog.showModal();
  }, true);

  dialog.addEventListener("close", function () {
    var chosen = pending;
    pending = null;
    if (!chosen || dialog.returnValue !== "ok") return;
    chosen.form.dataset.confirmed = "1";
    if (typeof chosen.form.requestSubmit === "function") {
      chosen.form.requestSubmit(chosen.submitter || undefined);
    } else {
      chosen.form.submit();
    }
  });
})();
