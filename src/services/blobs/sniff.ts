// MIME type from a file's first bytes. The reference uses the `file-type` package and falls back to
// the Content-Type the client sent; this small table covers the media a PDS actually receives.
const ascii = (bytes: Uint8Array, start: number, text: string): boolean => {
  if (bytes.length < start + text.length) return false
  for (let i = 0; i < text.length; i++) if (bytes[start + i] !== text.charCodeAt(i)) return false
  return true
}

const startsWith = (bytes: Uint8Array, prefix: number[]): boolean =>
  bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b)

/** How many leading bytes sniffMimeType looks at. */
export const SNIFF_BYTES = 64

// ISO base media (ftyp box) brands → MIME types.
const FTYP_BRANDS: Record<string, string> = {
  avif: 'image/avif',
  avis: 'image/avif',
  heic: 'image/heic',
  heix: 'image/heic',
  heim: 'image/heic',
  heis: 'image/heic',
  hevc: 'image/heic-sequence',
  hevx: 'image/heic-sequence',
  mif1: 'image/heif',
  msf1: 'image/heif-sequence',
  'qt  ': 'video/quicktime',
  'M4A ': 'audio/mp4',
  'M4V ': 'video/mp4',
}

export function sniffMimeType(head: Uint8Array): string | undefined {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'image/gif'
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'image/webp'
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'audio/wav'
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'AVI ')) return 'video/vnd.avi'
  if (ascii(head, 4, 'ftyp')) {
    const brand = String.fromCharCode(...head.subarray(8, 12))
    if (brand.startsWith('3g2')) return 'video/3gpp2'
    if (brand.startsWith('3gp')) return 'video/3gpp'
    return FTYP_BRANDS[brand] ?? 'video/mp4'
  }
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) {
    // EBML: the DocType string tells WebM from Matroska.
    const text = String.fromCharCode(...head.subarray(0, SNIFF_BYTES))
    return text.includes('webm') ? 'video/webm' : 'video/x-matroska'
  }
  if (ascii(head, 0, 'BM') && head.length >= 14) return 'image/bmp'
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff'
  if (startsWith(head, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x58, 0x4c, 0x20]) || startsWith(head, [0xff, 0x0a])) return 'image/jxl'
  if (ascii(head, 0, 'ID3') || startsWith(head, [0xff, 0xfb]) || startsWith(head, [0xff, 0xf3])) return 'audio/mpeg'
  if (ascii(head, 0, 'OggS')) return 'audio/ogg'
  if (ascii(head, 0, 'fLaC')) return 'audio/x-flac'
  if (ascii(head, 0, '%PDF-')) return 'application/pdf'
  if (startsWith(head, [0x1f, 0x8b])) return 'application/gzip'
  if (ascii(head, 0, 'PK\x03\x04')) return 'application/zip'
  return undefined
}
