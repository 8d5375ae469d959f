"""Checks run inside the page: fallback boxes (glyphs no installed font has), touch targets,
focus outlines and an axe-core scan. They run through ``page.evaluate`` (the page's CSP allows
no eval of its own; the axe scan injects its script in a context that bypasses the CSP)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.conftest import PROJECT_ROOT

AXE_SCRIPT = PROJECT_ROOT / "tests" / "browser" / "vendor" / "axe.min.js"
LAYOUTS = {
    "portrait": {"width": 1080, "height": 1920},
    "landscape": {"width": 1920, "height": 1080},
    "phone": {"width": 390, "height": 844},
}
# A code point no font covers: what a fallback box looks like with the page's fonts.
NO_GLYPH = "\U0010fffd"

# Draws every character of the matched elements with the element's own font and compares the
# pixels with the drawing of a code point no font has: equal pixels mean a fallback box.
_FALLBACK_BOXES = """([selector, noGlyph]) => {
  const canvas = document.createElement("canvas");
  canvas.width = 72; canvas.height = 72;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const draw = (text, font) => {
    context.clearRect(0, 0, 72, 72);
    context.font = font;
    context.textBaseline = "top";
    context.fillStyle = "#000";
    context.fillText(text, 8, 8);
    return context.getImageData(0, 0, 72, 72).data.join(",");
  };
  const boxes = [];
  let checked = 0;
  for (const element of document.querySelectorAll(selector)) {
    const font = "40px " + getComputedStyle(element).fontFamily;
    const box = draw(noGlyph, font);
    for (const character of new Set(Array.from(element.textContent))) {
      if (/[\\s\\p{M}\\p{Cf}]/u.test(character)) continue;
      checked += 1;
      if (draw(character, font) === box) {
        boxes.push(character + " U+" + character.codePointAt(0).toString(16).toUpperCase() +
          " in " + JSON.stringify(element.textContent.slice(0, 30)));
      }
    }
  }
  return { boxes: boxes, checked: checked };
}"""


def fallback_boxes(page: Page, selector: str) -> list[str]:
    """The characters of ``selector``'s elements that render as a fallback box."""
    result: dict[str, Any] = page.evaluate(_FALLBACK_BOXES, [selector, NO_GLYPH])
    assert result["checked"] > 0, f"no characters to check in {selector}"
    return list(result["boxes"])


_SMALL_TARGETS = """(selector) => [document,
    document.querySelector("#talentdesk-widget")?.shadowRoot].filter(Boolean)
  .flatMap((root) => Array.from(root.querySelectorAll(selector)))
  .filter((element) => element.getClientRects().length > 0)
  .map((element) => [element.getBoundingClientRect(), element])
  .filter(([box]) => box.width < 48 || box.height < 48)
  .map(([box, element]) => (element.className || element.id || element.tagName) + " " +
    Math.round(box.width) + "x" + Math.round(box.height))"""


def small_touch_targets(page: Page, selector: str = "button, summary, input") -> list[str]:
    """Visible controls smaller than 48x48 px (in the page and in the widget's shadow root).

    Links inside a sentence are exempt, as in WCAG 2.5.8.
    """
    return list(page.evaluate(_SMALL_TARGETS, selector))


def focus_outline_width(page: Page) -> float:
    """The outline width of the focused element, in px (0 when focus is invisible)."""
    return float(
        page.evaluate(
            "() => { const e = document.activeElement.shadowRoot?.activeElement"
            " || document.activeElement; const s = getComputedStyle(e);"
            " return s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth); }"
        )
    )


def serious_axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now.

    The page must come from a context made with ``bypass_csp=True``: the CSP forbids the
    injected script, as it should in production.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    results: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [
        f"{item['id']} ({item['impact']}): {item['nodes'][:3]}"
        for item in results
        if item["impact"] in {"serious", "critical"}
    ]
