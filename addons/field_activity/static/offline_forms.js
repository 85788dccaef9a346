/* The monthly summary, market inspection and competitor forms, offline: with no network a submit
 * does not go to the server (it would fail) but into the phone's queue (the same IndexedDB store
 * "queue" as today's visits), with an idempotency key made here. Today's route page sends the queue
 * to the sync endpoint when the network is back; the server keeps one record per key.
 * Online, the form posts as usual. Texts come from the page (translated on the server). */
"use strict";
(function () {
  const form = document.querySelector("form[data-offline-kind]");
  if (!form) return;
  const DB_NAME = "tixi-field-activity-" + form.dataset.user;

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
  function newKey() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }
  function queue(entry) {
    return openDb().then((db) => new Promise((resolve, reject) => {
      const t = db.transaction("queue", "readwrite");
      t.objectStore("queue").put(entry);
      t.oncomplete = () => { db.close(); resolve(); };
      t.onerror = () => { db.close(); reject(t.error); };
    }));
  }
  form.addEventListener("submit", (ev) => {
    if (navigator.onLine) return; // online: the page posts as usual
    ev.preventDefault();
    const data = {};
    new FormData(form).forEach((v, k) => { if (k !== "csrf_token" && typeof v === "string") data[k] = v; });
    if (ev.submitter && ev.submitter.name === "action" && ev.submitter.value === "submit") data.submit = "1";
    const entry = {key: newKey(), kind: form.dataset.offlineKind, data: data, status: "pending", message: "",
                   label: form.dataset.label || "", created: new Date().toISOString()};
    queue(entry).then(() => {
      const note = document.getElementById("offline-saved");
      note.textContent = form.dataset.saved;
      note.classList.remove("d-none");
      form.dataset.queued = String(Number(form.dataset.queued || 0) + 1);
    });
  });
})();
