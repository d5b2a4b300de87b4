// Loads sharp's native addon from inside a compiled `pds` binary.
//
// `bun build --compile` cannot dlopen a library straight out of the executable, and sharp's
// addon needs libvips next to it. scripts/embed-sharp-plugin.ts embeds both files and replaces
// sharp's own platform probe (sharp/dist/sharp.mjs) with a call to loadEmbeddedSharpAddon.
// We unpack the files into a cache dir using the same relative layout as node_modules/@img,
// so the addon's RPATH ($ORIGIN/../../sharp-libvips-<platform>/lib) finds libvips unchanged.
import { chmodSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ensurePrivateDir, nativeCacheRoots } from './native-cache.ts'

export interface EmbeddedNativeFile {
  /** Path inside the cache dir, e.g. "sharp-libvips-linux-x64/lib/libvips-cpp.so.8.18.7". */
  relativePath: string
  /** Path Bun gave the embedded copy (`import p from "..." with { type: "file" }`). */
  embeddedPath: string
}

export interface EmbeddedSharpManifest {
  /** `${process.platform}-${process.arch}` the files were built for. */
  platform: string
  addon: EmbeddedNativeFile
  libraries: EmbeddedNativeFile[]
}

export function loadEmbeddedSharpAddon(manifest: EmbeddedSharpManifest, cacheRoots = nativeCacheRoots()): unknown {
  const runtimePlatform = `${process.platform}-${process.arch}`
  if (runtimePlatform !== manifest.platform) {
    throw new Error(
      `this pds binary embeds sharp for ${manifest.platform} but runs on ${runtimePlatform}; ` +
        `build pds on a ${runtimePlatform} machine`,
    )
  }
  const failures: string[] = []
  for (const root of cacheRoots) {
    const dir = join(root, `sharp-${manifest.platform}-${fingerprint(manifest)}`)
    try {
      ensurePrivateDir(root)
      for (const file of [...manifest.libraries, manifest.addon]) unpack(file, dir)
      return openAddon(join(dir, manifest.addon.relativePath))
    } catch (err) {
      failures.push(`${dir}: ${(err as Error).message}`)
    }
  }
  throw new Error(`could not load the embedded sharp addon:\n  ${failures.join('\n  ')}`)
}

/** Bun names embedded assets after their content hash, so the names identify the contents. */
function fingerprint(manifest: EmbeddedSharpManifest): string {
  const files = [manifest.addon, ...manifest.libraries]
  const key = files.map((f) => `${f.relativePath}=${f.embeddedPath}`).join('\n')
  return new Bun.CryptoHasher('sha256').update(key).digest('hex').slice(0, 16)
}

function unpack(file: EmbeddedNativeFile, dir: string): void {
  const target = join(dir, file.relativePath)
  const expectedSize = statSync(file.embeddedPath).size
  if (sizeOf(target) === expectedSize) return
  ensurePrivateDir(dirname(target))
  // Write beside the target and rename: a concurrent pds never sees a half-written library.
  const partial = `${target}.${process.pid}.${Date.now()}.partial`
  try {
    writeFileSync(partial, readFileSync(file.embeddedPath), { mode: 0o755 })
    chmodSync(partial, 0o755)
    renameSync(partial, target)
  } catch (err) {
    try {
      unlinkSync(partial)
    } catch {}
    throw err
  }
}

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size
  } catch {
    return undefined
  }
}

function openAddon(path: string): unknown {
  const module = { exports: {} as Record<string, unknown> }
  process.dlopen(module, path)
  const addon = module.exports
  // sharp's own loader refuses x64 CPUs without the v2 microarchitecture; keep that check.
  const usesX64V2 = addon._isUsingX64V2
  if (process.arch === 'x64' && typeof usesX64V2 === 'function' && !usesX64V2()) {
    throw new Error('the prebuilt sharp for Linux x64 requires an x86-64-v2 CPU')
  }
  return addon
}
