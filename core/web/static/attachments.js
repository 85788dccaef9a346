/* Attachments tab: reopen it after an upload or delete (the page comes back with #tab-attachments). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  if (window.location.hash !== "#tab-attachments") { return; }
  var button = document.getElementById("tab-attachments-button");
  if (button && window.bootstrap) { window.bootstrap.Tab.getOrCreateInstance(button).show(); }
});
