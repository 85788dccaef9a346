/* The claim form: while drafting, show the chosen line's remaining amount and whether the
 * amount entered fits (the server decides again at submit, under the line lock).
 * Texts come from the page (translated on the server), never from this file. */
"use strict";
(function () {
  const form = document.getElementById("claim-form");
  if (!form) return;
  const line = document.getElementById("line_id");
  const amount = document.getElementById("amount");
  const req = document.getElementById("request_id");
  const out = document.getElementById("claim-remaining");
  const supp = document.getElementById("claim-supplement");
  const base = form.dataset.remainingUrl;
  let timer = null;

  function fmt(msg, params) {
    return msg.replace(/%\((\w+)\)s/g, (m, k) => (params && k in params ? params[k] : m));
  }

  function refresh() {
    if (!line.value) { out.textContent = ""; return; }
    const url = base.replace("/0/", "/" + line.value + "/") + "?amount=" + encodeURIComponent(amount.value || "") +
      (req && req.value ? "&request_id=" + encodeURIComponent(req.value) : "");
    fetch(url, {credentials: "same-origin"}).then((r) => r.json()).then((d) => {
      out.textContent = fmt(out.dataset.template, d);
      out.dataset.fits = d.fits === null ? "" : String(d.fits);
      out.classList.toggle("text-danger", d.fits === false);
      if (supp) {
        supp.href = supp.dataset.base + "?line_id=" + line.value;
        supp.classList.toggle("d-none", d.fits !== false);
      }
    }).catch(() => { out.textContent = ""; });
  }

  function later() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
  line.addEventListener("change", refresh);
  amount.addEventListener("input", later);
  if (req) req.addEventListener("change", refresh);
  refresh();
})();
