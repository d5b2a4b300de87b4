// The one stylesheet of every page (OAuth, account, and later admin/mod): a system font, one accent,
// light and dark following the system, readable from a 390 px phone to a desktop. Inlined with a nonce.
export const STYLESHEET = `
:root{--bg:#f4f5f7;--card:#fff;--text:#14161a;--muted:#5b6270;--line:#d7dbe2;--accent:#1463ff;--accent-text:#fff;
--accent-soft:#e8effd;--danger:#b3261e;--danger-soft:#fde8e7;--ok:#16703a;--ok-soft:#e5f4ea;--focus:#1463ff;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#111317;--card:#1b1e24;--text:#eef0f3;--muted:#a5acb8;--line:#343a45;
--accent:#7aa7ff;--accent-text:#0c1424;--accent-soft:#1d2a44;--danger:#ff9b93;--danger-soft:#3b1d1b;--ok:#7ed99c;--ok-soft:#173322;--focus:#9dbdff}}
*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--text)}
a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--card);padding:.5rem;z-index:2}
header.top{background:var(--card);border-bottom:1px solid var(--line)}
header.top .bar{max-width:60rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}
.brand{font-weight:700;text-decoration:none;color:var(--text)}.who{color:var(--muted);font-size:.9rem;overflow-wrap:anywhere}
nav.tabs{max-width:60rem;margin:0 auto;padding:0 .5rem;display:flex;flex-wrap:wrap;gap:0 .25rem}
nav.tabs a{padding:.6rem .75rem;text-decoration:none;color:var(--muted);border-bottom:3px solid transparent;white-space:nowrap}
nav.tabs a[aria-current=page]{color:var(--text);border-bottom-color:var(--accent);font-weight:600}
main{max-width:60rem;margin:0 auto;padding:1.25rem 1rem 3rem}main.narrow{max-width:28rem}
h1{font-size:1.5rem;margin:.25rem 0 1rem}h1.mono{font-size:1.25rem;overflow-wrap:anywhere}h2{font-size:1.15rem;margin:0 0 .75rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.25rem;margin:0 0 1rem}
.grid{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr))}.grid>.card{margin:0}
dl.facts{display:grid;grid-template-columns:minmax(7rem,auto) 1fr;gap:.5rem 1rem;margin:0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
.stat{font-size:1.6rem;font-weight:700}.muted{color:var(--muted)}.small{font-size:.875rem}
label{display:block;font-weight:600;margin:.9rem 0 .3rem}.hint{color:var(--muted);font-size:.875rem;margin:.25rem 0 0}
input[type=text],input[type=password],input[type=email],select,textarea{width:100%;padding:.65rem .75rem;font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:8px}
input[aria-invalid=true]{border-color:var(--danger)}
.field-error{color:var(--danger);font-size:.9rem;margin:.3rem 0 0;font-weight:600}
.check{display:flex;gap:.5rem;align-items:center;font-weight:400}
button,.button{display:inline-block;padding:.65rem 1.1rem;font:inherit;font-weight:600;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-text);cursor:pointer;text-decoration:none;margin-top:1rem}
button.secondary,.button.secondary{background:transparent;color:var(--accent)}
button.danger{background:var(--danger);border-color:var(--danger);color:var(--card)}
button.link{background:none;border:0;color:var(--accent);padding:0;margin:0;text-decoration:underline;font-weight:400}
button.small{padding:.35rem .7rem;font-size:.875rem;margin:0}
.notice{padding:.7rem .9rem;border-radius:8px;margin:0 0 1rem;background:var(--accent-soft)}.notice a{color:inherit;font-weight:600}
.notice.ok{background:var(--ok-soft);color:var(--ok)}.notice.error{background:var(--danger-soft);color:var(--danger)}
ul.items{list-style:none;margin:0;padding:0}ul.items>li{border-top:1px solid var(--line);padding:.8rem 0;display:flex;gap:.75rem;justify-content:space-between;align-items:flex-start;flex-wrap:wrap}
ul.items>li:first-child{border-top:0}ul.items .what{flex:1 1 14rem;min-width:0;overflow-wrap:anywhere}ul.items form{margin:0}
.badge{display:inline-block;font-size:.75rem;font-weight:600;padding:.1rem .5rem;border-radius:99px;background:var(--accent-soft);color:var(--text);margin-left:.35rem}
.badge.ok{background:var(--ok-soft);color:var(--ok)}.badge.warn{background:var(--danger-soft);color:var(--danger)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
.qr{width:12rem;max-width:100%;margin:.5rem 0 1rem}.qr svg{display:block;width:100%;height:auto;border-radius:4px}
ul.codes{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.5rem}ul.codes code{font-size:1.05rem}
.copyable{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}.secret{font-size:1.25rem;padding:.5rem .75rem;background:var(--bg);border-radius:8px;border:1px dashed var(--line)}
pre{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:.75rem;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
footer{max-width:60rem;margin:0 auto;padding:0 1rem 2rem;color:var(--muted);font-size:.875rem}footer a{color:var(--muted)}
.thumb{width:96px;height:96px;object-fit:cover;border-radius:8px;border:1px solid var(--line);background:var(--bg)}
.row{display:flex;gap:.75rem;flex-wrap:wrap;align-items:center}
.wide{width:100%}.row.halves{flex-wrap:nowrap}.row.halves>form{flex:1}.client{overflow-wrap:anywhere;color:var(--muted);font-size:.9rem}
button.account{text-align:left}
.table-wrap{overflow-x:auto;margin:0 0 1rem}table.data{border-collapse:collapse;width:100%;font-size:.9rem}
table.data th,table.data td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
table.data th{color:var(--muted);font-weight:600;white-space:nowrap}table.data td.num{text-align:right;white-space:nowrap}
form.search{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin:0 0 1rem}form.search>div{flex:1 1 12rem}form.search label{margin-top:0}
form.action+form.action,form.action+.action{border-top:1px solid var(--line);margin-top:1.25rem;padding-top:.25rem}
@media (max-width:40rem){table.data.stacked thead{position:absolute;left:-9999px}table.data.stacked tr{display:block;border-bottom:1px solid var(--line);padding:.5rem 0}
table.data.stacked td{display:grid;grid-template-columns:6.5rem minmax(0,1fr);gap:.5rem;border:0;padding:.15rem 0;text-align:left}table.data.stacked td::before{content:attr(data-label);color:var(--muted);font:600 .875rem system-ui,sans-serif}}
@media (max-width:40rem){dl.facts.stack{grid-template-columns:1fr;gap:0}dl.facts.stack dd{margin-bottom:.6rem}}
h2.gap{margin-top:1.5rem}form.search button{margin-top:0}nav.pager{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
textarea{width:100%;min-height:6rem;padding:.65rem .75rem;font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:8px}
input[type=number]{width:8rem;padding:.65rem .75rem;font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:8px}
.member-actions,.member-actions form{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}.member-actions select{width:auto}
`
