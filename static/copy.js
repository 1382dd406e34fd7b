// Progressive enhancement: a "Copy" button for any element with data-copy-target.
// Pages work without it; this only saves a select-and-copy.
document.querySelectorAll("[data-copy-target]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) return;
    navigator.clipboard.writeText(target.textContent.trim()).then(function () {
      button.textContent = "Copied";
    }, function () {
      var range = document.createRange();
      range.selectNodeContents(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      button.textContent = "Press Ctrl+C to copy";
    });
  });
});
