// The interactive API docs at /api/v1/docs: one self-contained page (no external resources) that reads
// /api/v1/openapi.json, lists every route with its schema, and sends requests from a form.

export const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>routerlab control API</title><link rel="icon" href="data:,">
<style>
body{font:14px system-ui,sans-serif;margin:0;display:flex;height:100vh}
nav{width:340px;overflow:auto;border-right:1px solid #ddd;padding:8px}
main{flex:1;overflow:auto;padding:16px}
.op{cursor:pointer;padding:3px 4px;border-radius:3px}.op:hover{background:#eef}
.m{display:inline-block;width:52px;font-weight:bold;text-transform:uppercase;font-size:11px}
.get{color:#0a7}.post{color:#06c}.put{color:#a60}.patch{color:#a0a}.delete{color:#c00}
textarea,input{width:100%;font:12px monospace;box-sizing:border-box}
pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:40vh}
h3{margin:12px 0 4px;font-size:12px;text-transform:uppercase;color:#666}
</style></head>
<body><nav id="nav">Loading /api/v1/openapi.json ...</nav>
<main id="main"><h1>routerlab control API</h1><p>Pick a route on the left. Requests go to this server; set the token if the API needs one.</p>
<label>Token <input id="token" type="password" placeholder="(none)"></label> <button id="usetoken">Use</button></main>
<script>
const esc = (s) => String(s).replace(/[&<>]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
let spec;
// The token the dashboard keeps for this tab, or the one typed here; never put in the URL.
let token = sessionStorage.getItem('routerlab-token') || '';
document.getElementById('token').value = token;
function auth() { const t = document.getElementById('token')?.value || token; return t ? { Authorization: 'Bearer ' + t } : {}; }
async function load() {
  const r = await fetch('/api/v1/openapi.json', { headers: auth() });
  if (r.status === 401) { document.getElementById('nav').textContent = 'This control API needs its token: type it on the right and press Use.'; return; }
  spec = await r.json();
  render();
}
document.getElementById('usetoken').onclick = () => { token = document.getElementById('token').value; sessionStorage.setItem('routerlab-token', token); load(); };
load();
function render() {
  const nav = document.getElementById('nav');
  nav.innerHTML = '';
  for (const [path, ops] of Object.entries(spec.paths)) for (const [method, op] of Object.entries(ops)) {
    const div = document.createElement('div');
    div.className = 'op';
    div.innerHTML = '<span class="m ' + method + '">' + method + '</span>' + esc(path);
    div.title = op.summary;
    div.onclick = () => show(path, method, op);
    nav.appendChild(div);
  }
}
function show(path, method, op) {
  const typed = document.getElementById('token').value || token;
  const body = op.requestBody?.content['application/json'].schema;
  document.getElementById('main').innerHTML =
    '<label>Token <input id="token" type="password" value="' + esc(typed) + '"></label>' +
    '<h2><span class="m ' + method + '">' + method + '</span>' + esc(path) + '</h2><p>' + esc(op.summary) + '</p>' +
    '<h3>Path (edit {id} etc.)</h3><input id="path" value="' + esc(path) + '">' +
    (body ? '<h3>Body schema</h3><pre>' + esc(JSON.stringify(body, null, 2)) + '</pre><h3>Body</h3><textarea id="body" rows="6">{}</textarea>' : '') +
    '<p><button id="send">Send</button></p><h3>Answer</h3><pre id="out"></pre>';
  document.getElementById('send').onclick = async () => {
    const init = { method: method.toUpperCase(), headers: { 'Content-Type': 'application/json', ...auth() } };
    if (body) init.body = document.getElementById('body').value;
    const res = await fetch(document.getElementById('path').value, init);
    document.getElementById('out').textContent = res.status + ' ' + res.statusText + '\\n' + await res.text();
  };
}
</script></body></html>`;
