/* The new-quote form: while drafting, show each line's band (target and floor) under its price
 * and warn when the price typed is below the floor (the server decides again at create and submit).
 * Texts come from the page (translated on the server), never from this file. */
"use strict";
(function () {
  const form = document.getElementById("quote-create");
  const box = document.getElementById("quote-form-lines");
  if (!form || !box) return;
  const field = (id) => document.getElementById(id);
  const timers = {};

  function fmt(msg, params) {
    return msg.replace(/%\((\w+)\)s/g, (m, k) => (params && k in params ? params[k] : m));
  }

  function refresh(line) {
    const i = line.dataset.line;
    const product = field("product_" + i), price = field("price_" + i), out = field("band_" + i);
    const customer = field("customer_id").value;
    if (!product.value || !customer) { out.textContent = ""; out.classList.remove("text-danger"); return; }
    const q = new URLSearchParams({customer_id: customer, product_id: product.value, price: price.value || "",
      quote_date: field("quote_date").value || "", channel: field("channel").value || "",
      quote_type: field("quote_type").value || ""});
    fetch(box.dataset.bandUrl + "?" + q.toString(), {credentials: "same-origin"}).then((r) => r.json()).then((d) => {
      if (!d.band) { out.textContent = d.error || ""; out.classList.toggle("text-danger", !!d.error); return; }
      let text = fmt(box.dataset.bandTemplate, d.band);
      if (d.below_floor) text += " " + box.dataset.belowTemplate;
      out.textContent = text;
      out.dataset.belowFloor = String(!!d.below_floor);
      out.classList.toggle("text-danger", !!d.below_floor);
      if (!price.value) price.placeholder = d.band.target;
    }).catch(() => { out.textContent = ""; });
  }

  function later(line) {
    clearTimeout(timers[line.dataset.line]);
    timers[line.dataset.line] = setTimeout(() => refresh(line), 250);
  }

  const lines = Array.from(box.querySelectorAll(".quote-line"));
  lines.forEach((line) => {
    line.querySelector("[data-role=product]").addEventListener("change", () => refresh(line));
    line.querySelector("[data-role=price]").addEventListener("input", () => later(line));
  });
  ["customer_id", "quote_date", "channel", "quote_type"].forEach((id) => {
    const el = field(id);
    if (el) el.addEventListener("change", () => lines.forEach(refresh));
  });
  lines.forEach(refresh);

  // a phone shows the lines in use and one empty line; "add a line" shows the next
  const add = document.getElementById("add-quote-line");
  const empty = lines.filter((line) => !line.querySelector("[data-role=product]").value);
  empty.slice(1).forEach((line) => line.classList.add("d-none"));
  if (add && empty.length > 1) {
    add.classList.remove("d-none");
    add.addEventListener("click", () => {
      const next = lines.find((line) => line.classList.contains("d-none"));
      if (next) next.classList.remove("d-none");
      if (!lines.some((line) => line.classList.contains("d-none"))) add.classList.add("d-none");
    });
  }
})();
