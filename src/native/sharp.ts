// The one way the server gets at sharp. Loading is lazy: commands that never touch images
// (`pds --version`, `pds account ...`) do not pay for dlopen-ing libvips, and a broken native
// install shows up as a clear error at first use (or in `pds doctor`) instead of at startup.
// In a compiled binary, `import('sharp')` resolves to the bundled copy whose native part is
// unpacked by ./embedded-sharp.ts (see scripts/embed-sharp-plugin.ts).

export type Sharp = typeof import('sharp').default

export interface ImageInfo {
  width: number
  height: number
  /** sharp's format name: "jpeg", "png", "webp", "gif", "avif", "heif", "tiff", "svg", ... */
  format: string
}

let sharpPromise: Promise<Sharp> | undefined

export function loadSharp(): Promise<Sharp> {
  sharpPromise ??= importSharp()
  return sharpPromise
}

async function importSharp(): Promise<Sharp> {
  try {
    const module = await import('sharp')
    return module.default
  } catch (err) {
    sharpPromise = undefined // let a later call retry (e.g. after the cache dir is fixed)
    const platform = `${process.platform}-${process.arch}`
    const hint = platform === 'linux-x64' ? '' : ` (only linux-x64 is supported and tested; running on ${platform})`
    throw new Error(`image processing (sharp) is unavailable${hint}: ${(err as Error).message}`, { cause: err })
  }
}

/** Reads dimensions and format from image bytes or a file path without decoding pixels. */
export async function imageInfo(input: Uint8Array | string): Promise<ImageInfo> {
  const sharp = await loadSharp()
  const metadata = await sharp(input).metadata()
  if (!metadata.width || !metadata.height || !metadata.format) {
    throw new Error('not a recognised image')
  }
  return { width: metadata.width, height: metadata.height, format: metadata.format }
}
