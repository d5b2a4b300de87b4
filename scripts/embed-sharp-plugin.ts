// Bun.build plugin that makes sharp work inside a single compiled executable.
//
// sharp finds its addon at run time with a `createRequire` lookup in node_modules, which a
// copied binary does not have. This plugin swaps sharp's platform probe (dist/sharp.mjs and
// dist/sharp.cjs) for a generated module that embeds the addon and libvips as files and loads
// them through src/native/embedded-sharp.ts. Everything else in sharp is bundled unchanged.
import type { BunPlugin } from 'bun'
import { existsSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'

const MANIFEST_SPECIFIER = 'pds-embedded-sharp-manifest'
const NAMESPACE = 'pds-embedded-sharp'

export interface SharpNativeFiles {
  platform: string
  /** libvips' versions.json: sharp reads it at run time to report versions and enable AVIF aliases. */
  versionsJson: string
  addon: { source: string; relativePath: string }
  libraries: { source: string; relativePath: string }[]
}

/** Locates the prebuilt sharp files for the machine running the build. */
export function findSharpNativeFiles(projectRoot: string): SharpNativeFiles {
  const platform = `${process.platform}-${process.arch}`
  const require = createRequire(join(projectRoot, 'package.json'))
  const addonPackage = `@img/sharp-${platform}`
  const libvipsPackage = `@img/sharp-libvips-${platform}`
  const addonDir = packageLibDir(require, addonPackage, platform)
  const libvipsDir = packageLibDir(require, libvipsPackage, platform)
  const addonName = readdirSync(addonDir).find((name) => name.endsWith('.node'))
  if (!addonName) throw new Error(`no .node file in ${addonDir}`)
  const libraryNames = readdirSync(libvipsDir).filter((name) => /\.so(\.\d+)*$|\.dylib$/.test(name))
  if (libraryNames.length === 0) throw new Error(`no shared library in ${libvipsDir}`)
  const versionsJson = join(dirname(libvipsDir), 'versions.json')
  if (!existsSync(versionsJson)) throw new Error(`${versionsJson} does not exist`)
  // Same two-level layout as node_modules/@img, which the addon's RPATH expects.
  return {
    platform,
    versionsJson,
    addon: { source: join(addonDir, addonName), relativePath: `sharp-${platform}/lib/${addonName}` },
    libraries: libraryNames.map((name) => ({
      source: join(libvipsDir, name),
      relativePath: `sharp-libvips-${platform}/lib/${name}`,
    })),
  }
}

function packageLibDir(require: NodeJS.Require, name: string, platform: string): string {
  let manifestPath: string
  try {
    manifestPath = require.resolve(`${name}/package`)
  } catch {
    throw new Error(
      `${name} is not installed, so sharp cannot be embedded for ${platform}. ` +
        `Only linux-x64 is tested; on other platforms run \`bun install\` on that platform ` +
        `so the matching @img/sharp-* packages are present.`,
    )
  }
  const lib = join(dirname(manifestPath), 'lib')
  if (!existsSync(lib)) throw new Error(`${lib} does not exist`)
  return lib
}

/** Generated ES module: embeds the files and exports the loaded addon (loaded once). */
export function manifestModuleSource(files: SharpNativeFiles, loaderPath: string): string {
  const all = [files.addon, ...files.libraries]
  const imports = all.map((f, i) => `import file${i} from ${JSON.stringify(f.source)} with { type: "file" };`)
  const entry = (i: number) => `{ relativePath: ${JSON.stringify(all[i]!.relativePath)}, embeddedPath: file${i} }`
  const libraries = files.libraries.map((_, i) => entry(i + 1)).join(', ')
  return [
    `import { loadEmbeddedSharpAddon } from ${JSON.stringify(loaderPath)};`,
    ...imports,
    `const addon = loadEmbeddedSharpAddon({ platform: ${JSON.stringify(files.platform)}, addon: ${entry(0)}, libraries: [${libraries}] });`,
    `export default addon;`,
  ].join('\n')
}

/**
 * `onMissingNative` is told when this platform has no prebuilt sharp: the binary is still built
 * (everything but image processing works) and loadSharp() reports the reason at run time.
 */
export function embedSharpPlugin(projectRoot: string, onMissingNative?: (reason: string) => void): BunPlugin {
  const loaderPath = resolve(projectRoot, 'src/native/embedded-sharp.ts')
  let manifestSource: string
  let utilityRewrite: ((source: string) => string) | undefined
  try {
    const files = findSharpNativeFiles(projectRoot)
    manifestSource = manifestModuleSource(files, loaderPath)
    utilityRewrite = (source) => inlineVersionsLookup(source, files.versionsJson)
  } catch (err) {
    const reason = (err as Error).message
    onMissingNative?.(reason)
    const message = JSON.stringify(`this pds binary was built without sharp: ${reason}`)
    manifestSource = `export default (() => { throw new Error(${message}) })();`
  }
  return {
    name: 'pds-embed-sharp',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${MANIFEST_SPECIFIER}$`) }, () => ({
        path: MANIFEST_SPECIFIER,
        namespace: NAMESPACE,
      }))
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, () => ({ contents: manifestSource, loader: 'js' }))
      // sharp's probe exists as ESM and CJS; both now hand back the embedded addon.
      build.onLoad({ filter: /[\\/]node_modules[\\/]sharp[\\/]dist[\\/]sharp\.mjs$/ }, () => ({
        contents: `export { default } from "${MANIFEST_SPECIFIER}";`,
        loader: 'js',
      }))
      build.onLoad({ filter: /[\\/]node_modules[\\/]sharp[\\/]dist[\\/]sharp\.cjs$/ }, () => ({
        contents: `module.exports = require("${MANIFEST_SPECIFIER}").default;`,
        loader: 'js',
      }))
      if (utilityRewrite) {
        const rewrite = utilityRewrite
        build.onLoad({ filter: /[\\/]node_modules[\\/]sharp[\\/]dist[\\/]utility\.mjs$/ }, async (args) => ({
          contents: rewrite(await Bun.file(args.path).text()),
          loader: 'js',
        }))
      }
    },
  }
}

// sharp looks up versions.json with a run-time require of a node_modules package; point it at
// an embedded copy instead. Fails the build if sharp changes shape, rather than silently
// shipping a binary that reports no codec versions and loses the .avif alias.
export function inlineVersionsLookup(source: string, versionsJson: string): string {
  const lookup = /require\(`@img\/sharp-(?:libvips-)?\$\{runtimePlatform\}\/versions`\)/g
  if (!lookup.test(source)) throw new Error('sharp/dist/utility.mjs no longer requires its versions.json as expected')
  const header = `import pdsEmbeddedSharpVersions from ${JSON.stringify(versionsJson)} with { type: "json" };\n`
  return header + source.replace(lookup, '({ ...pdsEmbeddedSharpVersions })')
}
