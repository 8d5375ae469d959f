// The live inbox: open requests (refreshed every few seconds), one conversation at a time with
// its messages streamed over server-sent events. Visitor text is shown with textContent only.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const view = { list: $("requests"), empty: $("no-requests"), panel: $("conversation") };
  let current = null; // { id, source, lastId }
  // "all", or "after_hours": the messages left outside opening hours, oldest first.
  let queue = "all";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function line(role, who, original, rendering, details) {
    const item = el("li", "line " + role);
    item.appendChild(el("span", "who", who));
    const left = item.appendChild(el("div", "original", original));
    left.dir = "auto";
    const right = item.appendChild(el("div", "rendering", rendering || ""));
    right.dir = "auto";
    if (details && details.machine_translated) {
      right.appendChild(el("div", "mt", StaffUI.t("machine_translated")));
    }
    for (const note of (details && details.notes) || []) right.appendChild(el("div", "mt", note));
    return item;
  }

  function messageLine(message) {
    const who = message.role === "staff" ? `${StaffUI.t("staff")} · ${message.author}`
      : message.role === "user" ? StaffUI.t("visitor") : StaffUI.t("assistant");
    return line(message.role, `${who} · ${message.language}`, message.text, message.rendering,
      message);
  }

  async function refreshList() {
    const response = await staffFetch(`/staff/api/requests?queue=${queue}`);
    if (!response.ok) return;
    const requests = await response.json();
    view.list.replaceChildren();
    view.empty.hidden = queue !== "all" || requests.length > 0;
    $("no-after-hours").hidden = queue !== "after_hours" || requests.length > 0;
    for (const tab of document.querySelectorAll("[data-queue]")) {
      tab.setAttribute("aria-selected", String(tab.dataset.queue === queue));
    }
    for (const request of requests) {
      const item = el("li", "request");
      item.dataset.request = request.id;
      item.dataset.status = request.status;
      const meta = item.appendChild(el("div", "meta"));
      meta.appendChild(el("span", "", `#${request.id}`));
      meta.appendChild(el("span", "language", `${StaffUI.t("language")}: ${request.language}`));
      meta.appendChild(el("span", "channel", `${StaffUI.t("channel")}: ${request.channel}`));
      meta.appendChild(el("span", "", StaffUI.t("waiting",
        { minutes: Math.floor(request.waiting_seconds / 60) })));
      if (request.answer_on) {
        meta.appendChild(el("span", "answer-on", StaffUI.t("answer_on", { day: request.answer_on })));
      }
      item.appendChild(el("div", "preview", request.preview)).dir = "auto";
      if (request.message) {
        // Left outside opening hours: answer it and it reaches the visitor (Telegram at once,
        // the web page the next time it connects).
        item.appendChild(el("div", "left-message", `✉ ${request.message}`)).dir = "auto";
      }
      const actions = item.appendChild(el("div", "actions"));
      if (request.status === "open") {
        const take = actions.appendChild(el("button", "take", StaffUI.t("take")));
        take.type = "button";
        take.addEventListener("click", () => takeRequest(request.id));
      } else {
        actions.appendChild(el("span", "", request.staff));
        if (request.staff === Staff.me.username) {
          const open = actions.appendChild(el("button", "secondary open", "→"));
          open.type = "button";
          open.addEventListener("click", () => openConversation(request.id));
        }
      }
      view.list.appendChild(item);
    }
  }

  async function takeRequest(id) {
    const response = await staffFetch(`/staff/api/requests/${id}/take`, { method: "POST" });
    if (response.status === 409) window.alert(StaffUI.t("taken_by_other"));
    await refreshList();
    if (response.ok) await openConversation(id);
  }

  async function openConversation(id) {
    if (current && current.source) current.source.close();
    const response = await staffFetch(`/staff/api/requests/${id}`);
    if (!response.ok) return;
    const detail = await response.json();
    current = { id: id, lastId: 0, source: null };
    const panel = view.panel;
    panel.replaceChildren();
    panel.hidden = false;
    panel.dataset.request = id;
    const head = panel.appendChild(el("div", "meta"));
    head.appendChild(el("strong", "", `#${id} · ${detail.language} · ${detail.channel}`));
    const transcript = panel.appendChild(el("ol", "transcript"));
    transcript.id = "transcript";
    for (const entry of detail.transcript) {
      const who = entry.role === "user" ? StaffUI.t("visitor") : StaffUI.t("assistant");
      transcript.appendChild(line(entry.role === "user" ? "user" : "bot", who, entry.text,
        entry.rendering));
    }
    const form = panel.appendChild(el("form", "composer"));
    form.id = "reply-form";
    const text = form.appendChild(el("textarea"));
    text.id = "reply-text";
    text.maxLength = 2000;
    text.rows = 2;
    text.placeholder = StaffUI.t("reply_placeholder");
    const side = form.appendChild(el("div", "actions"));
    const language = side.appendChild(el("select"));
    language.id = "reply-language";
    for (const code of ["zh", "en"]) {
      const option = language.appendChild(el("option", "", code === "zh" ? "中文" : "English"));
      option.value = code;
    }
    language.value = StaffUI.language;
    const send = side.appendChild(el("button", "", StaffUI.t("send")));
    send.type = "submit";
    send.id = "reply-send";
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!text.value.trim()) return;
      const sent = await staffFetch(`/staff/api/requests/${id}/reply`, {
        method: "POST", body: JSON.stringify({ text: text.value, language: language.value }),
      });
      if (sent.ok) text.value = "";
    });
    panel.appendChild(quickReplies(id));
    const close = panel.appendChild(el("button", "secondary", StaffUI.t("close")));
    close.type = "button";
    close.id = "close-conversation";
    close.addEventListener("click", async () => {
      await staffFetch(`/staff/api/requests/${id}/close`, { method: "POST" });
      await refreshList();
    });
    const source = new EventSource(`/staff/api/requests/${id}/events`);
    current.source = source;
    source.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message.id <= current.lastId) return;
      current.lastId = message.id;
      const item = transcript.appendChild(messageLine(message));
      item.dataset.message = message.id;
      item.scrollIntoView({ block: "end" });
    });
    source.addEventListener("status", (event) => {
      const status = JSON.parse(event.data).status;
      panel.dataset.status = status;
      if (status === "closed") {
        form.hidden = true;
        close.hidden = true;
        panel.appendChild(el("p", "closed", StaffUI.t("closed")));
        source.close();
      }
    });
  }

  // Search the knowledge base; one click sends an entry's answer in the visitor's language.
  function quickReplies(id) {
    const box = el("details", "quick");
    box.appendChild(el("summary", "", StaffUI.t("quick_replies")));
    const form = box.appendChild(el("form", "composer"));
    const query = form.appendChild(el("input"));
    query.id = "knowledge-query";
    query.maxLength = 200;
    const go = form.appendChild(el("button", "secondary", StaffUI.t("search")));
    go.type = "submit";
    const results = box.appendChild(el("ul", "requests"));
    results.id = "knowledge-results";
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!query.value.trim()) return;
      const response = await staffFetch(
        `/staff/api/knowledge?q=${encodeURIComponent(query.value)}`);
      if (!response.ok) return;
      results.replaceChildren();
      for (const hit of await response.json()) {
        const item = results.appendChild(el("li", "request"));
        item.dataset.entry = hit.id;
        item.appendChild(el("strong", "", hit.title[StaffUI.language] || hit.title.en));
        item.appendChild(el("div", "preview", hit.answer[StaffUI.language] || hit.answer.en));
        const send = item.appendChild(el("button", "", StaffUI.t("send")));
        send.type = "button";
        send.addEventListener("click", () => staffFetch(`/staff/api/requests/${id}/quick-reply`, {
          method: "POST", body: JSON.stringify({ entry_id: hit.id }),
        }));
      }
    });
    return box;
  }

  for (const tab of document.querySelectorAll("[data-queue]")) {
    tab.addEventListener("click", () => {
      queue = tab.dataset.queue;
      refreshList();
    });
  }

  document.addEventListener("staff-ready", () => {
    refreshList();
    window.setInterval(refreshList, 3000);
  });
  document.addEventListener("staff-language", refreshList);
})();
