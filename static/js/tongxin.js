/* Tongxin: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  // Send the CSRF token with htmx requests (the token is in a cookie-less hidden input on each page).
  document.addEventListener("htmx:configRequest", function (event) {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { event.detail.headers["X-CSRFToken"] = input.value; }
  });
  // Buttons marked data-confirm ask before submitting their form.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  // Photo inputs marked data-shrink="<max side>": a big camera picture is made small in the browser
  // before it is sent (the server re-encodes whatever arrives anyway, so nothing depends on this).
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-shrink]")) { return; }
    var file = input.files && input.files[0];
    if (!file || file.size < 1024 * 1024 || !/^image\/(jpeg|png|webp)$/.test(file.type)) { return; }
    if (!window.createImageBitmap || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) { return; }
    var max = parseInt(input.dataset.shrink, 10) || 2400;
    createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, max / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        if (!blob || blob.size >= file.size || input.files[0] !== file) { return; }
        var transfer = new DataTransfer();
        transfer.items.add(new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" }));
        input.files = transfer.files;
      }, "image/jpeg", 0.85);
    }).catch(function () { /* the original is sent as it is */ });
  });
  // Copy buttons (data-copy="<selector>"): hidden without JavaScript, where the text stays selectable.
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    button.hidden = false;
  });
  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var source = document.querySelector(button.dataset.copy);
    if (!source) { return; }
    var done = function () { button.textContent = button.dataset.copied || button.textContent; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent.trim()).then(done, function () { selectText(source); });
    } else {
      // Plain HTTP on an intranet: the older way, or at least the code selected for the phone's own copy.
      selectText(source);
      try { if (document.execCommand("copy")) { done(); } } catch (e) { /* selected is enough */ }
    }
  });
  // Print buttons.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print]");
    if (target) { event.preventDefault(); window.print(); }
  });
})();
