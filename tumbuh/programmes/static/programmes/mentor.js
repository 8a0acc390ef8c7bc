/* Tumbuh mentor app: the offline queue on the device.
   Every page works without this script. With it, forms marked data-queue are kept on the device
   when there is no connection, each record with a client_id (UUID), and the queue is posted to
   the server when a connection returns (online event, page load, the "Sinkronkan" button).
   Attendance codes are checked offline with WebCrypto HMAC, using the secrets of the mentor's own
   sessions of today from the bundle. No NIK and no phone numbers are ever stored here. */
(function () {
  "use strict";
  const app = document.getElementById("mentor-app");
  if (!app) return;
  const T = JSON.parse(document.getElementById("mentor-texts").textContent);
  const KEY = "tumbuh.mentor." + app.dataset.user + ".";
  const SLICE = 500;
  const MAX_POST = 2000000;
  const status = document.getElementById("mentor-status");
  const panel = document.getElementById("mentor-queue");
  let syncing = false;

  function read(name, fallback) {
    try { return JSON.parse(localStorage.getItem(KEY + name)) || fallback; }
    catch (error) { return fallback; }
  }
  function write(name, value) {
    try { localStorage.setItem(KEY + name, JSON.stringify(value)); return true; }
    catch (error) { return false; } /* the phone's storage for this app is full */
  }
  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, (match, name) => String(values[name]));
  }
  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function csrf() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    if (cookie) return cookie.slice(10);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : app.dataset.csrf;
  }
  function say(text, kind) {
    status.textContent = text;
    status.className = "mentor-status " + (kind || "");
    status.hidden = !text;
  }

  /* --- the queue --- */
  function queue() { return read("queue", []); }
  function enqueue(kind, data, label, baseVersion, clientId) {
    const items = queue();
    items.push({ client_id: clientId || newId(), kind: kind, data: data, base_version: baseVersion || null,
                 label: label, state: "queued", queued_at: new Date().toISOString() });
    const kept = write("queue", items);
    render();
    return kept;
  }

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, value));
    return node;
  }
  function button(text, action) {
    const node = el("button", text, { type: "button" });
    node.addEventListener("click", action);
    return node;
  }
  function replace(clientId, change) {
    const items = queue();
    const index = items.findIndex((item) => item.client_id === clientId);
    if (index < 0) return;
    const item = change(items[index]);
    if (item) { item.client_id = newId(); item.state = "queued"; items[index] = item; }
    else items.splice(index, 1);
    write("queue", items);
    render();
  }

  function render() {
    const items = queue();
    const waiting = items.filter((item) => item.state === "queued");
    panel.textContent = "";
    panel.hidden = items.length === 0 && !read("synced", 0);
    const head = el("p", waiting.length
      ? format(T.waiting, { count: waiting.length }) : T.nothing_waiting, { class: "queue-count" });
    panel.append(head);
    const synced = read("synced", 0);
    if (synced) panel.append(el("p", format(T.synced, { count: synced }), { class: "ok" }));
    const list = el("ul");
    items.forEach((item) => {
      const row = el("li", item.label + " — " + (T["state_" + item.state] || item.state));
      row.dataset.state = item.state;
      if (item.detail) row.append(el("br"), el("span", item.detail));
      if (item.state === "refused") {
        row.append(" ", button(T.discard, () => replace(item.client_id, () => null)));
      }
      if (item.state === "conflict" && item.server) {
        const server = item.server;
        row.append(el("p", T.conflict_explain));
        row.append(el("p", T.mine + ": " + item.data.text), el("p", T.theirs + ": " + server.text));
        row.append(button(T.keep_mine, () => replace(item.client_id, (it) => {
          it.base_version = server.version; it.detail = ""; return it;
        })));
        row.append(" ", button(T.take_theirs, () => replace(item.client_id, () => null)));
        const merged = el("textarea", item.data.text + "\n\n" + server.text,
                          { rows: "4", "aria-label": T.merge });
        row.append(el("br"), merged, button(T.merge, () => replace(item.client_id, (it) => {
          it.data.text = merged.value; it.base_version = server.version; it.detail = ""; return it;
        })));
      }
      list.append(row);
    });
    panel.append(list);
    const syncButton = button(T.sync_now, () => sync(true));
    syncButton.id = "mentor-sync-button";
    panel.append(syncButton);
  }

  /* At most SLICE records and about 2 MB per post (photos make records large). */
  function slices(items) {
    const out = [];
    let current = [], size = 0;
    items.forEach((item) => {
      const length = JSON.stringify(item.data).length;
      if (current.length && (current.length >= SLICE || size + length > MAX_POST)) {
        out.push(current); current = []; size = 0;
      }
      current.push(item); size += length;
    });
    if (current.length) out.push(current);
    return out;
  }

  async function sync(asked) {
    if (syncing) return;
    const waiting = queue().filter((item) => item.state === "queued");
    if (!waiting.length) { if (asked) say(T.nothing_waiting); return; }
    if (!navigator.onLine) { if (asked) say(T.still_offline, "warn"); return; }
    syncing = true;
    say(T.syncing);
    let applied = 0;
    try {
      for (const slice of slices(waiting)) {
        const response = await fetch(app.dataset.sync, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify({ records: slice.map((item) => ({
            client_id: item.client_id, kind: item.kind, base_version: item.base_version,
            data: item.data })) }),
        });
        if (!response.ok) throw new Error(String(response.status));
        const results = (await response.json()).results;
        const outcome = new Map(results.map((result) => [result.client_id, result]));
        const items = queue().filter((item) => {
          const result = outcome.get(item.client_id);
          if (!result) return true;
          if (result.status === "applied" || result.status === "duplicate") { applied += 1; return false; }
          item.state = result.status;
          item.detail = result.detail || "";
          item.server = result.server || null;
          return true;
        });
        write("queue", items);
      }
      if (applied) write("synced", applied);
      say(format(T.synced, { count: applied }), "ok");
    } catch (error) {
      say(T.sync_failed, "warn");
    } finally {
      syncing = false;
      render();
    }
  }

  /* --- attendance codes, checked on the device --- */
  function hexBytes(hex) {
    return new Uint8Array(hex.match(/../g).map((pair) => parseInt(pair, 16)));
  }
  function base32(bytes) {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let bits = 0, value = 0, out = "";
    bytes.forEach((byte) => {
      value = (value << 8) | byte; bits += 8;
      while (bits >= 5) { out += alphabet[(value >>> (bits - 5)) & 31]; bits -= 5; }
    });
    if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
    return out;
  }
  async function codeOf(session) {
    const key = await crypto.subtle.importKey("raw", hexBytes(session.secret),
      { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const message = new TextEncoder().encode(session.id + "|" + session.starts_at);
    return base32(new Uint8Array(await crypto.subtle.sign("HMAC", key, message))).slice(0, 6);
  }
  /* Returns "" when the code is good now, else the reason to show. */
  async function checkCode(sessionId, code) {
    const sessions = read("bundle", { sessions: [] }).sessions;
    const session = sessions.find((s) => s.id === sessionId);
    if (!session || !crypto.subtle) return T.code_unchecked;
    const now = Date.now() / 1000;
    if (await codeOf(session) === code) {
      if (now < session.starts_at - 3600) return T.code_not_yet_valid;
      if (now > session.starts_at + 7200) return T.code_expired;
      return "";
    }
    for (const other of sessions) {
      if (other.id !== sessionId && await codeOf(other) === code) return T.code_wrong_session;
    }
    return T.code_wrong;
  }

  async function refreshBundle() {
    if (!navigator.onLine || !app.dataset.bundle) return;
    try {
      const response = await fetch(app.dataset.bundle, { credentials: "same-origin", cache: "no-store" });
      if (response.ok && !response.redirected) write("bundle", await response.json());
    } catch (error) { /* keep the last bundle */ }
  }

  /* --- forms --- */
  function value(form, name) {
    const field = form.elements[name];
    return field ? field.value.trim() : "";
  }
  function chosenLabel(form, name) {
    const field = form.elements[name];
    return field && field.selectedOptions ? field.selectedOptions[0].textContent.trim() : "";
  }
  function localMoment(form, name) {
    const text = value(form, name);
    return (text ? new Date(text) : new Date()).toISOString();
  }

  /* A photo of the sign-in sheet, at most 1280 px on its longer side, as base64 JPEG: small
     enough to keep on the phone and to send over a slow link. */
  async function shrink(file) {
    try {
      const image = await createImageBitmap(file);
      const scale = Math.min(1, 1280 / Math.max(image.width, image.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(image.width * scale);
      canvas.height = Math.round(image.height * scale);
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      return canvas.toDataURL("image/jpeg", 0.7).split(",")[1];
    } catch (error) { return ""; }
  }

  const builders = {
    async attendance(form) {
      const session = form.dataset.session;
      const enterprise = value(form, "enterprise");
      const code = value(form, "code").toUpperCase().replace(/[^A-Z2-7]/g, "");
      const reason = value(form, "no_phone_reason");
      if (!enterprise) return { error: T.choose_participant };
      if (!code && !reason) return { error: T.code_or_reason };
      const twice = queue().some((item) => item.kind === "attendance" && item.state === "queued"
        && item.data.session === session && item.data.enterprise === enterprise);
      if (twice) return { error: T.already_queued };
      if (code) {
        const problem = await checkCode(session, code);
        if (problem && problem !== T.code_unchecked) return { error: problem };
        if (problem) say(problem, "warn");
      }
      const data = { session: session, enterprise: enterprise, recorded_at: new Date().toISOString() };
      if (code) data.code = code; else data.no_phone_reason = reason;
      const photo = form.elements.evidence && form.elements.evidence.files[0];
      if (photo) {
        data.evidence = await shrink(photo);
        if (!data.evidence) return { error: T.photo_unreadable };
      }
      return { data: data, label: format(T.label_attendance, { name: chosenLabel(form, "enterprise") }) };
    },
    async visit_note(form) {
      const text = value(form, "text");
      if (!text) return { error: T.note_empty };
      const data = { enterprise: form.dataset.enterprise, text: text,
                     visited_at: localMoment(form, "visited_at") };
      if (form.dataset.note) data.note = form.dataset.note;
      return { data: data, base: parseInt(form.dataset.version, 10) || null,
               label: format(T.label_visit_note, { name: form.dataset.name || "" }) };
    },
    async signal_check(form) {
      const data = { village: value(form, "village"), technology: value(form, "technology"),
                     checked_at: new Date().toISOString(), place: value(form, "place") };
      const ms = parseInt(value(form, "download_ms"), 10);
      if (ms > 0) { data.download_ms = ms; data.download_bytes = parseInt(value(form, "download_bytes"), 10); }
      if (!data.village || !data.technology) return { error: T.signal_incomplete };
      return { data: data, label: format(T.label_signal_check, { name: chosenLabel(form, "village") }) };
    },
  };

  document.querySelectorAll("form[data-queue]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const field = form.elements.client_id;
      if (navigator.onLine) {
        try {
          const response = await fetch(form.action || location.href, {
            method: "POST", body: new FormData(form), credentials: "same-origin" });
          if (response.ok && response.redirected) { location.assign(response.url); return; }
          /* The server said no: post the same form (same client_id) to show its answer. */
          form.submit();
          return;
        } catch (error) { /* no connection after all: keep the record on this phone */ }
      }
      const built = await builders[form.dataset.queue](form);
      const note = form.querySelector(".form-note") || form.appendChild(el("p", "", { class: "form-note", role: "status" }));
      if (built.error) { note.textContent = built.error; note.className = "form-note warn"; return; }
      /* The form's own client_id: if the post above reached the server but its answer was
         lost, the queued copy is recognised as a replay. */
      if (!enqueue(form.dataset.queue, built.data, built.label, built.base, field && field.value)) {
        note.textContent = T.storage_full; note.className = "form-note warn"; return;
      }
      note.textContent = T.queued; note.className = "form-note ok";
      form.reset();
      if (field) field.value = newId();
    });
  });

  /* --- signal check: time the download of a fixed-size file --- */
  const measure = document.getElementById("measure");
  if (measure) {
    measure.hidden = false;
    const type = navigator.connection && navigator.connection.effectiveType;
    const select = document.getElementById("id_technology");
    if (type && select && !select.value) select.value = type.replace("slow-", "");
    measure.addEventListener("click", async () => {
      const form = measure.form;
      const out = document.getElementById("measure-result");
      if (!navigator.onLine) { out.textContent = T.measure_offline; return; }
      out.textContent = T.measuring;
      const started = performance.now();
      try {
        const response = await fetch(measure.dataset.url + "?t=" + Date.now(), { cache: "no-store" });
        const bytes = (await response.arrayBuffer()).byteLength;
        const ms = Math.max(1, Math.round(performance.now() - started));
        form.elements.download_ms.value = ms;
        form.elements.download_bytes.value = bytes;
        out.textContent = format(T.measured, { kb: Math.round(bytes / 1024), ms: ms,
                                               kbps: Math.round(bytes * 8 / ms) });
      } catch (error) { out.textContent = T.measure_failed; }
    });
  }

  /* --- keep the caseload's pages for reading offline --- */
  if ("serviceWorker" in navigator && app.dataset.worker) {
    navigator.serviceWorker.register(app.dataset.worker, { scope: app.dataset.scope }).then(() =>
      navigator.serviceWorker.ready).then((registration) => {
      const urls = Array.from(document.querySelectorAll("a[data-offline]"), (a) => a.pathname + a.search);
      if (urls.length && registration.active) registration.active.postMessage({ type: "keep", urls: urls });
    }).catch(() => null);
  }

  window.addEventListener("online", () => { refreshBundle(); sync(false); });
  window.addEventListener("offline", () => say(T.offline, "warn"));
  document.documentElement.classList.add("js");
  render();
  write("synced", 0); /* "N records synced" shows once, on the page after the sync */
  if (!navigator.onLine) say(T.offline, "warn");
  refreshBundle().then(() => sync(false));
})();
