// The QR code of an otpauth:// URI as an SVG document, drawn on the server (uqr: no external
// service, no client script, no dependencies of its own).
import { renderSVG } from 'uqr'

export function qrSvg(text: string): string {
  // Medium error correction and 4-unit modules: a compact image phone cameras read at arm's length.
  return renderSVG(text, { ecc: 'M', pixelSize: 4, border: 2 })
}
