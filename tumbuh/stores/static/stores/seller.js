// Seller pages: installable, and stock edits made offline are queued on the phone and synced.
// Each queued edit carries a client id and the product version it was made on; the server
// applies it once, or reports a conflict when the product changed meanwhile.
(function () {
  "use strict";
  const KEY = "tumbuh-seller-queue";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/toko-saya/sw.js", { scope: "/toko-saya/" }).catch(() => {});
  }
  const status = document.getElementById("sync-status");
  const syncUrl = status && status.dataset.syncUrl;

  function queue() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(KEY, JSON.stringify(items)); }
  function say(text) { if (status) status.textContent = text; }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function token() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  async function flush() {
    const items = queue();
    if (!items.length || !syncUrl || !navigator.onLine) {
      if (items.length) say(items.length + " ⏳");
      return;
    }
    let answer;
    try {
      const response = await fetch(syncUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token() },
        body: JSON.stringify({ edits: items }),
      });
      if (!response.ok) return;
      answer = await response.json();
    } catch (e) {
      return;
    }
    const done = new Set(answer.results.map((r) => r.client_id));
    save(queue().filter((item) => !done.has(item.client_id)));
    const problems = answer.results.filter((r) => r.outcome !== "applied");
    say(problems.length
      ? problems.map((r) => r.outcome + ": " + r.detail + " (" + r.current.title + ": " + r.current.stock + ")").join(" · ")
      : "✓");
    for (const r of answer.results) {
      const form = document.querySelector('.stock-form[data-product="' + r.product + '"]');
      if (form) {
        form.dataset.version = r.version;
        form.dataset.stock = r.current.stock;
        form.querySelector(".stock").textContent = r.current.stock;
      }
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest(".stock-form");
    if (!form || navigator.onLine) return; // online: the plain form posts as usual
    event.preventDefault();
    const added = parseInt(form.querySelector("input[name=quantity]").value, 10);
    if (!added) return;
    const stock = parseInt(form.dataset.stock, 10) + added;
    const items = queue();
    items.push({
      client_id: newId(),
      product: form.dataset.product,
      base_version: parseInt(form.dataset.version, 10),
      changes: { stock: stock },
    });
    save(items);
    form.dataset.stock = stock;
    form.querySelector(".stock").textContent = stock + " ⏳";
    form.reset();
    say(items.length + " ⏳");
  });
  window.addEventListener("online", flush);
  flush();
})();
