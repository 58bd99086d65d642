// A tiny element builder: every text goes in as a text node (never as HTML), so nothing an alert or a
// wallet id carries can become markup.
type Child = Node | string | number | null | undefined | false;
type Listener = (event: Event) => void;

export interface ElementProps {
  [attribute: string]: string | number | boolean | null | undefined | Listener | Record<string, Listener>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'on' && typeof value === 'object') {
      for (const [type, listener] of Object.entries(value)) node.addEventListener(type, listener);
    } else if (typeof value === 'function') {
      throw new Error(`pass listeners as on: { ${name} } rather than as an attribute`);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `parent`. */
export function replaceChildren(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let idSequence = 0;

/** A document-unique id, to tie a label or description to its control. */
export function uniqueId(prefix: string): string {
  idSequence += 1;
  return `${prefix}-${idSequence}`;
}
