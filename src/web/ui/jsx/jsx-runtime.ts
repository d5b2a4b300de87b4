// A JSX runtime that renders straight to an HTML string and escapes every interpolated value (text
// and attribute values). Only `raw()` skips escaping, for the pages' own constant stylesheet and script.
// Why not preact + preact-render-to-string: preact's JSX types pull the DOM lib into the whole
// project's type-check (changing fetch and Worker types of server code), and the server only ever
// renders to a string; this file is that renderer, with nothing to embed in the binary.
// Each .tsx file names it with a `/** @jsxImportSource <relative path to this folder> */` pragma: Bun
// reads tsconfig.json only from the working directory, so `bun cli/main.ts` run elsewhere (and the
// type-check, which has no jsxImportSource configured) would otherwise look for React.

/** Markup already rendered (or trusted constant text); everything else is escaped. */
export class Html {
  constructor(readonly value: string) {}
  toString() {
    return this.value
  }
}

export type Child = Html | string | number | boolean | null | undefined | Child[]
export type Props = Record<string, unknown> & { children?: Child }
export type Component<P = Props> = (props: P) => Html

/** Trusted constant markup (the stylesheet, the client script). Never pass user input. */
export const raw = (text: string) => new Html(text)

/** As the OAuth pages always escaped: numeric references, also for ` and = (safe even in unquoted contexts). */
export const escapeHtml = (s: string) => s.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`)

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'])
const NAME = /^[a-zA-Z][a-zA-Z0-9-]*$/
const ATTR = /^[a-zA-Z_:][-a-zA-Z0-9_:.]*$/

function renderChild(child: Child): string {
  if (child === null || child === undefined || child === false || child === true) return ''
  if (child instanceof Html) return child.value
  if (Array.isArray(child)) return child.map(renderChild).join('')
  return escapeHtml(String(child))
}

function renderAttrs(props: Props): string {
  let out = ''
  for (const [key, value] of Object.entries(props)) {
    if (key === 'children' || value === undefined || value === null || value === false) continue
    const name = key === 'className' ? 'class' : key === 'htmlFor' ? 'for' : key
    if (!ATTR.test(name)) throw new Error(`invalid attribute name: ${name}`)
    // Event handler attributes would be inline script: the CSP refuses them, and so does the renderer.
    if (/^on/i.test(name)) throw new Error(`inline event handlers are not allowed: ${name}`)
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`
  }
  return out
}

export function jsx(type: string | Component<any>, props: Props): Html {
  if (typeof type === 'function') return type(props)
  if (!NAME.test(type)) throw new Error(`invalid element name: ${type}`)
  const open = `<${type}${renderAttrs(props)}>`
  if (VOID.has(type)) return new Html(open)
  return new Html(`${open}${renderChild(props.children)}</${type}>`)
}

export const jsxs = jsx
export const jsxDEV = jsx

export function Fragment(props: { children?: Child }): Html {
  return new Html(renderChild(props.children))
}

export namespace JSX {
  export type Element = Html
  export interface IntrinsicElements {
    [tag: string]: Props
  }
  export interface ElementChildrenAttribute {
    children: {}
  }
}
