/** An element with optional text and class, for the pages' scripts (no framework in the webviews). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** The page's element with this id (the page's skeleton has it). */
export function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`no #${id}`);
  return node;
}

/** A table with a header row (none when empty) and a row per entry; a cell is text or a node. */
export function table(header: string[], rows: (string | Node)[][], className?: string): HTMLTableElement {
  const t = el('table', undefined, className);
  if (header.length > 0) {
    const tr = el('tr');
    for (const h of header) tr.append(el('th', h));
    t.append(tr);
  }
  for (const row of rows) {
    const tr = el('tr');
    for (const c of row) {
      const td = el('td');
      td.append(c);
      tr.append(td);
    }
    t.append(tr);
  }
  return t;
}

export function button(text: string, onClick: () => void, id?: string): HTMLButtonElement {
  const b = el('button', text);
  if (id) b.id = id;
  b.addEventListener('click', onClick);
  return b;
}

export function labelled(label: string, control: HTMLElement): HTMLElement {
  const l = el('label', `${label} `);
  l.append(control);
  return l;
}

/** Shows a message in the page's `#error` line (empty: clears it). */
export function showError(message: string): void {
  const box = document.getElementById('error');
  if (box) box.textContent = message;
}
