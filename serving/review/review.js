// The review page's logic: sign in (token kept in sessionStorage), the queue, a claimed
// document's page image (zoom, pan) beside its blocks grouped by day, keyboard-first editing,
// and the correction sent back with If-Match. Talks only to the service's own routes.
"use strict";

(() => {
  const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
  const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
  const LOW = 0.6; // below this a flagged block is shown red, else amber (fainter nearer 1)
  const $ = (id) => document.getElementById(id);

  const state = {
    token: sessionStorage.getItem("yogi.token"),
    reviewer: sessionStorage.getItem("yogi.reviewer"),
    queue: [], threshold: 0.9, skipped: new Set(),
    doc: null, version: null, blocks: [], order: [], selected: 0, editing: null, nextKey: 0,
    view: { scale: 1, x: 0, y: 0 }, renewTimer: null,
  };

  class ApiError extends Error {
    constructor(status, code, detail) {
      super(detail || `HTTP ${status}`);
      this.status = status;
      this.code = code;
    }
  }

  // --- the API --------------------------------------------------------------------------

  async function call(method, path, { body, headers } = {}) {
    const response = await fetch(path, {
      method,
      headers: {
        Authorization: `Bearer ${state.token}`, "X-Reviewer": state.reviewer,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      const error = await response.json().catch(() => ({}));
      if (response.status === 401) signIn("The server refused the token; sign in again.");
      throw new ApiError(response.status, error.error, error.detail);
    }
    return response;
  }

  const getJson = async (method, path, options) => (await call(method, path, options)).json();

  function say(text, kind = "") {
    const message = $("message");
    message.textContent = text;
    message.className = kind;
  }

  // --- signing in ------------------------------------------------------------------------

  function signIn(problem = "") {
    $("sign-in-error").textContent = problem;
    const fields = $("sign-in-form").elements;
    fields.namedItem("reviewer").value = state.reviewer || "";
    if (!$("sign-in").open) $("sign-in").showModal();
    fields.namedItem("token").focus();
  }

  $("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = event.target.elements;
    const reviewer = fields.namedItem("reviewer").value.trim();
    if (!/^[\x20-\x7e\u00a0-\u00ff]+$/.test(reviewer)) {
      $("sign-in-error").textContent = "Use Latin letters for the name (it travels in a header).";
      return;
    }
    state.token = fields.namedItem("token").value.trim();
    state.reviewer = reviewer;
    try {
      await loadQueue();
    } catch (error) {
      $("sign-in-error").textContent = error.message;
      return;
    }
    sessionStorage.setItem("yogi.token", state.token);
    sessionStorage.setItem("yogi.reviewer", state.reviewer);
    $("sign-in").close();
    start();
  });

  $("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem("yogi.token");
    state.token = null;
    signIn();
  });

  // --- the queue -------------------------------------------------------------------------

  async function loadQueue() {
    const params = new URLSearchParams({ status: "awaiting_review", limit: "100" });
    if ($("only-unclaimed").checked) params.set("unclaimed", "true");
    const page = await getJson("GET", `/documents?${params}`);
    state.queue = page.documents;
    state.threshold = page.blockAcceptThreshold;
    renderQueue();
  }

  const heldByOther = (item) => item.claimedBy && item.claimedBy !== state.reviewer;

  function renderQueue() {
    $("queue-count").textContent = `(${state.queue.length})`;
    const list = $("queue");
    list.replaceChildren(...state.queue.map((item) => {
      const li = document.createElement("li");
      li.dataset.id = item.documentId;
      li.className = [item.documentId === state.doc?.documentId ? "current" : "",
        heldByOther(item) ? "held" : "", state.skipped.has(item.documentId) ? "skipped" : ""]
        .join(" ");
      const claim = item.claimedBy ? `<span class="claim" title="until ${item.claimExpiresAt}">`
        + `${heldByOther(item) ? "held by" : "yours"} ${escape(item.claimedBy)}</span>` : "";
      li.innerHTML = `<span class="conf ${tone(item.confidence)}">${pct(item.confidence)}</span>`
        + `<span class="name">${escape(item.filename || item.documentId.slice(0, 12))}</span>`
        + `<span class="muted">${item.flaggedBlocks}/${item.blocks} flagged</span>${claim}`;
      li.addEventListener("click", () => openDocument(item.documentId));
      return li;
    }));
  }

  async function openNext() {
    await loadQueue();
    const next = state.queue.find((item) => !heldByOther(item)
      && !state.skipped.has(item.documentId));
    if (next) return openDocument(next.documentId);
    closeDocument();
    say(state.queue.length ? "Every other document is held by someone else or skipped."
      : "The queue is empty. Thank you!", "ok");
  }

  // --- one document ----------------------------------------------------------------------

  async function openDocument(documentId) {
    if (state.doc && state.doc.documentId !== documentId) release(state.doc.documentId);
    try {
      const claim = await getJson("POST", `/documents/${documentId}/claim`);
      renewLater(documentId, claim.expiresAt);
    } catch (error) {
      if (error.code !== "claimed") throw error;
      state.skipped.add(documentId);
      say(error.message, "warn");
      return openNext();
    }
    const response = await call("GET", `/documents/${documentId}`);
    const doc = await response.json();
    state.doc = doc;
    state.version = doc.version;
    const result = doc.result || { timeblocks: [] };
    // A model block's key is its index in the answer; added blocks number on from there.
    state.blocks = result.timeblocks.map((block, index) => ({ ...block, key: index,
      mark: "model" }));
    state.nextKey = state.blocks.length;
    state.editing = null;
    for (const name of ["teacher", "className", "term", "year"]) {
      headerField(name).value = result[name] ?? "";
    }
    enable(true);
    $("doc-title").textContent = `${doc.filename || documentId.slice(0, 12)} · `
      + `confidence ${pct(doc.confidence)} · version ${doc.version}`;
    sortBlocks();
    // Start on the least confident flagged block.
    const doubtful = state.blocks.filter(flagged)
      .sort((p, q) => (p.confidence ?? 0) - (q.confidence ?? 0));
    state.selected = doubtful.length ? state.order.indexOf(doubtful[0].key) : 0;
    renderBlocks();
    renderQueue();
    say("");
    await showPage(documentId);
    select(state.selected);
    $("blocks").focus();
  }

  function closeDocument() {
    state.doc = null;
    state.blocks = [];
    state.order = [];
    $("blocks").replaceChildren();
    $("page").removeAttribute("src");
    $("page").hidden = true;
    $("box").hidden = true;
    $("stage-empty").textContent = "No document open.";
    $("stage-empty").hidden = false;
    $("doc-title").textContent = "";
    $("zoom-level").textContent = "";
    for (const name of ["teacher", "className", "term", "year"]) headerField(name).value = "";
    enable(false);
    renderQueue();
  }

  // Editing needs an open document.
  function enable(on) {
    for (const control of [$("submit"), $("skip"), ...$("header").elements]) {
      control.disabled = !on;
    }
  }

  function release(documentId) {
    clearTimeout(state.renewTimer);
    call("DELETE", `/documents/${documentId}/claim`).catch(() => {});
  }

  function renewLater(documentId, expiresAt) {
    clearTimeout(state.renewTimer);
    const half = Math.max(5000, (Date.parse(expiresAt) - Date.now()) / 2);
    state.renewTimer = setTimeout(async () => {
      if (state.doc?.documentId !== documentId) return;
      try {
        const claim = await getJson("POST", `/documents/${documentId}/claim`);
        renewLater(documentId, claim.expiresAt);
      } catch (error) {
        say(`Your claim could not be renewed: ${error.message}`, "warn");
      }
    }, half);
  }

  async function showPage(documentId) {
    const image = $("page");
    $("stage-empty").hidden = true;
    try {
      const blob = await (await call("GET", `/documents/${documentId}/page/1.png`)).blob();
      if (image.src) URL.revokeObjectURL(image.src);
      image.src = URL.createObjectURL(blob);
      await image.decode();
      image.hidden = false;
      fit();
    } catch (error) {
      $("stage-empty").textContent = `The page cannot be shown: ${error.message}`;
      $("stage-empty").hidden = false;
    }
  }

  // --- blocks ----------------------------------------------------------------------------

  const block = (key) => state.blocks.find((b) => b.key === key);
  const current = () => block(state.order[state.selected]);
  // As the router counts them: below the threshold, or without a confidence at all.
  const flagged = (b) => b.mark === "model"
    && (b.confidence == null || b.confidence < state.threshold);
  const level = (b) => {
    if (!flagged(b)) return "";
    return b.confidence != null && b.confidence < LOW ? "low" : "flagged";
  };

  function sortBlocks() {
    const rank = (b) => [DAYS.indexOf(b.day), b.startTime || "99:99", b.key];
    state.order = [...state.blocks].sort((p, q) => {
      const [a, b] = [rank(p), rank(q)];
      return a[0] - b[0] || a[1].localeCompare(b[1]) || a[2] - b[2];
    }).map((b) => b.key);
  }

  function renderBlocks() {
    const holder = $("blocks");
    const parts = [];
    let day = null;
    state.order.forEach((key, position) => {
      const b = block(key);
      if (b.day !== day) {
        day = b.day;
        const count = state.blocks.filter((x) => x.day === day).length;
        const h = document.createElement("h3");
        h.textContent = `${day} `;
        h.insertAdjacentHTML("beforeend", `<span class="muted">${count}</span>`);
        parts.push(h);
      }
      parts.push(state.editing === key ? editorRow(b) : blockRow(b, position));
    });
    if (!parts.length) {
      const empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = state.doc ? "No blocks; press n to add one." : "";
      parts.push(empty);
    }
    holder.replaceChildren(...parts);
    if (state.editing !== null) holder.querySelector(".editing [name=name]")?.focus();
  }

  function blockRow(b, position) {
    const row = document.createElement("div");
    row.className = `block ${b.mark}`;
    if (level(b)) {
      row.classList.add(level(b));
      row.style.setProperty("--heat", heat(b.confidence));
    }
    if (position === state.selected) row.classList.add("selected");
    row.dataset.key = b.key;
    const times = `${b.startTime || "?"}–${b.endTime || "?"}`;
    const badge = b.mark === "model"
      ? (b.confidence == null ? "" : pct(b.confidence))
      : { accepted: "✓", edited: "edited", added: "new" }[b.mark];
    row.innerHTML = `<span class="time">${times}</span>`
      + `<span class="text"><span class="bname">${escape(b.name)}</span>`
      + (b.notes ? `<span class="notes">${escape(b.notes)}</span>` : "") + "</span>"
      + `<span class="badge">${badge}</span>`;
    row.addEventListener("click", () => select(position));
    row.addEventListener("dblclick", () => { select(position); edit(); });
    return row;
  }

  function editorRow(b) {
    const row = document.createElement("form");
    row.className = "block editing";
    row.dataset.key = b.key;
    row.innerHTML = `<select name="day">${DAYS.map((d) => `<option${d === b.day
      ? " selected" : ""}>${d}</option>`).join("")}</select>`
      + `<input name="startTime" placeholder="HH:MM" size="5" value="${b.startTime || ""}">`
      + `<input name="endTime" placeholder="HH:MM" size="5" value="${b.endTime || ""}">`
      + `<input name="name" placeholder="name" value="${escape(b.name)}">`
      + `<input name="notes" placeholder="notes" value="${escape(b.notes || "")}">`;
    return row;
  }

  function select(position) {
    if (!state.order.length) { $("box").hidden = true; return; }
    state.selected = Math.min(Math.max(position, 0), state.order.length - 1);
    document.querySelectorAll(".block.selected").forEach((el) => el.classList.remove("selected"));
    const row = document.querySelector(`.block[data-key="${state.order[state.selected]}"]`);
    row?.classList.add("selected");
    row?.scrollIntoView({ block: "center" });
    outline(current());
  }

  function edit() {
    if (!current()) return;
    state.editing = current().key;
    renderBlocks();
  }

  function save() {
    const row = document.querySelector(".block.editing");
    if (!row) return true;
    const b = block(Number(row.dataset.key));
    const value = (name) => row.elements[name].value.trim();
    for (const name of ["startTime", "endTime"]) {
      if (value(name) && !HHMM.test(value(name))) {
        say(`${name === "startTime" ? "Start" : "End"} must be HH:MM (24-hour).`, "error");
        row.elements[name].focus();
        return false;
      }
    }
    if (!value("name")) {
      say("A block needs a name.", "error");
      row.elements.name.focus();
      return false;
    }
    const next = { day: value("day"), startTime: value("startTime") || null,
      endTime: value("endTime") || null, name: value("name"), notes: value("notes") || null };
    const changed = Object.keys(next).some((k) => (b[k] ?? null) !== next[k]);
    Object.assign(b, next);
    if (changed && b.mark !== "added") b.mark = "edited";
    if (!changed && b.mark === "model") b.mark = "accepted";
    state.editing = null;
    sortBlocks();
    renderBlocks();
    select(state.order.indexOf(b.key));
    $("blocks").focus();
    say("");
    return true;
  }

  function cancel() {
    const b = block(state.editing);
    state.editing = null;
    if (b && b.mark === "added" && !b.name) remove(b.key);
    renderBlocks();
    select(state.selected);
    $("blocks").focus();
  }

  function accept() {
    const b = current();
    if (!b) return;
    if (b.mark === "model") b.mark = "accepted";
    renderBlocks();
    select(state.selected + 1);
  }

  function add() {
    const near = current();
    const b = { day: near ? near.day : "Monday", name: "", startTime: near?.endTime || null,
      endTime: null, notes: null, key: state.nextKey++, mark: "added" };
    state.blocks.push(b);
    sortBlocks();
    state.selected = state.order.indexOf(b.key);
    state.editing = b.key;
    renderBlocks();
    outline(b);
  }

  function remove(key) {
    state.blocks = state.blocks.filter((b) => b.key !== key);
    sortBlocks();
  }

  function removeCurrent() {
    const b = current();
    if (!b) return;
    remove(b.key);
    renderBlocks();
    select(state.selected);
    say(`Deleted ${b.day} ${b.name}.`);
  }

  // --- submitting ------------------------------------------------------------------------

  async function submit() {
    if (!state.doc || (state.editing !== null && !save())) return;
    const year = headerField("year").value.trim();
    if (year && !/^\d{4}$/.test(year)) {
      say("The year is four digits.", "error");
      headerField("year").focus();
      return;
    }
    const text = (name) => headerField(name).value.trim() || null;
    const body = {
      teacher: text("teacher"), className: text("className"), term: text("term"),
      year: year ? Number(year) : null,
      timeblocks: state.order.map(block).map((b) => ({
        day: b.day, name: b.name, startTime: b.startTime, endTime: b.endTime,
        notes: b.notes, timeScored: b.timeScored ?? true, sourceBox: b.sourceBox ?? null,
      })),
      confidence: 1, tier: "human", modelVersions: state.doc.result?.modelVersions || {},
      warnings: [],
    };
    const documentId = state.doc.documentId;
    try {
      const label = await getJson("PUT", `/documents/${documentId}/timetable`,
        { body, headers: { "If-Match": `"${state.version}"` } });
      clearTimeout(state.renewTimer);
      const counts = label.diff?.counts || {};
      const note = `Saved label ${label.labelId} (${counts.changed || 0} changed, `
        + `${counts.added || 0} added, ${counts.removed || 0} removed, `
        + `${counts.header || 0} header fields).`;
      state.doc = null;
      await openNext(); // says why when nothing is left to open
      say(`${note} ${$("message").textContent}`.trim(), "ok");
    } catch (error) {
      say(error.code === "stale_version" ? `${error.message} Press r to reload it.`
        : error.message, "error");
    }
  }

  async function skip() {
    if (!state.doc) return;
    state.skipped.add(state.doc.documentId);
    release(state.doc.documentId);
    state.doc = null;
    await openNext();
  }

  // --- the page image: zoom and pan --------------------------------------------------------

  function place() {
    const { scale, x, y } = state.view;
    const canvas = $("canvas");
    canvas.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
    canvas.style.setProperty("--scale", scale);
    $("zoom-level").textContent = `${Math.round(scale * 100)}%`;
  }

  function fit() {
    const stage = $("stage").getBoundingClientRect();
    const image = $("page");
    if (!image.naturalWidth) return;
    const scale = Math.min(stage.width / image.naturalWidth, stage.height / image.naturalHeight);
    state.view = { scale, x: (stage.width - image.naturalWidth * scale) / 2,
      y: (stage.height - image.naturalHeight * scale) / 2 };
    place();
  }

  // Around (cx, cy) in the stage (the pointer), else around the selected block's box (so the
  // keyboard zooms onto the block being read), else the stage's centre.
  function zoom(factor, cx, cy) {
    const stage = $("stage").getBoundingClientRect();
    const box = current()?.sourceBox;
    const { scale: s, x: sx, y: sy } = state.view;
    const [bx, by] = box ? [sx + (box.x0 + box.x1) / 2 * s, sy + (box.y0 + box.y1) / 2 * s]
      : [stage.width / 2, stage.height / 2];
    const [px, py] = [cx ?? bx, cy ?? by];
    const { scale, x, y } = state.view;
    const next = Math.min(Math.max(scale * factor, 0.05), 8);
    state.view = { scale: next, x: px - (px - x) * (next / scale),
      y: py - (py - y) * (next / scale) };
    place();
    if (cx === undefined) outline(current());
  }

  function outline(b) {
    const box = $("box");
    if (!b || !b.sourceBox) { box.hidden = true; return; }
    const { x0, y0, x1, y1 } = b.sourceBox;
    Object.assign(box.style, { left: `${x0}px`, top: `${y0}px`, width: `${x1 - x0}px`,
      height: `${y1 - y0}px` });
    box.className = `box ${level(b)}`;
    box.hidden = false;
    // Bring the box into view when it lies outside the stage.
    const stage = $("stage").getBoundingClientRect();
    const { scale, x, y } = state.view;
    const [left, top] = [x + x0 * scale, y + y0 * scale];
    const [right, bottom] = [x + x1 * scale, y + y1 * scale];
    if (left < 0 || top < 0 || right > stage.width || bottom > stage.height) {
      state.view.x += stage.width / 2 - (left + right) / 2;
      state.view.y += stage.height / 2 - (top + bottom) / 2;
      place();
    }
  }

  const stage = $("stage");
  stage.addEventListener("wheel", (event) => {
    event.preventDefault();
    const rect = stage.getBoundingClientRect();
    zoom(Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
  }, { passive: false });
  stage.addEventListener("pointerdown", (event) => {
    stage.setPointerCapture(event.pointerId);
    stage.classList.add("dragging");
    let [lastX, lastY] = [event.clientX, event.clientY];
    const move = (e) => {
      state.view.x += e.clientX - lastX;
      state.view.y += e.clientY - lastY;
      [lastX, lastY] = [e.clientX, e.clientY];
      place();
    };
    const up = () => {
      stage.classList.remove("dragging");
      stage.removeEventListener("pointermove", move);
      stage.removeEventListener("pointerup", up);
    };
    stage.addEventListener("pointermove", move);
    stage.addEventListener("pointerup", up);
  });
  $("zoom-in").addEventListener("click", () => zoom(1.25));
  $("zoom-out").addEventListener("click", () => zoom(0.8));
  $("zoom-fit").addEventListener("click", fit);
  window.addEventListener("resize", fit);

  // --- the keyboard ----------------------------------------------------------------------

  document.addEventListener("keydown", (event) => {
    if ($("sign-in").open) return;
    const inField = ["INPUT", "SELECT", "TEXTAREA"].includes(event.target.tagName);
    const key = event.key;
    if (key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
      return;
    }
    if (inField) {
      if (key === "Escape") {
        event.preventDefault();
        if (state.editing !== null) cancel(); else { event.target.blur(); $("blocks").focus(); }
      } else if (key === "Enter") {
        event.preventDefault();
        if (event.target.closest(".block.editing")) save(); else $("blocks").focus();
      }
      return;
    }
    const actions = {
      j: () => select(state.selected + 1), ArrowDown: () => select(state.selected + 1),
      k: () => select(state.selected - 1), ArrowUp: () => select(state.selected - 1),
      Enter: edit, a: accept, n: add, d: removeCurrent, Delete: removeCurrent, s: skip,
      r: () => state.doc && openDocument(state.doc.documentId).catch(showError),
      "+": () => zoom(1.25), "=": () => zoom(1.25), "-": () => zoom(0.8), 0: fit,
    };
    if (actions[key] && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      actions[key]();
    }
  });

  $("submit").addEventListener("click", submit);
  $("skip").addEventListener("click", skip);
  $("only-unclaimed").addEventListener("change", () => loadQueue().catch(showError));

  // --- helpers ---------------------------------------------------------------------------

  // `form.className` would be the form's CSS class, not its field: ask `elements`.
  const headerField = (name) => $("header").elements.namedItem(name);

  function pct(value) {
    return value == null ? "–" : `${Math.round(value * 100)}%`;
  }

  // How strongly an amber block is tinted: faint near 1, full at LOW (and with no confidence).
  function heat(confidence) {
    if (confidence == null) return "1";
    return Math.min(1, Math.max(0.12, (1 - confidence) / (1 - LOW))).toFixed(2);
  }

  function tone(confidence) {
    if (confidence == null || confidence < LOW) return "low";
    return confidence < state.threshold ? "flagged" : "";
  }

  function escape(text) {
    return String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }

  function showError(error) {
    say(error.message, "error");
  }

  function start() {
    $("who").textContent = `reviewing as ${state.reviewer}`;
    openNext().catch(showError);
  }

  enable(false);
  if (state.token && state.reviewer) start(); else signIn();
})();
