// Reads the real import graph of a source tree (static imports, export-from, side-effect and dynamic
// imports with relative paths) and checks it against the layer rules of docs/ARCHITECTURE.md.
import { Glob } from 'bun'
import { readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'

export type Edge = { from: string; to: string; line: number }

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g

/** Every relative import of every .ts file under `dirs` of `root`, as root-relative paths. */
export function importGraph(root: string, dirs: string[]): Edge[] {
  const edges: Edge[] = []
  for (const dir of dirs) {
    for (const file of new Glob('**/*.ts').scanSync({ cwd: join(root, dir) })) {
      const from = join(dir, file)
      const text = readFileSync(join(root, from), 'utf8')
      for (const match of text.matchAll(IMPORT)) {
        const spec = match[1] ?? match[2]!
        const to = normalize(join(dirname(from), spec))
        // The match may start with the whitespace before the keyword: count lines up to the keyword.
        const at = match.index + match[0].search(/\S/)
        edges.push({ from, to, line: text.slice(0, at).split('\n').length })
      }
    }
  }
  return edges
}

/** The layer a file belongs to; src/main.ts is the composition root and may import anything. */
export function layerOf(path: string): string {
  if (!path.endsWith('.ts')) return 'data' // package.json and the like
  if (path.startsWith('cli/')) return 'cli'
  if (path === 'src/main.ts') return 'root'
  // The handler index: generated, but it imports every handler, so it sits with the edge.
  if (path === 'src/generated/registry.gen.ts') return 'registry'
  const top = path.split('/')[1] ?? ''
  if (['xrpc', 'api', 'web'].includes(top)) return 'edge'
  if (['logger.ts', 'version.ts'].includes(top)) return 'shared'
  return top // core, storage, services, config, generated (embedded data), native
}

/** Which layers each layer may import (its own included). Anything else is a wrong-way import. */
export const ALLOWED: Record<string, string[]> = {
  core: ['core'],
  generated: ['generated'],
  shared: ['shared'],
  config: ['config', 'core', 'shared'],
  storage: ['storage', 'core', 'generated'],
  native: ['native', 'shared'],
  services: ['services', 'storage', 'core', 'config', 'generated', 'shared', 'native'],
  // The edge reaches storage only through services.
  edge: ['edge', 'services', 'core', 'config', 'generated', 'shared', 'native'],
  registry: ['registry', 'edge'],
  root: ['root', 'registry', 'edge', 'services', 'storage', 'core', 'config', 'generated', 'shared', 'native'],
  // The CLI talks to services (offline work) or over XRPC, never to storage.
  cli: ['cli', 'root', 'edge', 'services', 'core', 'config', 'generated', 'shared', 'native'],
}

/** One line per wrong-way import, naming the file, its line and what it imports. */
export function layerViolations(edges: Edge[]): string[] {
  const out: string[] = []
  for (const e of edges) {
    const from = layerOf(e.from)
    const to = layerOf(e.to)
    if (to !== 'data' && !(ALLOWED[from] ?? []).includes(to)) out.push(`${e.from}:${e.line} (${from}) imports ${e.to} (${to})`)
  }
  return out
}

/**
 * The folder a file counts in, `depth` levels below src/ or cli/: src/services at depth 1,
 * src/services/repo at depth 2. Files directly in src/ and each generated file stand alone (the
 * generated files are unrelated: embedded data, and the handler index).
 */
export function folderOf(path: string, depth: number): string {
  const parts = path.split('/')
  if (path.startsWith('src/generated/') || parts.length <= 2) return path
  return parts.slice(0, Math.min(depth + 1, parts.length - 1)).join('/')
}

/** Cycles between folders, each as the folders that import each other around a loop. */
export function folderCycles(edges: Edge[], depth: number): string[][] {
  return cycles(edges, (path) => folderOf(path, depth))
}

/** Cycles in the graph of `nodeOf` (a file's folder, or the file itself). */
export function cycles(edges: Edge[], nodeOf: (path: string) => string): string[][] {
  const graph = new Map<string, Set<string>>()
  for (const e of edges) {
    const a = nodeOf(e.from)
    const b = nodeOf(e.to)
    if (a === b) continue
    if (!graph.has(a)) graph.set(a, new Set())
    graph.get(a)!.add(b)
  }
  // Tarjan's strongly connected components: any component with more than one folder is a cycle.
  let index = 0
  const indices = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (v: string) => {
    indices.set(v, index)
    low.set(v, index++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!))
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1) cycles.push(component.sort())
    }
  }
  for (const v of graph.keys()) if (!indices.has(v)) visit(v)
  return cycles
}
