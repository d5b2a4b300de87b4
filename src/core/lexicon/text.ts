// Length measures used by string limits: UTF-8 bytes (maxLength) and graphemes (maxGraphemes).

/** UTF-8 byte length without allocating an encoded copy. */
export function utf8Length(text: string): number {
  let length = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) length += 1
    else if (code < 0x800) length += 2
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        length += 4
        i++
      } else length += 3
    } else length += 3
  }
  return length
}

let segmenter: Intl.Segmenter | undefined

/** Extended grapheme clusters, as Intl.Segmenter counts them (same as the reference). */
export function graphemeLength(text: string): number {
  segmenter ??= new Intl.Segmenter()
  let count = 0
  for (const _ of segmenter.segment(text)) count++
  return count
}
