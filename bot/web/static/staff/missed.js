// What the assistant missed: a bar chart of unanswered questions per week (inline SVG built
// node by node), the groups by nearest entry, language and week, and the two ways to turn a
// question into knowledge. Question texts are shown with textContent only.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function chart(weeks) {
    const width = 720, height = 220, bottom = 40, top = 20;
    const max = Math.max(1, ...weeks.map((w) => w.count));
    const slot = width / Math.max(1, weeks.length);
    const figure = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
    figure.appendChild(svg("title", {}, StaffUI.t("questions_per_week")));
    weeks.forEach((week, i) => {
      const barHeight = ((height - bottom - top) * week.count) / max;
      const x = i * slot + slot * 0.15;
      const y = height - bottom - barHeight;
      figure.appendChild(svg("rect", { class: "bar", x, y, width: slot * 0.7, height: barHeight }));
      figure.appendChild(svg("text", { x: x + slot * 0.35, y: y - 4, "text-anchor": "middle" },
        week.count));
      figure.appendChild(svg("text", { x: x + slot * 0.35, y: height - bottom + 16,
        "text-anchor": "middle" }, week.week));
    });
    return figure;
  }

  function status(text) { $("missed-status").textContent = text; }

  async function reply(response) {
    const body = await response.json();
    status(response.ok ? StaffUI.t("saved", { file: body.file })
      : StaffUI.t("refused", { reason: body.error ? body.error.message : response.status }));
    if (response.ok) await refresh();
    return response.ok;
  }

  function openDraft(example, group) {
    const form = $("draft-form");
    form.hidden = false;
    $(`draft-question-${group.language === "zh" ? "zh" : "en"}`).value = example.text;
    form.scrollIntoView({ block: "start" });
  }

  async function refresh() {
    const response = await staffFetch("/staff/api/missed");
    if (!response.ok) return;
    const data = await response.json();
    $("missed-chart").replaceChildren(chart(data.per_week));
    const list = $("missed-groups");
    list.replaceChildren();
    for (const group of data.groups) {
      const item = list.appendChild(el("li", "request"));
      item.dataset.entry = group.entry_id || "";
      const meta = item.appendChild(el("div", "meta"));
      meta.appendChild(el("strong", "", group.entry_id || StaffUI.t("no_entry")));
      meta.appendChild(el("span", "", `${StaffUI.t("language")}: ${group.language}`));
      meta.appendChild(el("span", "", group.week));
      meta.appendChild(el("span", "count", `× ${group.count}`));
      for (const example of group.examples) {
        const row = item.appendChild(el("div", "example"));
        row.dataset.question = example.id;
        row.appendChild(el("span", "text", example.text)).dir = "auto";
        if (group.entry_id) {
          const add = row.appendChild(el("button", "secondary add-question",
            StaffUI.t("add_to_entry", { entry: group.entry_id })));
          add.type = "button";
          add.addEventListener("click", async () => reply(await staffFetch(
            `/staff/api/missed/${example.id}/add-question`,
            { method: "POST", body: JSON.stringify({ entry_id: group.entry_id }) })));
        }
        const draft = row.appendChild(el("button", "secondary new-entry", StaffUI.t("new_entry")));
        draft.type = "button";
        draft.addEventListener("click", () => openDraft(example, group));
      }
    }
  }

  // The checker wants at least two ways of asking in English and in Chinese: one a line.
  function listOf(id) {
    return $(id).value.split("\n").map((line) => line.trim()).filter(Boolean).slice(0, 20);
  }

  document.addEventListener("staff-ready", () => {
    refresh();
    $("draft-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const saved = await reply(await staffFetch("/staff/api/knowledge/entries", {
        method: "POST",
        body: JSON.stringify({
          id: $("draft-id").value.trim(),
          category: $("draft-category").value.trim(),
          title_en: $("draft-title-en").value.trim(),
          title_zh: $("draft-title-zh").value.trim(),
          questions_en: listOf("draft-question-en"),
          questions_zh: listOf("draft-question-zh"),
          answer_en: $("draft-answer-en").value,
          answer_zh: $("draft-answer-zh").value,
          source_name: $("draft-source").value.trim(),
          source_url: $("draft-url").value.trim() || null,
        }),
      }));
      if (saved) $("draft-form").hidden = true;
    });
  });
  document.addEventListener("staff-language", refresh);
})();
