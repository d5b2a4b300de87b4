// Output for operator commands: human text on a terminal, one JSON document with --json,
// progress on stderr (redrawn in place on a TTY, silent otherwise), errors as `pds: ...`.
import { CliError, EXIT, explainSystemError } from './errors.ts'

export type OutputOptions = { json?: boolean; quiet?: boolean }

export class Output {
  readonly json: boolean
  private readonly quiet: boolean
  private readonly tty: boolean
  private progressShown = false

  constructor(opts: OutputOptions = {}, stderrIsTty = Boolean(process.stderr.isTTY)) {
    this.json = Boolean(opts.json)
    this.quiet = Boolean(opts.quiet)
    this.tty = stderrIsTty
  }

  /** "Copying blobs  120/450"; only drawn on an interactive terminal. */
  progress(label: string, done: number, total: number): void {
    if (this.quiet || !this.tty) return
    const width = 24
    const filled = total > 0 ? Math.round((done / total) * width) : width
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled)
    process.stderr.write(`\r\x1b[2K${label.padEnd(20)} ${bar} ${done}/${total}`)
    this.progressShown = true
  }

  /** A step that finished, on stderr so stdout stays the result. */
  step(message: string): void {
    this.clearProgress()
    if (!this.quiet && !this.json) process.stderr.write(`${message}\n`)
  }

  /** The command's result: `data` as JSON with --json, else the human text. */
  result(data: unknown, human: () => string): void {
    this.clearProgress()
    if (this.json) process.stdout.write(JSON.stringify(data, null, 2) + '\n')
    else {
      const text = human()
      if (text) process.stdout.write(text.endsWith('\n') ? text : text + '\n')
    }
  }

  private clearProgress(): void {
    if (this.progressShown) process.stderr.write('\r\x1b[2K')
    this.progressShown = false
  }
}

/** Runs a command body: CliError → message + its exit code; anything else → message + 1. */
export async function runCommand(out: Output, body: () => Promise<number | void> | number | void): Promise<void> {
  try {
    const code = await body()
    process.exitCode = code ?? EXIT.ok
  } catch (err) {
    const exitCode = err instanceof CliError ? err.exitCode : EXIT.failed
    const message = explainSystemError(err) ?? (err instanceof Error ? err.message : String(err))
    if (out.json) process.stdout.write(JSON.stringify({ ok: false, error: message, exitCode }, null, 2) + '\n')
    process.stderr.write(`pds: ${message}\n`)
    process.exitCode = exitCode
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

/** Aligned columns for list output. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')
  return [line(header), ...rows.map(line)].join('\n')
}
