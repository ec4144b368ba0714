"""Drive Label Studio's labeling page in a real Chromium, as an annotator would.

Playwright (PyPI) launches Debian's Chromium (/usr/bin/chromium); no browser is ever
downloaded. Everything waits on Label Studio's in-page store (``window.Htx``) rather than
on the DOM, finds characters by walking the text lines, and selects with the mouse.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
STORE_READY = "() => window.Htx?.annotationStore?.selected?.regionStore != null"

# Where each character of the document is on screen: Label Studio renders the text as one
# .lsf-richtext__line per line (a <br> stands for the line break), and highlights split the
# line into nested spans, so the text nodes of a line, in order, are the line's characters.
_CHAR_BOX = """
([text, offset]) => {
  const lines = [...document.querySelectorAll('.lsf-richtext__line')];
  let pos = 0;
  for (const line of lines) {
    const lineText = line.textContent;
    const start = text.indexOf(lineText, pos);
    if (start < 0) throw new Error('line not found in the text: ' + lineText.slice(0, 40));
    pos = start + lineText.length;
    if (offset < start || offset >= pos) continue;
    let left = offset - start;
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (left < node.length) {
        node.parentElement.scrollIntoView({block: 'center'});
        const range = document.createRange();
        range.setStart(node, left);
        range.setEnd(node, left + 1);
        const box = range.getClientRects()[0];
        return {left: box.left, right: box.right, top: box.top, bottom: box.bottom};
      }
      left -= node.length;
    }
  }
  throw new Error('offset not shown: ' + offset);
}
"""

_REGIONS = """
() => window.Htx.annotationStore.selected.regionStore.regions.map(r => ({
  id: r.id, cleanId: r.cleanId, start: r.globalOffsets?.start, end: r.globalOffsets?.end,
  text: r.text, labels: r.labeling?.selectedLabels?.map(l => l.value) ?? r.labels ?? [],
}))
"""


def require_browser() -> Any:
    """Playwright's sync API, or a skip (a failure when CI=true) saying what is missing."""
    missing = None
    try:
        from playwright import sync_api
    except ImportError:
        missing = "playwright is not installed (pip install -e '.[test]')"
    if missing is None and not CHROMIUM.is_file():
        missing = f"{CHROMIUM} is missing (Debian: apt-get install chromium)"
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the browser test cannot run: {missing}")
        pytest.skip(f"browser test skipped: {missing}")
    return sync_api


@contextmanager
def chromium(profile: Path) -> Iterator[Any]:
    """A headless Chromium with a fresh profile: one page of VIEWPORT."""
    sync_api = require_browser()
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=VIEWPORT,
        )
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def log_in(page: Any, url: str, *, email: str, password: str) -> None:
    page.goto(f"{url}/user/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda where: "/user/login" not in where, timeout=60_000)


def open_task(page: Any, url: str, *, project_id: int, task_id: int) -> float:
    """Open the labeling page of one task; seconds until the store holds its annotation."""
    started = time.monotonic()
    page.goto(f"{url}/projects/{project_id}/data?task={task_id}")
    page.wait_for_function(STORE_READY, timeout=60_000)
    return time.monotonic() - started


def regions(page: Any) -> list[dict[str, Any]]:
    return page.evaluate(_REGIONS)


def relations(page: Any) -> list[dict[str, Any]]:
    return page.evaluate(
        """() => window.Htx.annotationStore.selected.relationStore.relations.map(r => ({
             head: r.node1.cleanId, tail: r.node2.cleanId, labels: [...(r.labels ?? [])]}))"""
    )


def deselect(page: Any) -> None:
    """Nothing selected: clicking a label with a region selected would relabel the region."""
    page.evaluate("() => window.Htx.annotationStore.selected.unselectAll()")


def pick_label(page: Any, value: str) -> None:
    deselect(page)
    page.locator(".lsf-label", has=page.locator(".lsf-label__text", has_text=value)).first.click()


def drag_over(page: Any, text: str, start: int, end: int) -> None:
    """Select text[start:end] with the mouse, from the first character to the last."""
    first = page.evaluate(_CHAR_BOX, [text, start])
    last = page.evaluate(_CHAR_BOX, [text, end - 1])
    first = page.evaluate(_CHAR_BOX, [text, start])  # scrolled for the last one: measure again
    middle = (first["top"] + first["bottom"]) / 2
    page.mouse.move(first["left"] + 1, middle)
    page.mouse.down()
    page.mouse.move(last["right"] - 1, (last["top"] + last["bottom"]) / 2, steps=8)
    page.mouse.up()


def draw_span(page: Any, text: str, start: int, end: int, label: str) -> dict[str, Any]:
    """Label text[start:end] with the mouse; the new region as the store holds it."""
    before = {r["id"] for r in regions(page)}
    pick_label(page, label)
    drag_over(page, text, start, end)
    page.wait_for_function(
        "n => window.Htx.annotationStore.selected.regionStore.regions.length > n", arg=len(before)
    )
    (made,) = [r for r in regions(page) if r["id"] not in before]
    return made


def click_region(page: Any, region_id: str) -> None:
    """Click a region on the text: its element is found by id through the store (the id,
    or the clean id that stays the same once the annotation is saved)."""
    element = page.evaluate_handle(
        """id => window.Htx.annotationStore.selected.regionStore.regions
                  .find(r => r.id === id || r.cleanId === id).getRegionElement()""",
        region_id,
    ).as_element()
    element.scroll_into_view_if_needed()
    element.click()
    page.wait_for_function(
        """id => window.Htx.annotationStore.selected.selectedRegions
                 .some(r => r.id === id || r.cleanId === id)""",
        arg=region_id,
    )


def choose(page: Any, value: str) -> None:
    """Click a radio of the selected region's attributes by its value."""
    page.locator(f'label:has(input[type=radio][name="{value}"])').click()


def link(page: Any, head_id: str, tail_id: str) -> None:
    """Draw a relation head -> tail: select the head, Alt+R, click the tail."""
    count = len(relations(page))
    deselect(page)
    click_region(page, head_id)
    page.keyboard.press("Alt+r")
    page.wait_for_function("() => window.Htx.annotationStore.selected.isLinkingMode")
    element = page.evaluate_handle(
        """id => window.Htx.annotationStore.selected.regionStore.regions
                  .find(r => r.id === id).getRegionElement()""",
        tail_id,
    ).as_element()
    element.click()
    page.wait_for_function(
        "n => window.Htx.annotationStore.selected.relationStore.relations.length > n", arg=count
    )


def type_last_relation(page: Any, relation_type: str) -> None:
    """Give the newest relation its type through the Relations panel's label selector."""
    page.locator(".lsf-panel-tabs__tab", has_text="Relations").first.click()
    item = page.locator(".lsf-relations__item").last
    item.scroll_into_view_if_needed()
    item.hover()
    item.locator("button[aria-label='Show Relation Labels']").click()
    page.locator(".lsf-relation-meta button[data-slot=popover-trigger]").last.click()
    page.get_by_text(relation_type, exact=True).last.click()
    page.keyboard.press("Escape")


def in_view(page: Any, selector_js: str) -> bool:
    """Whether the element the JS expression finds is wholly inside the viewport."""
    return page.evaluate(
        f"""() => {{ const e = {selector_js}; const b = e.getBoundingClientRect();
              return b.height > 0 && b.top >= 0 && b.bottom <= window.innerHeight; }}"""
    )


def hotkeys_shown(page: Any) -> list[str]:
    """Every hotkey printed on the page: labels' and the visible choices' ([g] hints)."""
    return page.evaluate(
        """() => [
          ...[...document.querySelectorAll('.lsf-label__hotkey')].map(e => e.textContent),
          ...[...document.querySelectorAll('.lsf-choice sup.lsf-hint')]
              .map(e => e.textContent.replace(/^\\[|\\]$/g, '')),
        ].map(k => k.trim().toLowerCase()).filter(k => k)"""
    )


def data_manager_columns(page: Any, url: str, project_id: int) -> list[str]:
    """The column titles of the project's Data Manager table, as shown (without the type
    badge, "str", that follows a data column's name)."""
    page.goto(f"{url}/projects/{project_id}/data")
    page.wait_for_selector(".lsf-table-head .lsf-th", timeout=60_000)
    return page.evaluate(
        """() => [...document.querySelectorAll('.lsf-table-head .lsf-th')]
                  .map(e => e.textContent.trim().replace(/str$/, '')).filter(t => t)"""
    )
