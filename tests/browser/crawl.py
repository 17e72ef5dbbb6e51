"""Crawl what a logged-in user can reach, as on a phone (tests/browser/test_phone.py, the
page-weight bench): the menu, each page's own navigation (tabs, breadcrumbs) and the first
link of each table and list, a few clicks deep, each kind of page once."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.urls import Resolver404, resolve

WIDTH, HEIGHT = 390, 844  # a common phone (CSS pixels)
DEPTH = 3  # home -> menu -> tabs and first links -> their tabs and first links

# Downloads, log-out, language and the API are not pages to look at.
NOT_PAGES = re.compile(
    r"^/(api|i18n|static|media)/|/logout/|/export|/print/|/download|/file/|/files?/|"
    r"/attachments?/|/template/|/errors/|\.(xlsx|docx|pdf|csv|zip)$"
)

LINKS_JS = """() => {
  const out = [];
  const add = (a) => { if (a && a.href && a.origin === location.origin) out.push(a.pathname + a.search); };
  document.querySelectorAll('header nav a, main nav a').forEach(add);
  document.querySelectorAll('main table').forEach((t) => add(t.querySelector('tbody a[href]')));
  document.querySelectorAll('main ul, main ol').forEach((l) => {
    if (!l.closest('nav')) add(l.querySelector(':scope > li a[href]'));
  });
  return out;
}"""


# Tap targets under 44 px, and dropdowns whose chosen text does not fit.
CHECKS_JS = """() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    // checkVisibility: false inside a closed <details> too, whose content Chromium lays out
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' &&
      (!el.checkVisibility || el.checkVisibility({contentVisibilityAuto: true}));
  };
  const name = (el) => {
    const text = (el.tagName === 'SELECT' ? el.name : (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '')).trim();
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + text.slice(0, 30) + '"';
  };
  const small = [];
  const targets = document.querySelectorAll(
    'button, [role=button], select, textarea, summary, header nav a, main nav a, .pager a, ' +
    'input:not([type=hidden]):not([type=checkbox]):not([type=radio])');
  targets.forEach((el) => {
    if (!visible(el)) return;
    const r = el.getBoundingClientRect();
    if (r.height < 43.5 || r.width < 43.5) small.push(name(el) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
  });
  document.querySelectorAll('input[type=checkbox], input[type=radio]').forEach((el) => {
    const label = el.labels && el.labels[0];
    if (!label || !visible(label)) return;
    const r = label.getBoundingClientRect();
    if (r.height < 43.5 || r.width < 43.5) small.push('label of ' + name(el) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
  });
  const cut = [];
  const ctx = document.createElement('canvas').getContext('2d');
  document.querySelectorAll('select').forEach((el) => {
    if (!visible(el) || el.multiple || !el.selectedOptions.length) return;
    const s = getComputedStyle(el);
    ctx.font = s.fontWeight + ' ' + s.fontSize + ' ' + s.fontFamily;
    const text = el.selectedOptions[0].text.trim();
    const room = el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    if (ctx.measureText(text).width > room + 1) cut.push(name(el) + ' shows "' + text + '"');
  });
  return {small: small, cut: cut};
}"""


def phone_context(browser: Any, service_workers: str = "allow") -> Any:
    """A new browser context like a phone: 390 × 844, touch, Vietnamese.

    ``service_workers="block"`` keeps chibo's worker (home/pwa.py) out: the DevTools network
    events of a page then count what its requests received (through the worker, they read 0).
    """
    context = browser.new_context(
        service_workers=service_workers,
        locale="vi-VN",
        viewport={"width": WIDTH, "height": HEIGHT},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
    )
    context.set_default_timeout(15_000)
    return context


def page_kind(path_and_query: str) -> str | None:
    """One key per kind of page: the view, its "kind" argument, the query's keys.

    None for what is not a page (downloads, the API…) or not chibo's.
    """
    parts = urlsplit(path_and_query)
    if NOT_PAGES.search(parts.path):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{match.view_name}/{match.kwargs.get('kind', '')}?{'&'.join(keys)}"


def crawl(
    page: Any, base: str, on_page: Callable[[str, str, Any], None], depth: int = DEPTH
) -> list[str]:
    """Visit each kind of page once, from the home page; answer the URLs visited.

    ``on_page(url, kind, response)`` runs on each page once it has loaded.
    """
    seen: set[str] = set()
    visited: list[str] = []
    queue: list[tuple[str, int]] = [("/", 0)]
    while queue:
        url, level = queue.pop(0)
        kind = page_kind(url)
        if kind is None or kind in seen:
            continue
        seen.add(kind)
        try:
            response = page.goto(base + url)
        except Exception as exc:  # a link to a file (DOCX, XLSX…) is not a page
            if "Download is starting" in str(exc):
                continue
            raise
        visited.append(url)
        on_page(url, kind, response)
        if response is not None and response.status == 200 and level < depth:
            queue += [(link, level + 1) for link in page.evaluate(LINKS_JS)]
    return visited
