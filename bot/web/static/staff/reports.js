// Reports: ratings per entry, bookings of a day (with cancel), the knowledge checker's report.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function row(table, cells) {
    const tr = table.appendChild(el("tr"));
    for (const cell of cells) tr.appendChild(cell instanceof Node ? cell : el("td", "", cell));
    return tr;
  }

  async function ratings() {
    const response = await staffFetch("/staff/api/ratings");
    if (!response.ok) return;
    const table = $("ratings");
    table.replaceChildren();
    row(table, ["", StaffUI.t("helpful"), StaffUI.t("not_helpful")]);
    for (const r of await response.json()) row(table, [r.entry_id, r.helpful, r.not_helpful]);
  }

  async function bookings() {
    const day = $("bookings-day").value;
    if (!day) return;
    const response = await staffFetch(`/staff/api/bookings?day=${encodeURIComponent(day)}`);
    if (!response.ok) return;
    const table = $("bookings");
    table.replaceChildren();
    for (const b of await response.json()) {
      const action = el("td");
      if (b.status === "booked") {
        const cancel = action.appendChild(el("button", "secondary", StaffUI.t("cancel_booking")));
        cancel.type = "button";
        cancel.addEventListener("click", async () => {
          await staffFetch(`/staff/api/bookings/${encodeURIComponent(b.code)}/cancel`,
            { method: "POST" });
          await bookings();
        });
      }
      row(table, [b.slot, b.code, b.service, b.language, b.status, action]);
    }
  }

  async function checker() {
    const response = await staffFetch("/staff/api/knowledge/check");
    if (!response.ok) return;
    const report = await response.json();
    $("checker-summary").textContent = StaffUI.t("checker_summary", {
      entries: report.entries, problems: report.problems.length,
      expired: report.expired.length, review: report.due_for_review.length,
    });
    const list = $("checker-problems");
    list.replaceChildren();
    const listed = [
      ...report.problems, ...report.expired, ...report.due_for_review, ...report.home_page_sources,
    ];
    for (const p of listed) {
      list.appendChild(el("li", "", `${p.file}:${p.line}: ${p.message} (${p.fix})`));
    }
  }

  document.addEventListener("staff-ready", () => {
    $("bookings-day").value = new Date().toISOString().slice(0, 10);
    $("bookings-form").addEventListener("submit", (event) => {
      event.preventDefault();
      bookings();
    });
    ratings();
    bookings();
    checker();
  });
})();
