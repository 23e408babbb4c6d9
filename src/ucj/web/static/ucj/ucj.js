// UCJ page behaviour without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.matches("select[data-autosubmit]")) {
    el.form.submit();
  }
});

// A button that acts on ticked rows (data-needs-checked="<checkbox name>") is disabled while none is ticked.
// Without script the button stays usable and the page answers an empty selection with a message.
function ucjSyncNeedsChecked(form) {
  form.querySelectorAll("button[data-needs-checked]").forEach(function (button) {
    var name = button.getAttribute("data-needs-checked");
    var ticked = form.querySelector('input[type=checkbox][name="' + name + '"]:checked');
    button.disabled = !ticked;
  });
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("button[data-needs-checked]")) {
      ucjSyncNeedsChecked(form);
    }
  });
});
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.form && el.matches("input[type=checkbox]")) {
    ucjSyncNeedsChecked(el.form);
  }
});
// A "print" button (the kwitansi page): no inline onclick under the Content-Security-Policy.
document.addEventListener("click", function (event) {
  var el = event.target;
  if (el && el.closest && el.closest("[data-print]")) {
    window.print();
  }
});
