// The print button on the receipt (inline scripts are forbidden by the CSP).
document.querySelectorAll(".js-print").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
