// The pages' one client script: copy buttons (`data-copy`). Inlined with the page's CSP nonce; a page
// works without it (the value to copy is always shown as text too).
export const CLIENT_SCRIPT = `
document.addEventListener('click', function (e) {
  var b = e.target && e.target.closest ? e.target.closest('button[data-copy]') : null
  if (!b) return
  var done = function () { var t = b.textContent; b.textContent = 'Copied'; setTimeout(function () { b.textContent = t }, 1500) }
  if (navigator.clipboard) navigator.clipboard.writeText(b.getAttribute('data-copy')).then(done, function () {})
})
`
