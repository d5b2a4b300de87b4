// The pages' one client script, inlined with the page's CSP nonce: copy buttons (`data-copy`) and the
// live handle check (`data-handle-check`: an input, a suffix select, a status line, a URL to ask). Pages
// work without it: the value to copy is shown as text, and the server checks the handle on submit.
// A passkey form (`data-passkey-options`: add one; `data-passkey-sign-in`: sign in with one) asks the
// browser for the passkey before it is sent.
export const CLIENT_SCRIPT = `(function () {
document.addEventListener('click', function (e) {
  var b = e.target && e.target.closest ? e.target.closest('button[data-copy]') : null
  if (!b) return
  var done = function () { var t = b.textContent; b.textContent = 'Copied'; setTimeout(function () { b.textContent = t }, 1500) }
  if (navigator.clipboard) navigator.clipboard.writeText(b.getAttribute('data-copy')).then(done, function () {})
})

var form = document.querySelector('[data-handle-check]')
if (form) {
  var input = form.querySelector('input[name=name]'), suffix = form.querySelector('select[name=suffix]')
  var out = document.getElementById('handle-status'), timer = null, asked = 0
  var check = function () {
    var n = ++asked, value = input.value.trim()
    if (!value) { out.textContent = ''; return }
    fetch(form.getAttribute('data-handle-check') + '?handle=' + encodeURIComponent(value + suffix.value), { credentials: 'same-origin' })
      .then(function (r) { return r.json() })
      .then(function (j) { if (n === asked) out.textContent = j.available ? '@' + j.handle + ' is available.' : j.reason })
      .catch(function () {})
  }
  var later = function () { clearTimeout(timer); timer = setTimeout(check, 300) }
  input.addEventListener('input', later)
  suffix.addEventListener('change', later)
}

// Passkey forms: the options come from the server (the form's own fields posted to the URL in the
// attribute), the browser makes the credential (create) or the assertion (sign in), its JSON answer
// goes in the hidden "response" field and the form is sent. Any failure sends the form without an
// answer, so the server says what went wrong beside it.
var passkeyForm = function (pk, url, ask) {
  pk.hidden = false
  pk.addEventListener('submit', function (e) {
    var answer = pk.querySelector('input[name=response]')
    if (answer.value) return
    e.preventDefault()
    var body = new URLSearchParams(new FormData(pk))
    body.delete('response')
    var send = function () { pk.submit() }
    fetch(url, { method: 'POST', credentials: 'same-origin', body: body })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r) })
      .then(ask)
      .then(function (c) { answer.value = JSON.stringify(c.toJSON()); send() }, send)
  })
}
if (window.PublicKeyCredential && PublicKeyCredential.parseCreationOptionsFromJSON) {
  document.querySelectorAll('form[data-passkey-options]').forEach(function (pk) {
    passkeyForm(pk, pk.getAttribute('data-passkey-options'), function (o) {
      return navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(o) })
    })
  })
  // Sign-in forms are hidden until here: without a script or passkey support they could not work.
  document.querySelectorAll('form[data-passkey-sign-in]').forEach(function (pk) {
    passkeyForm(pk, pk.getAttribute('data-passkey-sign-in'), function (o) {
      return navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(o) })
    })
  })
}
})()
`
