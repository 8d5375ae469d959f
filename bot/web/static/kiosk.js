// The service hall's touch-screen kiosk: language picker, chat, idle wipe, QR hand-over to the
// visitor's phone and a printable bilingual card. Text goes into the DOM with textContent only.
(function () {
  "use strict";
  const core = window.TalentDeskCore;
  const $ = (id) => document.getElementById(id);
  const STORE = "talentdesk.kiosk";
  const view = {
    picker: $("picker"), chat: $("chat"), languages: $("languages"), log: $("log"),
    typing: $("typing"), status: $("status"), form: $("composer"), input: $("message"),
    idle: $("idle"), idleText: $("idle-text"), qr: $("qr"), qrImage: $("qr-image"),
    card: $("print-card"), home: $("home"),
  };
  const state = { config: null, strings: null, chinese: null, visit: 0, language: null,
    busy: 0, idleTimer: null, countdown: null };
  // sessionStorage: a reload of the kiosk page keeps the visitor's session; a wipe renews it.
  const session = new core.Session(window.location.origin, "kiosk", sessionStorage,
    STORE + ".session");
  const stringCache = {};
  let connection = null;

  function save() {
    sessionStorage.setItem(STORE, JSON.stringify({ language: state.language }));
  }

  async function stringsFor(code) {
    if (!stringCache[code]) stringCache[code] = await core.getJson("/api/strings/" + code);
    return stringCache[code];
  }

  function languageInfo(code) {
    return state.config.languages.find((entry) => entry.code === code);
  }

  // --- screens --------------------------------------------------------------------------------
  function showPicker() {
    view.chat.hidden = true;
    view.picker.hidden = false;
    document.documentElement.lang = "en";
    document.documentElement.dir = "ltr";
    const current = view.languages.querySelector("button");
    if (current) current.focus();
  }

  function applyChrome(strings, info) {
    document.documentElement.lang = info.code;
    document.documentElement.dir = info.direction;
    $("switch-language").textContent = strings.button_change_language;
    $("continue-phone").textContent = strings.button_continue_on_phone;
    $("start-over").textContent = strings.button_start_over;
    $("message-label").textContent = strings.type_message;
    view.input.placeholder = strings.type_message;
    view.input.maxLength = state.config.max_text_chars;
    $("send").textContent = strings.send;
    $("still-here").textContent = strings.still_here;
    $("show-home").textContent = strings.home_title;
    $("qr-close").textContent = strings.close;
    $("qr-text").textContent = strings.scan_to_continue;
    view.qrImage.alt = strings.scan_to_continue;
    view.log.setAttribute("aria-label", strings.conversation);
    view.typing.textContent = strings.typing;
    view.status.textContent = strings.reconnecting;
  }

  async function pickLanguage(code) {
    const chosen = await core.getJson("/api/language", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session: await session.get(), language: code }),
    });
    const firstTime = !state.language;
    state.language = code;
    state.strings = await stringsFor(code);
    save();
    applyChrome(state.strings, languageInfo(code));
    buildHome(state.strings);
    view.home.hidden = view.log.querySelector(".td-user") !== null;
    view.picker.hidden = true;
    view.chat.hidden = false;
    appendReply(chosen.reply);
    view.input.focus();
    armIdle();
    if (firstTime) await send("/greet", null);
  }

  // --- conversation ---------------------------------------------------------------------------
  function appendUser(text) {
    const item = core.element("li", "td-msg td-user", text);
    item.dir = "auto";
    view.log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function appendReply(reply) {
    const item = core.renderReply(reply, state.strings, {
      onButton: (button) => send(button.payload, button.title),
      onPrint: printCard,
    });
    view.log.appendChild(item);
    item.scrollIntoView({ block: "end" });
    if (reply.kind === "language_menu") showPicker();
  }

  async function send(text, shown) {
    if (shown !== null) appendUser(shown === undefined ? text : shown);
    state.busy += 1;
    view.typing.hidden = false;
    const visit = state.visit;
    try {
      const answer = await core.sendInSession(connection, session, {
        text: text, language: state.language,
      });
      if (visit !== state.visit) return; // wiped while waiting: the answer belongs to no one
      // A message to staff who hold the conversation has no immediate reply: staff answer later.
      const replies = answer.replies && (answer.replies.length || answer.type === "turn")
        ? answer.replies
        : [{ text: state.strings.connection_problem, kind: "error" }];
      replies.forEach(appendReply);
    } finally {
      state.busy -= 1;
      view.typing.hidden = state.busy === 0;
      armIdle();
    }
  }

  // --- privacy: idle warning, then wipe -------------------------------------------------------
  function armIdle() {
    window.clearTimeout(state.idleTimer);
    window.clearInterval(state.countdown);
    view.idle.hidden = true;
    if (!state.language) return;
    const quiet = state.config.kiosk_idle_seconds - state.config.kiosk_idle_warning_seconds;
    state.idleTimer = window.setTimeout(warnIdle, quiet * 1000);
  }

  function warnIdle() {
    if (state.busy) { armIdle(); return; } // never wipe while an answer is on its way
    let remaining = state.config.kiosk_idle_warning_seconds;
    const show = () => {
      view.idleText.textContent = core.fill(state.strings.idle_warning, { seconds: remaining });
    };
    show();
    view.idle.hidden = false;
    $("still-here").focus();
    state.countdown = window.setInterval(() => {
      remaining -= 1;
      if (remaining <= 0) wipe();
      else show();
    }, 1000);
  }

  function wipe() {
    window.clearTimeout(state.idleTimer);
    window.clearInterval(state.countdown);
    const old = session.renew();
    state.visit += 1;
    if (old) {
      fetch("/api/forget", {
        method: "POST", keepalive: true, headers: { "content-type": "application/json" },
        body: JSON.stringify({ session: old }),
      }).catch(() => undefined);
    }
    view.log.replaceChildren();
    view.card.replaceChildren();
    view.idle.hidden = true;
    view.qr.hidden = true;
    view.qrImage.removeAttribute("src");
    view.input.value = "";
    sessionStorage.clear();
    state.language = null;
    save();
    showPicker();
  }

  for (const kind of ["pointerdown", "keydown", "input", "wheel"]) {
    document.addEventListener(kind, () => { if (state.language) armIdle(); }, true);
  }

  // --- continue on the phone ------------------------------------------------------------------
  async function continueOnPhone() {
    const issued = await core.getJson("/api/continuation", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session: await session.get() }),
    });
    view.qrImage.src = issued.qr;
    view.qrImage.dataset.url = issued.url;
    view.qr.hidden = false;
    $("qr-close").focus();
  }

  // --- the printable bilingual card -----------------------------------------------------------
  // The same office block as the answer on screen (Chinese name and address large for a taxi
  // driver), then the answer in the visitor's language and in Chinese.
  function cardColumn(language, title, text) {
    const column = core.element("article", "card-column");
    column.lang = language;
    column.dir = (languageInfo(language) || { direction: "ltr" }).direction;
    if (title) column.appendChild(core.element("h3", "", title));
    const body = window.TalentDeskMarkdown.render(text, { link: core.link, lead: true });
    body.classList.add("card-text");
    column.appendChild(body);
    return column;
  }

  async function printCard(reply) {
    const data = reply.data || {};
    const office = data.office || {};
    const chinese = await stringsFor("zh");
    const heading = core.element("h2", "", state.strings.card_heading);
    if (state.language !== "zh") heading.appendChild(core.element("span", "zh", chinese.card_heading));
    const parts = [heading];
    if (office.name_zh || office.name) parts.push(core.officeCard(office, state.strings));
    const columns = core.element("div", "card-columns");
    columns.appendChild(cardColumn(reply.language || state.language, data.title, reply.text));
    if (reply.language !== "zh" && data.chinese_answer) {
      columns.appendChild(cardColumn("zh", null, data.chinese_answer));
    }
    parts.push(columns);
    const footer = core.element("p", "card-source");
    if (reply.source) {
      footer.textContent = reply.source.name + (reply.source.last_verified
        ? " · " + core.fill(state.strings.last_verified, { date: reply.source.last_verified }) : "");
    }
    parts.push(footer);
    view.card.replaceChildren(...parts);
    view.card.dataset.entry = data.entry_id || "";
    window.setTimeout(() => window.print(), 0);
  }

  // --- the home screen: the hall's top tasks, one touch each ----------------------------------
  const HOME_TASKS = [
    ["book", "button_book_appointment", "/book_appointment", "📅"],
    ["arrival", "button_plan_arrival", "/plan_arrival", "🧭"],
    ["hours", "button_hours_directions",
      '/hall_hours_location{"entry_id": "community-hall-opening-hours"}', "🕘"],
    ["documents", "button_documents", "/documents_needed", "📄"],
    ["person", "button_talk_to_person", "/request_human", "🙋"],
    ["emergency", "button_emergency", '/ask_knowledge{"entry_id": "emergency-numbers"}', "🚑"],
  ];

  function buildHome(strings) {
    $("home-title").textContent = strings.home_title;
    const list = $("home-tasks");
    list.replaceChildren();
    for (const [task, key, payload, icon] of HOME_TASKS) {
      const item = document.createElement("li");
      const button = core.element("button", "home-task");
      button.type = "button";
      button.dataset.task = task;
      const symbol = core.element("span", "home-icon", icon);
      symbol.setAttribute("aria-hidden", "true");
      button.append(symbol, core.element("span", "home-label", strings[key]));
      button.addEventListener("click", () => {
        view.home.hidden = true;
        send(payload, strings[key]);
      });
      item.appendChild(button);
      list.appendChild(item);
    }
  }

  // --- start ----------------------------------------------------------------------------------
  async function start() {
    state.config = await core.getJson("/api/config");
    const [english, chinese] = await Promise.all([stringsFor("en"), stringsFor("zh")]);
    const kept = { days: state.config.retention_days };
    $("privacy-en").textContent = core.fill(english.privacy_notice, kept);
    $("privacy-zh").textContent = core.fill(chinese.privacy_notice, kept);
    for (const info of state.config.languages) {
      const item = document.createElement("li");
      const button = core.element("button", "language", info.native);
      button.type = "button";
      button.lang = info.code;
      button.dir = info.direction;
      button.dataset.lang = info.code;
      button.addEventListener("click", () => pickLanguage(info.code));
      item.appendChild(button);
      view.languages.appendChild(item);
    }
    $("continue-phone").hidden = !state.config.continue_on_phone;
    $("continue-phone").addEventListener("click", continueOnPhone);
    $("switch-language").addEventListener("click", showPicker);
    $("show-home").addEventListener("click", () => {
      view.home.hidden = !view.home.hidden;
      if (!view.home.hidden) view.home.querySelector("button").focus();
    });
    $("start-over").addEventListener("click", wipe);
    $("still-here").addEventListener("click", armIdle);
    $("qr-close").addEventListener("click", () => { view.qr.hidden = true; });
    view.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = view.input.value.trim();
      if (!text) return;
      view.input.value = "";
      view.home.hidden = true;
      send(text);
    });
    connection = new core.ChatConnection(window.location.origin, {
      onStatus: (status) => { view.status.hidden = status === "online"; },
      session: () => session.token,
      onStaff: (frame) => { frame.replies.forEach(appendReply); armIdle(); },
    });
    save();
    document.body.dataset.ready = "true";
    showPicker();
  }

  start();
})();
