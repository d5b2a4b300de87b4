// Reads the PDS_* environment: the process environment wins over the pds.env file.
import { existsSync, readFileSync } from 'node:fs'
import { closestKnownName, KNOWN_PDS_NAMES } from './known-env.ts'

export type RawEnv = Record<string, string | undefined>

const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/

/** Parses the dotenv format the reference installer writes (KEY=value, # comments, optional quotes). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (!line || line.startsWith('#')) continue
    const match = ASSIGNMENT.exec(line)
    if (!match) continue
    let value = match[2]!
    const quote = value[0]
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1)
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"')
    } else {
      value = value.replace(/\s+#.*$/, '')
    }
    out[match[1]!] = value
  }
  return out
}

export type EnvFileProblem = { line: number; message: string }

/**
 * Lines parseEnvFile ignores (not NAME=value) and PDS_* names no version of the PDS reads: both are
 * usually typos that would silently leave a setting at its default.
 */
export function lintEnvFile(text: string): EnvFileProblem[] {
  const problems: EnvFileProblem[] = []
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.trim()
    if (!line || line.startsWith('#')) return
    const match = ASSIGNMENT.exec(line)
    const shown = line.length > 60 ? `${line.slice(0, 57)}...` : line
    if (!match) {
      problems.push({ line: i + 1, message: `"${shown}" is not NAME=value; ignored` })
      return
    }
    const name = match[1]!
    if (name.startsWith('PDS_') && !KNOWN_PDS_NAMES.has(name)) {
      const guess = closestKnownName(name)
      problems.push({ line: i + 1, message: `unknown setting ${name}${guess ? ` (did you mean ${guess}?)` : ''}; ignored` })
    }
  })
  return problems
}

export function readEnvFile(path: string): Record<string, string> | undefined {
  if (!existsSync(path)) return undefined
  return parseEnvFile(readFileSync(path, 'utf8'))
}

/** Merges a pds.env file under the process environment; empty strings count as unset. */
export function mergeEnv(fileEnv: Record<string, string> | undefined, processEnv: RawEnv): RawEnv {
  const merged: RawEnv = { ...(fileEnv ?? {}) }
  for (const [key, value] of Object.entries(processEnv)) {
    if (value !== undefined && value !== '') merged[key] = value
  }
  for (const key of Object.keys(merged)) if (merged[key] === '') delete merged[key]
  return merged
}

/** Formats a pds.env file with keys in a stable order. */
export function formatEnvFile(values: Record<string, string | undefined>, header?: string): string {
  const lines = header ? header.split('\n').map((l) => `# ${l}`) : []
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue
    lines.push(/[\s#"']/.test(value) ? `${key}=${JSON.stringify(value)}` : `${key}=${value}`)
  }
  return lines.join('\n') + '\n'
}
