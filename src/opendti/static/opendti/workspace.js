// The workspace keeps what the user typed in this browser until the server has saved it, so an
// ended session or a lost connection never loses input. Drafts live in localStorage per indicator.
(function () {
  "use strict";
  var PREFIX = "opendti-draft|";
  var banner = document.getElementById("session-banner");
  // A refused save (403 locked, 409 conflict, 422 invalid) comes back as the card with the reason:
  // show it in place instead of dropping it.
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "40[39]", swap: true, error: false },
    { code: "422", swap: true, error: false },
    { code: "401", swap: false, error: true },
    { code: "[45]..", swap: false, error: true },
  ];

  function formOf(article) { return article.querySelector("form.answer"); }
  function read(form) {
    var values = {};
    form.querySelectorAll("[name^='v-'], [name='note'], [name='is_estimate']").forEach(function (el) {
      values[el.name] = el.type === "checkbox" ? (el.checked ? "on" : "") : el.value;
    });
    return values;
  }
  function keep(article) {
    var form = formOf(article);
    if (!form) return;
    localStorage.setItem(PREFIX + article.dataset.key, JSON.stringify(read(form)));
  }
  function forget(article) { localStorage.removeItem(PREFIX + article.dataset.key); }

  function restore(article) {
    var form = formOf(article);
    var stored = localStorage.getItem(PREFIX + article.dataset.key);
    // A locked (inert) form shows what was saved; the draft is kept for if the form reopens.
    if (!form || !stored || form.hasAttribute("inert")) return;
    var draft = JSON.parse(stored), current = read(form), differs = false;
    Object.keys(draft).forEach(function (name) {
      if (draft[name] !== current[name]) {
        differs = true;
        var el = form.querySelector("[name='" + name + "']");
        if (!el) return;
        if (el.type === "checkbox") el.checked = draft[name] === "on"; else el.value = draft[name];
      }
    });
    if (differs) {
      article.classList.add("unsaved");
      var state = article.querySelector(".save-state");
      if (state) state.textContent = state.dataset.unsaved || "Có số liệu chưa lưu trên máy này — bấm Lưu.";
    } else { forget(article); }
  }

  document.addEventListener("input", function (event) {
    var article = event.target.closest && event.target.closest("article.indicator");
    if (article) keep(article);
  });

  function expired(event) {
    if (banner) banner.hidden = false;
    event.detail.shouldSwap = false;
    event.preventDefault();
  }
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 401 || (xhr.responseURL && xhr.responseURL.indexOf("/dang-nhap/") !== -1)) {
      expired(event);
      return;
    }
    // A refused save answers 403 with the card itself. Any other 403 is Django's CSRF refusal
    // (cookies cleared, or the token changed by signing in again elsewhere): never paint that
    // page over the card; the typed values stay in localStorage for after signing in again.
    var target = event.detail.target;
    if (xhr.status === 403 && target && target.id &&
        xhr.responseText.indexOf('id="' + target.id + '"') === -1) {
      expired(event);
    }
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status === 401 && banner) banner.hidden = false;
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var article = event.detail.target;
    if (!article || !article.matches || !article.matches("article.indicator")) {
      article = document.getElementById(event.detail.target.id);
    }
    var fresh = article && document.getElementById(article.id);
    if (fresh && fresh.matches("article.indicator") && event.detail.requestConfig &&
        event.detail.requestConfig.path.indexOf("/luu/") !== -1 && !fresh.querySelector(".conflict, .form-errors")) {
      forget(fresh);
      if (banner) banner.hidden = true;
    }
  });
  document.querySelectorAll("article.indicator").forEach(restore);
})();
