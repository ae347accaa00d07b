/** What a page's layout gets wrong, as a person would see it. */
export interface LayoutProblem {
  kind: 'overlap' | 'tall row' | 'sideways scroll';
  detail: string;
}

/**
 * Runs in the page (`page.evaluate(findLayoutProblems)`), so it is self-contained: no imports, no
 * helpers outside its body.
 * - overlap: two visible headings, buttons, links or form controls, neither inside the other, whose
 *   boxes cross (a title drawn over an action button, a label over its input);
 * - tall row: a table row taller than about five lines of text (whole emails in a cell);
 * - sideways scroll: the document or any scrolling box wider than its frame.
 */
export function findLayoutProblems(): LayoutProblem[] {
  const MAX_ROW_PX = 140;
  const problems: LayoutProblem[] = [];
  const name = (e: Element): string => {
    const text = (e.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
    const id = e.getAttribute('data-testid') ?? e.getAttribute('name') ?? e.getAttribute('data-css') ?? '';
    return `<${e.tagName.toLowerCase()}${id ? ` ${id}` : ''}> "${text}"`;
  };
  const visible = (e: Element): boolean => {
    const style = getComputedStyle(e);
    if (style.visibility === 'hidden' || style.display === 'none' || Number(style.opacity) === 0) return false;
    const box = e.getBoundingClientRect();
    return box.width > 2 && box.height > 2;
  };

  /** The part of an element a person can see: its box cut by every clipping ancestor and the window's width. */
  const seen = (e: Element): DOMRect | null => {
    const box = e.getBoundingClientRect();
    let left = Math.max(box.left, 0);
    let right = Math.min(box.right, window.innerWidth);
    let top = box.top;
    let bottom = box.bottom;
    for (let a = e.parentElement; a; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
        const clip = a.getBoundingClientRect();
        left = Math.max(left, clip.left);
        right = Math.min(right, clip.right);
        top = Math.max(top, clip.top);
        bottom = Math.min(bottom, clip.bottom);
      }
    }
    return right - left > 2 && bottom - top > 2 ? new DOMRect(left, top, right - left, bottom - top) : null;
  };
  /** A drawer or a dialog is drawn over the page on purpose: only controls of the same layer can collide. */
  const layer = (e: Element): Element | null => {
    for (let a: Element | null = e; a; a = a.parentElement)
      if (['fixed', 'sticky'].includes(getComputedStyle(a).position)) return a;
    return null;
  };

  const controls = Array.from(
    document.querySelectorAll('h1, h2, h3, h4, h5, button, a, input, select, textarea, [role="button"]'),
  )
    .filter(
      (e) =>
        visible(e) &&
        // a control laid over another on purpose: the drop-down menus and the overlays of a select
        !e.closest('[role="menu"], [role="listbox"], [class*="menu"], [data-css*="dropdown"]') &&
        (e as HTMLInputElement).type !== 'hidden',
    )
    .map((e) => ({ e, box: seen(e), layer: layer(e) }))
    .filter((c): c is { e: Element; box: DOMRect; layer: Element | null } => c.box !== null);
  for (let i = 0; i < controls.length; i += 1) {
    for (let j = i + 1; j < controls.length; j += 1) {
      const { e: a, box: p, layer: la } = controls[i]!;
      const { e: b, box: q, layer: lb } = controls[j]!;
      if (a.contains(b) || b.contains(a) || la !== lb) continue;
      const width = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const height = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (width > 2 && height > 2)
        problems.push({
          kind: 'overlap',
          detail: `${name(a)} and ${name(b)} cross by ${Math.round(width)}×${Math.round(height)} px`,
        });
    }
  }

  for (const row of Array.from(document.querySelectorAll('tbody tr'))) {
    const height = row.getBoundingClientRect().height;
    if (visible(row) && height > MAX_ROW_PX)
      problems.push({ kind: 'tall row', detail: `${Math.round(height)} px: ${name(row)}` });
  }

  const scrolling = [
    document.scrollingElement ?? document.documentElement,
    ...Array.from(document.querySelectorAll('*')),
  ];
  for (const e of scrolling) {
    const overflow = getComputedStyle(e).overflowX;
    const scrolls = e === document.scrollingElement || overflow === 'auto' || overflow === 'scroll';
    if (scrolls && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 2) {
      // the innermost element reaching furthest right: what to make narrower
      const frame = e.getBoundingClientRect().right;
      let widest: Element | null = null;
      for (const d of Array.from(e.querySelectorAll('*'))) if (d.getBoundingClientRect().right > frame + 2) widest = d;
      problems.push({
        kind: 'sideways scroll',
        detail: `${name(e).slice(0, 40)} is ${e.scrollWidth} px wide in ${e.clientWidth} px${widest ? `, past it: ${name(widest)}` : ''}`,
      });
    }
  }
  return problems;
}
