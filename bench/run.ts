// `bun run bench`: prints one table of speed and memory figures. The format is stable: keep it so.
// Each area module exports a function returning rows; areas not built yet are listed as skipped.
import { formatTarget, type BenchRow } from './lib.ts'

const AREAS: Array<[file: string, fn: string]> = [
  ['./server.ts', 'serverRows'],
  ['./core.ts', 'coreRows'],
  ['./repo.ts', 'repoRows'],
  ['./sync.ts', 'syncRows'],
  ['./memory.ts', 'memoryRows'],
]

const rows: BenchRow[] = []
const only = process.argv.slice(2)
for (const [file, fn] of AREAS) {
  if (only.length && !only.some((o) => file.includes(o))) continue
  if (!(await Bun.file(new URL(file, import.meta.url)).exists())) {
    console.error(`bench: ${file} not present, skipped`)
    continue
  }
  const mod = await import(file)
  rows.push(...(await mod[fn]()))
}

const fmt = (v: number) => (Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)) : 'n/a')
const table = rows.map((r) => [r.area, r.metric, fmt(r.value), r.unit, r.reference ?? '', formatTarget(r.value, r.target)])
const header = ['area', 'metric', 'value', 'unit', 'reference', 'target']
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)))
const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')
console.log(line(header))
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'))
for (const row of table) console.log(line(row))
