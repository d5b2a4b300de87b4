// Builds the single `dist/pds` executable.
//
//   bun scripts/build.ts [--outfile dist/pds] [--skip-generators]
//
// 1. runs every scripts/gen-*.ts (registry, migrations, ...) so generated modules are fresh;
// 2. compiles cli/main.ts the way `bun build --compile --minify --sourcemap` would, plus the
//    plugin that embeds sharp's native addon and libvips (see scripts/embed-sharp-plugin.ts).
// The JS API is used instead of the CLI because the CLI cannot take bundler plugins.
import { readdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { embedSharpPlugin } from './embed-sharp-plugin.ts'

const projectRoot = resolve(import.meta.dir, '..')

export async function runGenerators(root: string = projectRoot): Promise<string[]> {
  const scriptsDir = join(root, 'scripts')
  const generators = readdirSync(scriptsDir)
    .filter((name) => /^gen-.*\.ts$/.test(name))
    .sort()
  for (const name of generators) {
    const child = Bun.spawn([process.execPath, join(scriptsDir, name)], {
      cwd: root,
      stdout: 'inherit',
      stderr: 'inherit',
    })
    if ((await child.exited) !== 0) throw new Error(`generator scripts/${name} failed`)
  }
  return generators
}

export async function compileExecutable(outfile: string, root: string = projectRoot): Promise<void> {
  const result = await Bun.build({
    entrypoints: [join(root, 'cli/main.ts')],
    target: 'bun',
    minify: true,
    // Dynamically imported modules (mail, sharp, passkeys, the operator commands) become chunks of
    // their own, loaded at first use. Without it one bundle hoists their node: imports (http, net,
    // tls, stream...) to the top, and `pds serve` pays ~6 MB RSS for mail code it may never run.
    splitting: true,
    // Precompiled JSC bytecode: startup skips parsing (CPU spawn-to-healthy about halved).
    bytecode: true,
    format: 'esm',
    // Embedded (zstd) in the binary so stack traces point at the TS sources. The .map files Bun also
    // writes beside it (one per chunk) are by-products, removed below: every build names its chunks
    // anew, and they piled up in dist/ (~280 MB after a day of builds).
    sourcemap: 'linked',
    plugins: [embedSharpPlugin(root, (reason) => console.warn(`warning: image processing disabled: ${reason}`))],
    compile: {
      outfile,
      // Configuration comes from pds.env / PDS_* variables only: a stray .env or bunfig.toml in
      // the service's working directory must not change how the server behaves.
      autoloadDotenv: false,
      autoloadBunfig: false,
    },
  })
  if (!result.success) {
    for (const log of result.logs) console.error(log)
    throw new Error('bun build --compile failed')
  }
  for (const output of result.outputs) if (output.kind === 'sourcemap') rmSync(output.path, { force: true })
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      outfile: { type: 'string', default: 'dist/pds' },
      'skip-generators': { type: 'boolean', default: false },
    },
  })
  const outfile = resolve(projectRoot, values.outfile!)
  const started = performance.now()
  if (!values['skip-generators']) {
    const ran = await runGenerators()
    if (ran.length > 0) console.log(`generators: ${ran.join(', ')}`)
  }
  await compileExecutable(outfile)
  console.log(`built ${outfile} in ${((performance.now() - started) / 1000).toFixed(1)}s`)
}
