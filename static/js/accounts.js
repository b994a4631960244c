// Starts django-allauth's scripted forms (passkeys, recovery codes) without inline script, as the
// Content-Security-Policy requires: an element's data-allauth-call names allauth's function and
// data-allauth-args holds its JSON argument (allauth's own templates put it in a <script>).
document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-allauth-call]').forEach((element) => {
    const name = element.dataset.allauthCall
    if (!name.startsWith('allauth.')) return
    const func = name.split('.').reduce((scope, part) => scope && scope[part], window)
    if (typeof func === 'function') func(JSON.parse(element.dataset.allauthArgs))
  })
})
