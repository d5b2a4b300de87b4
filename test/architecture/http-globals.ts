// Finds uses of the Fetch API's `Request` and `Response` (types or constructors) in a source tree: the
// services must know nothing of HTTP, so only the edge (and outbound fetch clients) may name them.
import { Glob } from 'bun'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

// Not a property name (`x.Response`, `{ Response: … }`, `Response?: …`), not part of a longer name.
const HTTP_GLOBAL = /(?<![\w$.])(Request|Response)(?![\w$])(?!\s*\??:)/g

/** The code of a TypeScript file with comments and string contents blanked (template `${…}` kept), lines preserved. */
export function codeOnly(text: string): string {
  let out = ''
  const templateDepths: number[] = [] // brace depth at which each open template's `${` began
  let depth = 0
  let i = 0
  const blank = (s: string) => s.replace(/[^\n]/g, ' ')
  const skipTemplateText = () => {
    // Inside a template: copy nothing but newlines until `${` (back to code) or the closing backtick.
    while (i < text.length) {
      const c = text[i]!
      if (c === '\\') {
        out += blank(text.slice(i, i + 2))
        i += 2
      } else if (c === '`') {
        out += '`'
        i++
        return
      } else if (c === '$' && text[i + 1] === '{') {
        out += '${'
        i += 2
        templateDepths.push(depth)
        depth++
        return
      } else {
        out += blank(c)
        i++
      }
    }
  }
  while (i < text.length) {
    const c = text[i]!
    const next = text[i + 1]
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i)
      const stop = end === -1 ? text.length : end
      out += blank(text.slice(i, stop))
      i = stop
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2)
      const stop = end === -1 ? text.length : end + 2
      out += blank(text.slice(i, stop))
      i = stop
    } else if (c === "'" || c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1
      out += c + blank(text.slice(i + 1, j)) + (text[j] ?? '')
      i = j + 1
    } else if (c === '`') {
      out += '`'
      i++
      skipTemplateText()
    } else if (c === '{') {
      depth++
      out += c
      i++
    } else if (c === '}') {
      depth--
      out += c
      i++
      if (templateDepths.length && templateDepths[templateDepths.length - 1] === depth) {
        templateDepths.pop()
        skipTemplateText()
      }
    } else {
      out += c
      i++
    }
  }
  return out
}

/** `file:line uses Request|Response` for every .ts file under `dir` of `root` not in `allowed`. */
export function httpGlobalUses(root: string, dir: string, allowed: ReadonlySet<string> = new Set()): string[] {
  const found: string[] = []
  for (const file of [...new Glob('**/*.ts').scanSync({ cwd: join(root, dir) })].sort()) {
    const path = join(dir, file)
    if (allowed.has(path)) continue
    const lines = codeOnly(readFileSync(join(root, path), 'utf8')).split('\n')
    lines.forEach((line, index) => {
      for (const match of line.matchAll(HTTP_GLOBAL)) found.push(`${path}:${index + 1} uses ${match[1]}`)
    })
  }
  return found
}
