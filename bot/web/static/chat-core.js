// TalentDesk chat code shared by the kiosk and the embeddable widget.
// Every text reaches the DOM through textContent or attribute setters, never innerHTML: HTML or
// <script> in a message is shown as the characters it is, never run; the assistant's replies
// go through markdown.js (the staff subset, built as DOM nodes).
(function (global) {
  "use strict";
  if (global.TalentDeskCore) return;

  // A session the server issued (POST /api/session): the client never names its own user id.
  // With a storage (localStorage on a personal device) the token survives a reload; the kiosk
  // renews it after each wipe, so the next visitor starts a new conversation.
  const SESSION_ERRORS = ["invalid_session", "session_expired", "session_ended"];

  class Session {
    constructor(base, channel, storage, key) {
      this.base = base;
      this.channel = channel;
      this.storage = storage || null;
      this.key = key;
      this.token = this.storage ? this.storage.getItem(key) : null;
      this.pending = null;
    }

    get() {
      if (this.token) return Promise.resolve(this.token);
      if (!this.pending) {
        this.pending = getJson(this.base + "/api/session", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ channel: this.channel }),
        }).then((body) => {
          this.token = body.session;
          if (this.storage) this.storage.setItem(this.key, this.token);
          return this.token;
        }).finally(() => { this.pending = null; });
      }
      return this.pending;
    }

    renew() {
      const old = this.token;
      this.token = null;
      if (this.storage) this.storage.removeItem(this.key);
      return old;
    }
  }

  // Sends `message` in the session; an ended or expired session is renewed once.
  async function sendInSession(connection, session, message) {
    let answer = null;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      let token;
      try {
        token = await session.get();
      } catch (error) {
        return { type: "error", error: { code: "offline", message: String(error) }, replies: [] };
      }
      answer = await connection.send(Object.assign({ session: token }, message));
      const code = answer.type === "error" && answer.error ? answer.error.code : null;
      if (!SESSION_ERRORS.includes(code)) return answer;
      session.renew();
    }
    return answer;
  }

  // A message's id: the server answers each id once, so a copy re-sent after a dropped socket
  // gets the same answer. randomUUID needs a secure context; a kiosk on plain http has only
  // getRandomValues.
  function newMessageId() {
    if (global.crypto.randomUUID) return global.crypto.randomUUID();
    const bytes = global.crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Only http(s) links become anchors: javascript:, data: and the like are dropped.
  function safeUrl(url) {
    try {
      const parsed = new URL(String(url), global.location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  function fill(template, params) {
    return String(template).replace(/\{(\w+)\}/g, (match, key) =>
      Object.prototype.hasOwnProperty.call(params, key) ? String(params[key]) : match);
  }

  function link(title, url) {
    const href = safeUrl(url);
    if (!href) return element("span", "td-link-text", title);
    const anchor = element("a", "td-link", title);
    anchor.href = href;
    anchor.target = "_blank";
    anchor.rel = "noopener noreferrer";
    return anchor;
  }

  // The office a knowledge answer sends the visitor to, laid out for a taxi driver: its Chinese
  // name and address large, then the visitor's own wording, hours and phone. The printable card
  // uses the same block.
  function officeCard(office, strings) {
    const card = element("section", "td-office");
    card.setAttribute("aria-label", strings.card_office);
    const chineseName = office.name_zh || office.name;
    const chineseAddress = office.address_zh || office.address;
    if (chineseName) card.appendChild(element("p", "td-office-name", chineseName)).lang = "zh";
    if (chineseAddress) {
      card.appendChild(element("p", "td-office-address", chineseAddress)).lang = "zh";
    }
    const details = element("dl", "td-office-details");
    const rows = [["card_office", office.name !== chineseName ? office.name : null],
      ["card_address", office.address !== chineseAddress ? office.address : null],
      ["card_hours", office.hours], ["card_phone", office.phone]];
    for (const [label, value] of rows) {
      if (!value) continue;
      details.appendChild(element("dt", "", strings[label]));
      const entry = details.appendChild(element("dd", "", value));
      entry.dir = "auto";
    }
    if (details.childElementCount) card.appendChild(details);
    return card;
  }

  // One bubble of the assistant; `actions` has onButton(button) and, for answers, onPrint(reply).
  function renderReply(reply, strings, actions) {
    const knowledge = reply.kind === "knowledge_answer";
    const item = element("li", "td-msg td-bot" + (knowledge ? " td-card" : "") +
      (reply.kind === "error" ? " td-error" : "") + (reply.kind === "staff" ? " td-staff" : ""));
    item.dataset.kind = reply.kind || "text";
    if (reply.language) item.lang = reply.language;
    item.dir = "auto";
    const data = reply.data || {};
    if (data.entry_id) item.dataset.entry = data.entry_id;
    if (knowledge && data.title) item.appendChild(element("strong", "td-card-title", data.title));
    // Replies are rendered from the staff Markdown subset; a knowledge answer's first paragraph
    // (the direct fact) leads, and a long rest folds under "More details".
    const text = global.TalentDeskMarkdown.render(reply.text, {
      link: link, lead: knowledge, details: knowledge ? strings.more_details : null,
      foldAfterChars: 700,
    });
    text.classList.add("td-text");
    item.appendChild(text);
    if (knowledge && data.office && (data.office.name_zh || data.office.name)) {
      item.appendChild(officeCard(data.office, strings));
    }
    if (reply.machine_translated) {
      item.appendChild(element("span", "td-badge", strings.machine_translated));
    }
    for (const note of reply.notes || []) item.appendChild(element("small", "td-note", note));
    if (reply.source) {
      const source = element("div", "td-source");
      source.appendChild(element("span", "td-source-label", strings.source + ": "));
      source.appendChild(link(reply.source.name, reply.source.url));
      if (reply.source.last_verified) {
        source.appendChild(element("span", "td-verified",
          fill(strings.last_verified, { date: reply.source.last_verified })));
      }
      item.appendChild(source);
    }
    if (reply.links && reply.links.length) {
      const links = element("div", "td-links");
      for (const entry of reply.links) links.appendChild(link(entry.title, entry.url));
      item.appendChild(links);
    }
    const row = element("div", "td-buttons");
    for (const button of reply.buttons || []) {
      const control = element("button", "td-quick", button.title);
      control.type = "button";
      control.addEventListener("click", () => actions.onButton(button));
      row.appendChild(control);
    }
    if (knowledge && actions.onPrint) {
      const print = element("button", "td-print", strings.button_print_card);
      print.type = "button";
      print.addEventListener("click", () => actions.onPrint(reply));
      row.appendChild(print);
    }
    if (row.childElementCount) item.appendChild(row);
    return item;
  }

  // The chat over /ws/chat, reconnecting with back-off; while the socket is down, messages go
  // through POST /api/chat, so a proxy that blocks websockets costs nothing but speed.
  class ChatConnection {
    constructor(base, handlers) {
      this.base = base;
      this.handlers = handlers || {};
      this.pending = new Map();
      this.seenStaff = new Set();
      this.delay = 500;
      this.socket = null;
      this.connect();
    }

    connect() {
      let socket;
      try {
        socket = new WebSocket(this.base.replace(/^http/, "ws") + "/ws/chat");
      } catch (error) {
        this.retry();
        return;
      }
      this.socket = socket;
      socket.addEventListener("open", () => {
        this.delay = 500;
        this.status("online");
        this.hello(socket);
      });
      socket.addEventListener("message", (event) => this.receive(event.data));
      socket.addEventListener("close", () => {
        if (this.socket === socket) this.socket = null;
        for (const [, waiter] of this.pending) waiter.fallback();
        this.pending.clear();
        this.status("reconnecting");
        this.retry();
      });
    }

    // Tells the server which conversation this page shows, so staff replies that waited
    // (sent while the page was closed or offline) arrive now, and new ones are pushed.
    hello(socket) {
      const token = this.handlers.session ? this.handlers.session() : null;
      if (token && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: "hello", session: token }));
      }
    }

    retry() {
      const wait = this.delay;
      this.delay = Math.min(this.delay * 2, 15000);
      global.setTimeout(() => this.connect(), wait);
    }

    status(state) {
      if (this.handlers.onStatus) this.handlers.onStatus(state);
    }

    receive(raw) {
      let frame;
      try {
        frame = JSON.parse(raw);
      } catch (error) {
        return;
      }
      if (frame.type === "typing") {
        if (this.handlers.onTyping) this.handlers.onTyping(true);
        return;
      }
      if (frame.type === "staff") {
        // A staff reply may be pushed twice (two gateways racing); show it once.
        if (this.seenStaff.has(frame.message_id)) return;
        this.seenStaff.add(frame.message_id);
        if (this.handlers.onStaff) this.handlers.onStaff(frame);
        return;
      }
      const waiter = this.pending.get(frame.id);
      if (waiter) {
        this.pending.delete(frame.id);
        waiter.resolve(frame);
      }
    }

    // Resolves to {type: "turn"|"error", language, replies, error}. A message pending when
    // the socket drops is re-sent over HTTP with the same id.
    send(message) {
      message = Object.assign({ id: newMessageId() }, message);
      const socket = this.socket;
      if (!socket || socket.readyState !== WebSocket.OPEN) return this.post(message);
      return new Promise((resolve) => {
        this.pending.set(message.id, {
          resolve: resolve,
          fallback: () => resolve(this.post(message)),
        });
        socket.send(JSON.stringify(message));
      });
    }

    async post(message) {
      try {
        const response = await fetch(this.base + "/api/chat", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(message),
        });
        const body = await response.json();
        return Object.assign({ type: response.ok ? "turn" : "error" }, body);
      } catch (error) {
        return { type: "error", error: { code: "offline", message: String(error) }, replies: [] };
      }
    }
  }

  async function getJson(url, options) {
    const response = await fetch(url, options);
    if (!response.ok) throw new Error(url + ": " + response.status);
    return response.status === 204 ? null : response.json();
  }

  global.TalentDeskCore = {
    ChatConnection: ChatConnection,
    element: element,
    fill: fill,
    getJson: getJson,
    link: link,
    newMessageId: newMessageId,
    officeCard: officeCard,
    Session: Session,
    sendInSession: sendInSession,
    renderReply: renderReply,
    safeUrl: safeUrl,
  };
})(window);
