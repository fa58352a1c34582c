/** Tiny DOM builder: text goes in as text nodes (never HTML), so API data cannot inject markup. */
type Child = Node | string | number | null | undefined | false;
type Attr = string | number | boolean | undefined | null | EventListener;
export type Attrs = Record<string, Attr>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** Replace an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A table in a scrollable, focusable region: wide tables stay usable on a narrow screen. */
export function table(label: string, head: string[], rows: Child[][], attrs: Attrs = {}): HTMLElement {
  return h(
    'div',
    { class: 'scroll', role: 'region', 'aria-label': label, tabindex: 0 },
    h(
      'table',
      attrs,
      h('caption', { class: 'sr-only' }, label),
      h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
    ),
  );
}

export const fmt = (n: number | null | undefined, digits = 2): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);

const nameOf = (el: Element): string | null => el.getAttribute('aria-label') ?? el.textContent;

/**
 * Replace a live view's content without losing the keyboard: focus moves to the control of the
 * same name in the new content, else to `fallback`.
 */
export function refill(container: Element, nodes: Node[], fallback: HTMLElement): void {
  const active = document.activeElement;
  const key = active && container.contains(active) ? nameOf(active) : undefined;
  container.replaceChildren(...nodes);
  if (key === undefined) return;
  const same = [...container.querySelectorAll<HTMLElement>('button, a, input, textarea, [tabindex]')].find((e) => nameOf(e) === key);
  (same ?? fallback).focus();
}
