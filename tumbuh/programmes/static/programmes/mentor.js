/* Tumbuh mentor app: the offline queue on the device.
   Every page works without this script. With it, forms marked data-queue are kept on the device
   when there is no connection, each record with a client_id (UUID), and the queue is posted to
   the server when a connection returns (online event, page load, the "Sinkronkan" button).
   Attendance codes are checked offline with WebCrypto HMAC, using the secrets of the mentor's own
   sessions of today from the bundle. No NIK and no phone numbers are ever stored here: a note
   holding a 16-digit number is not kept (the server refuses the same).
   Times: a time the mentor types is the business's wall clock, whatever the phone's own zone; the
   page gives the zone's name and UTC offset (data-zone, data-utc-offset), and the record carries
   the moment as ISO 8601 with that offset ("2026-04-01T22:30:00+08:00"). Moments stamped by the
   phone (attendance, signal checks) are its clock's UTC instant.
   A record the server refuses stays here, marked refused with the server's reason, and can be
   corrected (a form filled with what was written) and sent again. */
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

  /* --- times in the business's zone --- */
  const IDENTITY_NUMBER = /(^|\D)\d{16}(?!\d)/; /* core.personal.IDENTITY_NUMBER */
  function zoneOf(node) {
    const offset = parseInt(node && node.dataset.utcOffset, 10);
    return Number.isFinite(offset) ? { name: node.dataset.zone || "", offset: offset } : null;
  }
  function pad(number) { return String(number).padStart(2, "0"); }
  /* The wall clock of a zone at a moment (milliseconds): its UTC fields are the zone's. */
  function wall(ms, zone) { return new Date(ms + zone.offset * 60000); }
  /* The value of a datetime-local input showing the moment in the zone. */
  function wallInput(ms, zone) {
    const d = wall(ms, zone);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) +
      "T" + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }
  function offsetText(minutes) {
    const sign = minutes < 0 ? "-" : "+";
    const size = Math.abs(minutes);
    return sign + pad(Math.floor(size / 60)) + ":" + pad(size % 60);
  }
  /* "2026-04-01T22:30" typed as the zone's wall clock → "2026-04-01T22:30:00+08:00";
     "" when the text is not a date and time. Without a zone: the phone's own clock. */
  function zonedMoment(text, zone) {
    const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(text || "");
    if (!match) return "";
    if (!zone) return new Date(text).toISOString();
    return match[1] + "T" + match[2] + (match[3] || ":00") + offsetText(zone.offset);
  }
  /* A moment (ISO 8601) as the server writes it for the place: "1 Apr 2026 22.30 WITA". */
  function shown(iso, zone) {
    const ms = Date.parse(iso);
    if (!Number.isFinite(ms) || !zone) return "";
    const d = wall(ms, zone);
    return d.getUTCDate() + " " + T.months[d.getUTCMonth()] + " " + d.getUTCFullYear() + " " +
      pad(d.getUTCHours()) + T.time_separator + pad(d.getUTCMinutes()) + " " + zone.name;
  }

  /* --- the queue --- */
  function queue() { return read("queue", []); }
  function enqueue(kind, data, label, baseVersion, clientId, zone) {
    const items = queue();
    items.push({ client_id: clientId || newId(), kind: kind, data: data, base_version: baseVersion || null,
                 label: label, zone: zone || null, state: "queued", queued_at: new Date().toISOString() });
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
    if (item) {
      item.client_id = newId(); item.state = "queued";
      item.detail = ""; item.reason = ""; item.field = ""; item.server = null;
      items[index] = item;
    } else items.splice(index, 1);
    delete drafts[clientId];
    const kept = write("queue", items);
    render();
    return kept;
  }

  /* --- correcting a refused record --- */
  /* What can be corrected per kind: the data key, its label and its input. */
  const CORRECTABLE = {
    visit_note: [["text", "textarea"], ["visited_at", "datetime-local"]],
    attendance: [["code", "text"], ["no_phone_reason", "text"]],
    signal_check: [["technology", "select"], ["place", "text"]],
    supply_link: [["commodity", "text"], ["unit", "text"], ["usual_volume", "text"]],
  };
  const drafts = {}; /* what is typed in an open correction form, kept across re-renders */
  let correcting = "";

  /* A record queued before the page gave zones (an older version of this app) has none: its
     time is shown and read on this phone's own clock, which is what it was typed on. */
  function phoneZone(ms) { return { name: "", offset: -new Date(ms).getTimezoneOffset() }; }
  function fieldLabel(item, key) {
    if (key === "visited_at") {
      return item.zone ? format(T.field_visited_at, { zone: item.zone.name }) : T.field_visited_at_phone;
    }
    return T["field_" + key] || key;
  }
  function fieldValue(item, key) {
    const draft = drafts[item.client_id];
    if (draft && key in draft) return draft[key];
    const value = item.data[key] || "";
    if (key === "visited_at" && value) {
      const ms = Date.parse(value);
      return Number.isFinite(ms) ? wallInput(ms, item.zone || phoneZone(ms)) : "";
    }
    return value;
  }
  function correctionForm(item, reasonId) {
    const form = el("form", "", { class: "correct", novalidate: "" });
    const prefix = "fix-" + item.client_id.slice(0, 8) + "-";
    let first = null;
    CORRECTABLE[item.kind].forEach(([key, type]) => {
      const id = prefix + key;
      form.append(el("label", fieldLabel(item, key), { for: id }));
      let input;
      if (type === "textarea") input = el("textarea", "", { rows: "4", maxlength: "5000" });
      else if (type === "select") {
        input = el("select");
        T.technologies.forEach(([value, label]) => input.append(el("option", label, { value: value })));
      } else input = el("input", "", { type: type });
      input.id = id; input.name = key;
      input.value = fieldValue(item, key);
      input.addEventListener("input", () => {
        drafts[item.client_id] = Object.assign(drafts[item.client_id] || {}, { [key]: input.value });
      });
      if (key === item.field) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", reasonId);
        first = input;
      }
      form.append(input);
    });
    const problem = el("p", "", { class: "form-note warn", role: "alert", hidden: "" });
    form.append(problem, el("p"));
    form.lastChild.append(el("button", T.send_again, { type: "submit" }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const values = {};
      CORRECTABLE[item.kind].forEach(([key]) => { values[key] = form.elements[key].value.trim(); });
      const error = correctionProblem(item, values);
      if (error) { problem.textContent = error; problem.hidden = false; return; }
      correcting = "";
      replace(item.client_id, (it) => {
        if (it.kind === "visit_note") {
          it.data.text = values.text;
          it.data.visited_at = zonedMoment(values.visited_at, it.zone);
        } else if (it.kind === "attendance") {
          const code = values.code.toUpperCase().replace(/[^A-Z2-7]/g, "");
          delete it.data.code; delete it.data.no_phone_reason;
          if (code) it.data.code = code; else it.data.no_phone_reason = values.no_phone_reason;
        } else if (it.kind === "supply_link") {
          it.data.commodity = values.commodity; it.data.unit = values.unit;
          delete it.data.usual_volume;
          if (values.usual_volume) it.data.usual_volume = values.usual_volume;
        } else Object.assign(it.data, values);
        return it;
      });
      sync(true);
    });
    return { form: form, focus: first };
  }
  /* The device's own checks before sending again (the server checks everything again). */
  function correctionProblem(item, values) {
    if (item.kind === "visit_note") {
      if (!values.text) return T.note_empty;
      if (IDENTITY_NUMBER.test(values.text)) return T.note_has_identity_number;
      if (!zonedMoment(values.visited_at, item.zone)) return T.time_missing;
    }
    if (item.kind === "attendance" && !values.code && !values.no_phone_reason) return T.code_or_reason;
    if (item.kind === "signal_check" && !values.technology) return T.signal_incomplete;
    if (item.kind === "supply_link" && (!values.commodity || !values.unit)) return T.link_incomplete;
    return "";
  }

  function render() {
    const items = queue();
    const waiting = items.filter((item) => item.state === "queued");
    panel.textContent = "";
    panel.hidden = items.length === 0 && !read("synced", 0);
    const head = el("p", waiting.length
      ? format(T.waiting, { count: waiting.length }) : T.nothing_waiting, { class: "queue-count" });
    panel.append(head);
    const refused = items.filter((item) => item.state === "refused").length;
    if (refused) panel.append(el("p", format(T.refused_count, { count: refused }), { class: "warn" }));
    const synced = read("synced", 0);
    if (synced) panel.append(el("p", format(T.synced, { count: synced }), { class: "ok" }));
    const list = el("ul");
    let focus = null;
    items.forEach((item, index) => {
      const when = item.kind === "visit_note" ? shown(item.data.visited_at, item.zone) : "";
      const row = el("li", item.label + (when ? " · " + when : "") + " — " +
                     (T["state_" + item.state] || item.state));
      row.dataset.state = item.state;
      const reasonId = "queue-reason-" + index;
      if (item.detail) row.append(el("br"), el("span", item.detail, { id: reasonId, class: "reason" }));
      if (item.state === "refused") {
        row.dataset.reason = item.reason || "";
        if (item.field) row.dataset.field = item.field;
        row.append(el("p", T.refused_explain));
        const actions = el("p");
        const open = correcting === item.client_id;
        if (CORRECTABLE[item.kind]) {
          const toggle = button(T.correct, () => {
            correcting = open ? "" : item.client_id;
            render();
          });
          toggle.setAttribute("aria-expanded", String(open));
          actions.append(toggle, " ");
        }
        const discard = button(T.discard, () => {
          if (discard.dataset.sure) { replace(item.client_id, () => null); return; }
          discard.dataset.sure = "1";
          discard.textContent = T.discard_sure;
        });
        discard.className = "secondary";
        actions.append(discard);
        row.append(actions);
        if (open && CORRECTABLE[item.kind]) {
          const editor = correctionForm(item, reasonId);
          row.append(editor.form);
          focus = editor.focus || editor.form.elements[0];
        }
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
    if (focus && !panel.contains(document.activeElement)) focus.focus();
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
          item.reason = result.reason || "";
          item.field = result.field || "";
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
      return { data: data, zone: zoneOf(form),
               label: format(T.label_attendance, { name: chosenLabel(form, "enterprise") }) };
    },
    async visit_note(form) {
      const text = value(form, "text");
      if (!text) return { error: T.note_empty };
      if (IDENTITY_NUMBER.test(text)) return { error: T.note_has_identity_number };
      const zone = zoneOf(form);
      const typed = value(form, "visited_at");
      const visited = typed ? zonedMoment(typed, zone) : new Date().toISOString();
      if (!visited) return { error: T.time_missing };
      const data = { enterprise: form.dataset.enterprise, text: text, visited_at: visited };
      if (form.dataset.note) data.note = form.dataset.note;
      return { data: data, base: parseInt(form.dataset.version, 10) || null, zone: zone,
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
    /* A supply link seen on the visit: this business (data-enterprise) and another, chosen from
       the list or given by its registry id; the server checks the unit and the caseload. */
    async supply_link(form) {
      const typedId = value(form, "other_id").toLowerCase(); /* registry ids are lower case */
      const other = typedId || value(form, "other");
      const data = { commodity: value(form, "commodity"), unit: value(form, "unit").toLowerCase(),
                     period: value(form, "period") || "week" };
      if (!other || !data.commodity || !data.unit) return { error: T.link_incomplete };
      const direction = form.querySelector("input[name=direction]:checked");
      const supplies = !direction || direction.value !== "buys";
      data.supplier = supplies ? form.dataset.enterprise : other;
      data.buyer = supplies ? other : form.dataset.enterprise;
      const volume = value(form, "usual_volume");
      if (volume) data.usual_volume = volume;
      const otherName = typedId || chosenLabel(form, "other");
      return { data: data, label: format(supplies ? T.label_supply_link_to : T.label_supply_link_from,
                                         { name: form.dataset.name || "", other: otherName,
                                           commodity: data.commodity }) };
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
      if (!enqueue(form.dataset.queue, built.data, built.label, built.base, field && field.value,
                   built.zone)) {
        note.textContent = T.storage_full; note.className = "form-note warn"; return;
      }
      note.textContent = T.queued; note.className = "form-note ok";
      form.reset();
      setNow(form);
      if (field) field.value = newId();
    });
    setNow(form);
  });

  /* A new note's time starts as now on the business's wall clock, also on a page read offline
     from the copy kept hours ago (the server wrote the time it was fetched). */
  function setNow(form) {
    const input = form.elements.visited_at;
    const zone = zoneOf(form);
    if (input && zone && input.hasAttribute("data-now")) input.value = wallInput(Date.now(), zone);
  }

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
