// The command tree agrees with the README: every operator command takes --json, and the shared
// options (--data-dir, --env-file, --url) are declared once (cli/lib/options.ts), so they read the same.
import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Command } from 'commander'
import { registerOperatorCommands } from '../../cli/commands/operator.ts'
import { registerServe } from '../../cli/commands/serve.ts'
import { EXIT } from '../../cli/lib/errors.ts'
import { BLOB_FOLDER } from '../../cli/commands/init.ts'

function leaves(cmd: Command, path: string[] = []): Array<{ name: string; cmd: Command }> {
  if (cmd.commands.length === 0) return [{ name: path.join(' '), cmd }]
  return cmd.commands.flatMap((c) => leaves(c, [...path, c.name()]))
}

const program = new Command()
registerServe(program)
registerOperatorCommands(program)
const commands = leaves(program)
const option = (cmd: Command, flag: string) => cmd.options.find((o) => o.long === flag)

test('every operator command takes --json', () => {
  const without = commands.filter((c) => c.name !== 'serve' && !option(c.cmd, '--json')).map((c) => c.name)
  expect(without).toEqual([])
  expect(commands.map((c) => c.name)).toContain('init')
  expect(commands.map((c) => c.name)).toContain('request-crawl')
})

test('--data-dir, --env-file and --url read the same wherever they appear', () => {
  for (const flag of ['--data-dir', '--env-file', '--url']) {
    // init's --data-dir is where to create the setup, not where to find one.
    const descriptions = new Set(commands.filter((c) => c.name !== 'init').flatMap((c) => option(c.cmd, flag)?.flags ?? []))
    expect({ flag, forms: [...descriptions] }).toEqual({ flag, forms: [descriptions.values().next().value!] })
  }
  const dataDirHelp = new Set(commands.filter((c) => c.name !== 'init').flatMap((c) => option(c.cmd, '--data-dir')?.description ?? []))
  expect(dataDirHelp.size).toBe(1)
})

test('the README states the exit codes, the blob folder and the configuration search the CLI uses', () => {
  const readme = readFileSync(join(import.meta.dir, '../../README.md'), 'utf8')
  expect(readme).toContain(
    `${EXIT.ok} ok, ${EXIT.failed} failed, ${EXIT.usage} usage, ${EXIT.refused} refused, ${EXIT.unavailable} server down, ${EXIT.config} configuration`,
  )
  expect(readme).toContain(`<data-dir>/${BLOB_FOLDER}`)
  expect(readme).not.toMatch(/not implemented yet/i)
  expect(readme).toContain('`--data-dir`, `$PDS_DATA_DIRECTORY`, `./pds.env`, `./pds-data/pds.env`, `/pds/pds.env`')
  expect(readme).toContain('pds install-service')
})
