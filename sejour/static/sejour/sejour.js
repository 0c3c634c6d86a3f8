/* Séjour: small enhancements; every page works without them. */
(function () {
  "use strict";

  /* A file is sent as soon as it is chosen. */
  document.querySelectorAll("input[type=file][data-autosubmit]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (input.files && input.files.length) {
        input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit();
      }
    });
  });

  /* Answers are saved on the server as they are typed, not only when a button is pressed. */
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var timer = null;
    var status = document.createElement("p");
    status.className = "fr-text--sm fr-mt-1w";
    status.setAttribute("role", "status");
    form.appendChild(status);
    function save() {
      var data = new FormData(form);
      data.append("stay", "1");
      fetch(form.action || window.location.href, {
        method: "POST",
        body: data,
        headers: { "X-Autosave": "1" },
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (result) {
          if (result && result.revision) {
            form.querySelector("input[name=revision]").value = result.revision;
            status.textContent = form.dataset.savedText || "✓";
          }
        })
        .catch(function () { /* the buttons still save */ });
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(save, 1500);
    });
  });
})();
