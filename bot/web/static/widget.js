// TalentDesk chat widget: talks to POST /api/chat. Every text is inserted with textContent, so
// HTML or script in a message is shown as text, never executed.
(function () {
  "use strict";
  const log = document.getElementById("td-log");
  const form = document.getElementById("td-form");
  const input = document.getElementById("td-input");
  const storageKey = "talentdesk.user";
  let user = sessionStorage.getItem(storageKey);
  if (!user) {
    user = "w-" + (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
    sessionStorage.setItem(storageKey, user);
  }

  function bubble(text, who, extraClass) {
    const item = document.createElement("li");
    item.className = "td-msg td-" + who + (extraClass ? " " + extraClass : "");
    item.textContent = text;
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function renderReply(reply) {
    const item = bubble(reply.text, "bot", reply.kind === "error" ? "td-error" : "");
    item.lang = reply.language || "";
    if (reply.source) {
      const source = document.createElement("small");
      source.className = "td-source";
      source.textContent = reply.source.name + (reply.source.last_verified ? " · " + reply.source.last_verified : "");
      item.appendChild(source);
    }
    if (reply.buttons && reply.buttons.length) {
      const row = document.createElement("div");
      row.className = "td-buttons";
      for (const button of reply.buttons) {
        const element = document.createElement("button");
        element.type = "button";
        element.textContent = button.title;
        element.addEventListener("click", () => send(button.payload, button.title));
        row.appendChild(element);
      }
      item.appendChild(row);
    }
  }

  async function send(text, shown) {
    bubble(shown || text, "user");
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user: user, text: text, channel: "web" }),
      });
      const body = await response.json();
      if (body.replies) body.replies.forEach(renderReply);
      else if (body.error) bubble(body.error.message, "bot", "td-error");
    } catch (error) {
      bubble("Connection problem, please try again.", "bot", "td-error");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
})();
