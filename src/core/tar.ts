// A minimal ustar (POSIX tar) writer for streaming archives of known-size files (the account web app's
// "all blobs" download): a 512-byte header per file, the bytes, zero padding to 512, two zero blocks.
const BLOCK = 512

/** Bytes a file of `size` takes in the archive (header + padded content). */
export const tarEntryLength = (size: number) => BLOCK + Math.ceil(size / BLOCK) * BLOCK
/** The end-of-archive marker's length. */
export const TAR_END_LENGTH = 2 * BLOCK

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

/** The header block of a regular file. Names are ASCII and at most 100 bytes. */
export function tarHeader(name: string, size: number, mtimeSeconds: number): Uint8Array {
  if (!/^[\x20-\x7e]{1,100}$/.test(name)) throw new Error(`tar entry name not supported: ${name}`)
  const header = new Uint8Array(BLOCK)
  const put = (offset: number, text: string) => header.set(new TextEncoder().encode(text), offset)
  put(0, name)
  put(100, octal(0o644, 8))
  put(108, octal(0, 8))
  put(116, octal(0, 8))
  put(124, octal(size, 12))
  put(136, octal(Math.floor(mtimeSeconds), 12))
  put(148, '        ') // the checksum counts its own field as spaces
  put(156, '0')
  put(257, 'ustar\u000000')
  const sum = header.reduce((a, b) => a + b, 0)
  put(148, sum.toString(8).padStart(6, '0') + '\0 ')
  return header
}

/** Zero bytes that pad a file of `size` to the next block. */
export function tarPadding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK)
}
