/* The salesperson's phone page (today's route, visit form, daily report form), offline-capable.
 *
 * Every visit and daily report is first saved on the phone (IndexedDB, store "queue") with an
 * idempotency key (a random UUID made when it was recorded), then sent to the sync endpoint
 * when the network is there. The server keeps one record per key: a retry (lost answer, a
 * second press, "send again") is answered "duplicate" and never creates a second record.
 * A conflict (a day already reported) is shown and the entry kept: nothing is overwritten.
 * Texts come from the page (translated on the server), never from this file. */
"use strict";
(function () {
  const root = document.getElementById("fa-app");
  if (!root) return;
  const cfg = JSON.parse(root.dataset.config);
  const M = cfg.messages;
  const csrf = root.dataset.csrf;
  const DB_NAME = "tixi-field-activity-" + cfg.user;
  const $ = (sel) => document.querySelector(sel);
  let current = null; // the visit being recorded: {customer_id, name, position...}
  let photoData = null;

  function fmt(msg, params) {
    return msg.replace(/%\((\w+)\)s/g, (m, k) => (params && k in params ? params[k] : m));
  }

  // ----- IndexedDB --------------------------------------------------------------------------------
  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", {keyPath: "key"});
        if (!db.objectStoreNames.contains("sent")) db.createObjectStore("sent", {keyPath: "key"});
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  function tx(store, mode, fn) {
    return openDb().then((db) => new Promise((resolve, reject) => {
      const t = db.transaction(store, mode);
      const s = t.objectStore(store);
      let out;
      Promise.resolve(fn(s)).then((v) => { out = v; });
      t.oncomplete = () => { db.close(); resolve(out); };
      t.onerror = () => { db.close(); reject(t.error); };
    }));
  }
  function all(store) {
    return tx(store, "readonly", (s) => new Promise((res) => { const r = s.getAll(); r.onsuccess = () => res(r.result); }));
  }
  function put(store, value) { return tx(store, "readwrite", (s) => { s.put(value); }); }
  function del(store, key) { return tx(store, "readwrite", (s) => { s.delete(key); }); }

  function newKey() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  // ----- the network badge and the queue list ------------------------------------------------------
  function showNet() {
    const el = $("#net-status");
    el.textContent = navigator.onLine ? el.dataset.online : el.dataset.offline;
    el.className = "badge " + (navigator.onLine ? "bg-success" : "bg-secondary");
    $("#offline-note").classList.toggle("d-none", navigator.onLine);
  }
  function renderQueue() {
    return all("queue").then((entries) => {
      entries.sort((a, b) => a.created.localeCompare(b.created));
      const list = $("#queue-list");
      list.innerHTML = "";
      for (const e of entries) {
        const li = document.createElement("li");
        li.className = "list-group-item small";
        li.dataset.key = e.key;
        li.dataset.status = e.status;
        const label = e.kind === "visit" ? (e.label || "") : (e.kind === "report" ? $("#report-title").textContent : (e.label || e.kind));
        li.textContent = label + (e.message ? " · " + (e.status === "conflict" ? M.conflict + " " : M.error + ": ") + e.message : "");
        if (e.status === "conflict" || e.status === "error") li.classList.add("list-group-item-warning");
        list.appendChild(li);
      }
      const pending = entries.filter((e) => e.status === "pending").length;
      $("#queue-count").textContent = entries.length ? fmt(M.queued, {n: pending}) : M.pending_none;
      $("#queue-count").dataset.pending = String(pending);
      markDone(entries);
      return entries;
    });
  }
  function markDone(entries) {
    const visited = new Set(entries.filter((e) => e.kind === "visit").map((e) => String(e.data.customer_id)));
    document.querySelectorAll("#stops [data-customer]").forEach((li) => {
      if (visited.has(li.dataset.customer)) li.dataset.queued = "1";
      const badge = li.querySelector(".fa-done");
      if (badge && (li.dataset.queued === "1" || li.dataset.done === "1")) badge.classList.remove("d-none");
    });
  }

  // ----- sync ---------------------------------------------------------------------------------------
  let syncing = false;
  function post(entries) {
    return fetch(cfg.sync_url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: JSON.stringify({entries: entries}),
    }).then((r) => {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }
  function sync() {
    if (syncing) return Promise.resolve();
    syncing = true;
    $("#sync-status").textContent = M.sending;
    return all("queue").then((entries) => {
      const pending = entries.filter((e) => e.status === "pending").sort((a, b) => a.created.localeCompare(b.created));
      if (!pending.length) return [];
      return post(pending.map((e) => ({key: e.key, kind: e.kind, data: e.data, photo: e.photo || null})))
        .then((answer) => Promise.all(answer.results.map((r) => {
          const e = pending.find((x) => x.key === r.key);
          if (!e) return null;
          if (r.status === "created" || r.status === "duplicate") {
            return put("sent", {key: e.key, kind: e.kind, data: e.data, id: r.id, label: e.label, created: e.created})
              .then(() => del("queue", e.key));
          }
          e.status = r.status === "conflict" ? "conflict" : "error";
          e.message = r.message || "";
          return put("queue", e);
        })).then(() => answer.results));
    }).then((results) => {
      $("#sync-status").textContent = results && results.length ? M.synced : "";
      $("#sync-status").dataset.last = JSON.stringify((results || []).map((r) => r.status));
    }).catch(() => {
      $("#sync-status").textContent = M.offline;
    }).then(() => { syncing = false; return renderQueue(); });
  }
  function resend() {
    // send again what was already sent today (e.g. unsure the server got it): the keys make it harmless
    return all("sent").then((entries) => {
      const today = entries.filter((e) => (e.data.visit_date || e.data.report_date || e.data.date_from) === cfg.today);
      if (!today.length) return [];
      return post(today.map((e) => ({key: e.key, kind: e.kind, data: e.data})));
    }).then((answer) => {
      const statuses = (answer && answer.results ? answer.results : []).map((r) => r.status);
      $("#sync-status").textContent = M.synced;
      $("#sync-status").dataset.last = JSON.stringify(statuses);
    }).catch(() => { $("#sync-status").textContent = M.offline; });
  }

  // ----- the visit form ------------------------------------------------------------------------------
  function openVisit(customerId, name) {
    current = {customer_id: Number(customerId), name: name, checkin_at: null, latitude: null, longitude: null, accuracy_m: null};
    photoData = null;
    $("#visit-form").reset();
    $("#visit-customer").textContent = name;
    $("#checkin-status").textContent = "";
    $("#visit-error").classList.add("d-none");
    $("#visit-section").classList.remove("d-none");
    showSteps();
    $("#visit-section").scrollIntoView();
  }
  function showSteps() {
    const type = cfg.types.find((t) => String(t.id) === $("#visit-type").value) || cfg.types[0];
    const steps = new Set(type ? type.steps : []);
    document.querySelectorAll("#visit-form [data-step]").forEach((el) => {
      el.classList.toggle("d-none", !steps.has(el.dataset.step));
    });
  }
  function checkIn() {
    current.checkin_at = new Date().toISOString();
    const done = (pos) => {
      if (pos) {
        current.latitude = pos.coords.latitude;
        current.longitude = pos.coords.longitude;
        current.accuracy_m = Math.round(pos.coords.accuracy || 0);
      }
      const t = new Date(current.checkin_at).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"});
      $("#checkin-status").textContent = fmt(M.checked_in, {time: t}) + (pos ? "" : " · " + M.no_position);
      $("#checkin-status").dataset.position = pos ? "1" : "0";
    };
    if (!navigator.geolocation) { done(null); return; }
    navigator.geolocation.getCurrentPosition((p) => done(p), () => done(null), {timeout: 8000, maximumAge: 0, enableHighAccuracy: true});
  }
  function readPhoto(file) {
    const err = $("#visit-error");
    err.classList.add("d-none");
    photoData = null;
    if (!file) return;
    if (["image/jpeg", "image/png", "image/webp"].indexOf(file.type) < 0) {
      err.textContent = M.photo_type; err.classList.remove("d-none"); $("#photo").value = ""; return;
    }
    if (file.size > cfg.max_photo_kb * 1024) {
      err.textContent = M.photo_big; err.classList.remove("d-none"); $("#photo").value = ""; return;
    }
    const reader = new FileReader();
    reader.onload = () => { photoData = reader.result; $("#photo-preview").src = photoData; $("#photo-preview").classList.remove("d-none"); };
    reader.readAsDataURL(file);
  }
  function saveVisit(ev) {
    ev.preventDefault();
    if (!current) return;
    if (!current.checkin_at) checkIn();
    const f = new FormData($("#visit-form"));
    const data = {customer_id: current.customer_id, visit_date: cfg.today, checkin_at: current.checkin_at,
                  checkout_at: new Date().toISOString(), latitude: current.latitude, longitude: current.longitude,
                  accuracy_m: current.accuracy_m, visit_type_id: f.get("visit_type_id")};
    for (const k of ["contacts_met", "needs", "competitor", "promises", "next_step", "follow_up_on", "order_amount", "notes"]) {
      data[k] = f.get(k) || "";
    }
    if (data.checkout_at < data.checkin_at) data.checkout_at = data.checkin_at;
    const entry = {key: newKey(), kind: "visit", data: data, photo: photoData, status: "pending", message: "",
                   label: current.name, created: new Date().toISOString()};
    put("queue", entry).then(() => {
      $("#visit-section").classList.add("d-none");
      $("#app-message").textContent = M.visit_saved;
      current = null; photoData = null;
      $("#photo-preview").classList.add("d-none");
      return renderQueue();
    }).then(() => { prefillReport(); if (navigator.onLine) sync(); });
  }

  // ----- the daily report ------------------------------------------------------------------------------
  function prefillReport() {
    return Promise.all([all("queue"), all("sent")]).then(([q, s]) => {
      const lines = cfg.done.map((d) => d.customer);
      const known = new Set();
      for (const e of s.concat(q).sort((a, b) => a.created.localeCompare(b.created))) {
        if (e.kind !== "visit" || e.data.visit_date !== cfg.today || known.has(e.key)) continue;
        known.add(e.key);
        lines.push(e.label + (e.data.next_step ? " " + e.data.next_step : ""));
      }
      const box = $("#report-visits");
      if (!box.dataset.touched) box.value = lines.join("\n");
      $("#report-count").textContent = String(lines.length);
    });
  }
  function saveReport(ev) {
    ev.preventDefault();
    const f = new FormData($("#report-form"));
    const data = {report_date: cfg.today, submitted_at: new Date().toISOString()};
    for (const k of ["visits_summary", "orders_amount", "collections_amount", "expenses_amount", "problems", "tomorrow"]) {
      data[k] = f.get(k) || "";
    }
    const entry = {key: newKey(), kind: "report", data: data, status: "pending", message: "", created: new Date().toISOString()};
    put("queue", entry).then(() => {
      $("#app-message").textContent = M.report_saved;
      return renderQueue();
    }).then(() => { if (navigator.onLine) sync(); });
  }

  // ----- wiring ---------------------------------------------------------------------------------------
  document.querySelectorAll("#stops [data-visit]").forEach((btn) => {
    btn.addEventListener("click", () => openVisit(btn.dataset.visit, btn.dataset.name));
  });
  $("#off-route-go").addEventListener("click", () => {
    const sel = $("#off-route");
    if (!sel.value) { $("#app-message").textContent = M.pick_customer; return; }
    openVisit(sel.value, sel.options[sel.selectedIndex].text);
  });
  $("#visit-type").addEventListener("change", showSteps);
  $("#checkin").addEventListener("click", checkIn);
  $("#photo").addEventListener("change", (e) => readPhoto(e.target.files[0]));
  $("#visit-form").addEventListener("submit", saveVisit);
  $("#visit-cancel").addEventListener("click", () => { $("#visit-section").classList.add("d-none"); current = null; });
  $("#report-visits").addEventListener("input", (e) => { e.target.dataset.touched = "1"; });
  $("#report-form").addEventListener("submit", saveReport);
  $("#sync-now").addEventListener("click", () => sync());
  $("#resend").addEventListener("click", () => resend());
  window.addEventListener("online", () => { showNet(); sync(); });
  window.addEventListener("offline", showNet);
  showNet();
  renderQueue().then(prefillReport).then(() => { root.dataset.ready = "1"; });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.sw_url, {scope: cfg.scope}).catch(() => {});
  }
})();
