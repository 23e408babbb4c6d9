// UCJ page behaviour without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.matches("select[data-autosubmit]")) {
    el.form.submit();
  }
});
