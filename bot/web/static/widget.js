// The embeddable TalentDesk widget: one <script src="https://<gateway>/widget.js"></script> on any
// page. It draws inside a shadow root (the host page's CSS cannot reach in, and its own CSS does
// not leak out), talks to the gateway the script came from, and keeps the session token and
// the transcript in localStorage so the conversation survives a reload on a personal device.
(function () {
  "use strict";
  const core = window.TalentDeskCore;
  if (window.TalentDeskWidget) return;
  const script = document.currentScript;
  const base = script && script.src ? new URL(script.src).origin : window.location.origin;
  const STORE = "talentdesk.widget";
  const MAX_TRANSCRIPT = 100;

  function load() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE) || "null");
      if (saved && Array.isArray(saved.transcript)) return saved;
    } catch (error) { /* a damaged entry starts a new conversation */ }
    const guess = (navigator.language || "en").toLowerCase().split("-")[0];
    return { language: guess, open: false, transcript: [] };
  }

  const state = load();
  const session = new core.Session(base, "web", localStorage, STORE + ".session");
  let strings = null;
  let directions = {};

  function save() {
    state.transcript = state.transcript.slice(-MAX_TRANSCRIPT);
    localStorage.setItem(STORE, JSON.stringify(state));
  }

  const host = document.createElement("div");
  host.id = "talentdesk-widget";
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = base + "/widget.css";
  const launcher = core.element("button", "launcher", "💬");
  launcher.type = "button";
  const panel = core.element("section", "panel");
  const header = core.element("header", "header");
  const title = core.element("h2", "", "TalentDesk");
  const close = core.element("button", "close", "×");
  close.type = "button";
  header.append(title, close);
  const log = core.element("ol", "log");
  log.setAttribute("aria-live", "polite");
  const status = core.element("p", "status");
  status.setAttribute("role", "status");
  status.hidden = true;
  const typing = core.element("p", "typing");
  typing.hidden = true;
  const form = core.element("form", "form");
  const label = core.element("label", "visually-hidden");
  const input = document.createElement("input");
  input.id = "td-widget-input";
  input.autocomplete = "off";
  input.required = true;
  label.htmlFor = input.id;
  const send = core.element("button", "send");
  send.type = "submit";
  form.append(label, input, send);
  panel.append(header, status, log, typing, form);
  root.append(style, launcher, panel);

  function applyStrings() {
    launcher.setAttribute("aria-label", strings.open_chat);
    launcher.title = strings.open_chat;
    close.setAttribute("aria-label", strings.close);
    panel.setAttribute("aria-label", strings.open_chat);
    log.setAttribute("aria-label", strings.conversation);
    label.textContent = strings.type_message;
    input.placeholder = strings.type_message;
    send.textContent = strings.send;
    typing.textContent = strings.typing;
    status.textContent = strings.reconnecting;
    panel.lang = state.language;
    panel.dir = directions[state.language] || "ltr";
  }

  async function useLanguage(code) {
    if (strings && code === state.language) return;
    state.language = directions[code] ? code : "en";
    strings = await core.getJson(base + "/api/strings/" + state.language);
    applyStrings();
    save();
  }

  function show(entry) {
    let item;
    if (entry.who === "user") {
      item = core.element("li", "td-msg td-user", entry.text);
      item.dir = "auto";
    } else {
      item = core.renderReply(entry.reply, strings, {
        onButton: (button) => ask(button.payload, button.title),
      });
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function record(entry) {
    state.transcript.push(entry);
    save();
    show(entry);
  }

  let connection = null;

  async function ask(text, shown) {
    record({ who: "user", text: shown || text });
    typing.hidden = false;
    const answer = await core.sendInSession(connection, session, { text: text });
    typing.hidden = true;
    if (answer.language) await useLanguage(answer.language);
    // A message to staff who hold the conversation has no immediate reply: staff answer later.
    const replies = answer.replies && (answer.replies.length || answer.type === "turn")
      ? answer.replies
      : [{ text: strings.connection_problem, kind: "error" }];
    for (const reply of replies) record({ who: "bot", reply: reply });
  }

  function setOpen(open) {
    state.open = open;
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", String(open));
    save();
    if (open) input.focus();
  }

  async function start() {
    const config = await core.getJson(base + "/api/config");
    directions = Object.fromEntries(config.languages.map((entry) => [entry.code, entry.direction]));
    input.maxLength = config.max_text_chars;
    strings = null;
    const language = state.language;
    state.language = null;
    await useLanguage(language);
    state.transcript.forEach(show);
    connection = new core.ChatConnection(base, {
      onStatus: (value) => { status.hidden = value === "online"; },
      session: () => session.token,
      onStaff: (frame) => {
        for (const reply of frame.replies) record({ who: "bot", reply: reply });
      },
    });
    launcher.addEventListener("click", () => setOpen(true));
    close.addEventListener("click", () => setOpen(false));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      input.value = "";
      ask(text);
    });
    setOpen(Boolean(state.open));
    host.dataset.ready = "true";
  }

  window.TalentDeskWidget = { host: host };
  const mount = () => { document.body.appendChild(host); start(); };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
