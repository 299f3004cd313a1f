// Behaviour every page shares (base.html). No inline handlers: the Content-Security-Policy runs
// scripts from the site's own files only.
"use strict";
// A <select data-autosubmit> sends its form when changed (the language switch in the header).
document.addEventListener("change", function (event) {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});
