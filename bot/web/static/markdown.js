// The staff Markdown subset (bold, italics, links, lists, paragraphs, line breaks) as DOM nodes.
// The parser mirrors bot/markdown.py rule for rule (the same cases in
// tests/fixtures/markdown_cases.json test both), so Telegram and the kiosk show one answer alike.
// Nodes are built with createElement and textContent: nothing is ever parsed as HTML.
(function (global) {
  "use strict";
  if (global.TalentDeskMarkdown) return;

  // Keep these three patterns identical to the ones in bot/markdown.py.
  const INLINE = new RegExp(
    "\\*\\*(?<bold>[^*\\n]+?)\\*\\*" +
    "|\\[(?<title>[^\\]\\n]+)\\]\\((?<url>https?://[^)\\s]+)\\)" +
    "|\\*(?=[^\\s*])(?<italic>[^*\\n]+?)(?<=\\S)\\*", "gu");
  const BULLET = /^\s*[-*] (?=\S)/u;
  const NUMBERED = /^\s*([0-9]{1,3})[.)] (?=\S)/u;

  function parseInline(text) {
    const line = [];
    let position = 0;
    for (const match of text.matchAll(INLINE)) {
      if (match.index > position) line.push(["text", text.slice(position, match.index)]);
      const groups = match.groups;
      if (groups.bold !== undefined) line.push(["b", groups.bold]);
      else if (groups.italic !== undefined) line.push(["i", groups.italic]);
      else line.push(["a", groups.title, groups.url]);
      position = match.index + match[0].length;
    }
    if (position < text.length) line.push(["text", text.slice(position)]);
    return line;
  }

  function parse(text) {
    const blocks = [];
    let current = null;
    for (const raw of String(text || "").replace(/\r\n?/g, "\n").split("\n")) {
      if (!raw.trim()) { current = null; continue; }
      const bullet = BULLET.exec(raw);
      const numbered = bullet ? null : NUMBERED.exec(raw);
      const marker = bullet || numbered;
      if (marker) {
        const ordered = numbered !== null;
        if (!current || current.type !== "list" || current.ordered !== ordered) {
          current = { type: "list", ordered: ordered, start: numbered ? Number(numbered[1]) : 1,
            items: [] };
          blocks.push(current);
        }
        current.items.push(parseInline(raw.slice(marker[0].length)));
        continue;
      }
      if (!current || current.type !== "paragraph") {
        current = { type: "paragraph", lines: [] };
        blocks.push(current);
      }
      current.lines.push(parseInline(raw));
    }
    return blocks;
  }

  function inline(parent, line, link) {
    for (const piece of line) {
      if (piece[0] === "text") parent.appendChild(document.createTextNode(piece[1]));
      else if (piece[0] === "a") parent.appendChild(link(piece[1], piece[2]));
      else {
        const node = document.createElement(piece[0] === "b" ? "strong" : "em");
        node.textContent = piece[1];
        parent.appendChild(node);
      }
    }
  }

  function blockNode(block, link) {
    if (block.type === "paragraph") {
      const paragraph = document.createElement("p");
      block.lines.forEach((line, index) => {
        if (index) paragraph.appendChild(document.createElement("br"));
        inline(paragraph, line, link);
      });
      return paragraph;
    }
    const list = document.createElement(block.ordered ? "ol" : "ul");
    if (block.ordered && block.start !== 1) list.start = block.start;
    for (const item of block.items) {
      const entry = document.createElement("li");
      inline(entry, item, link);
      list.appendChild(entry);
    }
    return list;
  }

  // A rendered text: the first paragraph (an answer's direct fact) marked as the lead; with
  // `details` set and a long rest, the rest folds into <details> under that summary.
  function render(text, options) {
    const settings = options || {};
    const link = settings.link;
    const container = document.createElement("div");
    container.className = "td-md";
    const blocks = parse(text);
    const nodes = blocks.map((block) => blockNode(block, link));
    if (nodes.length && blocks[0].type === "paragraph" && settings.lead) {
      nodes[0].classList.add("td-lead");
    }
    const rest = nodes.slice(1);
    const restLength = blocks.slice(1).reduce((total, block) =>
      total + JSON.stringify(block).length, 0);
    if (settings.details && rest.length > 2 && restLength > settings.foldAfterChars) {
      const details = document.createElement("details");
      details.className = "td-more";
      const summary = document.createElement("summary");
      summary.textContent = settings.details;
      details.appendChild(summary);
      rest.forEach((node) => details.appendChild(node));
      container.append(nodes[0], details);
    } else {
      nodes.forEach((node) => container.appendChild(node));
    }
    return container;
  }

  global.TalentDeskMarkdown = { parse: parse, render: render };
})(window);
