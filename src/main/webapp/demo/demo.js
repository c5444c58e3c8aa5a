// Channel Push demo page: one WebSocket to the node that served this page, the publisher on the same origin.
// Plain browser JavaScript, no build step. Message texts are only ever inserted with textContent.
(() => {
  'use strict';

  const WELCOME = /^workerID:(\S+) connectionID:(\d+) connected\n?$/;
  const MAX_LOG_ENTRIES = 200;
  const FIRST_RETRY_MS = 500;
  const MAX_RETRY_MS = 10000;

  // The page lives at <context>/demo/; the WebSocket and the publisher are at <context>/.
  const base = location.pathname.replace(/demo\/(index\.html)?$/, '');
  const wsUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + base;

  const $ = (id) => document.getElementById(id);
  const joined = new Set();   // groups acknowledged as joined, rejoined after a reconnect
  const pending = new Map();  // command id -> {cmd, group_id}
  let socket = null;
  let welcomed = false;
  let me = null;              // {worker, connection} of the current connection
  let attempt = 0;
  let nextId = 1;

  function time(d) {
    const pad = (n, w = 2) => String(n).padStart(w, '0');
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }

  /** Adds a line to the log; kind is one of: in, welcome, ack, error, out, info. */
  function log(kind, label, text) {
    const now = new Date();
    const li = document.createElement('li');
    li.className = `entry ${kind}`;
    const t = document.createElement('time');
    t.dateTime = now.toISOString();
    t.textContent = time(now);
    const k = document.createElement('span');
    k.className = 'kind';
    k.textContent = label;
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    li.append(t, k, body);
    const list = $('log');
    list.prepend(li);
    while (list.children.length > MAX_LOG_ENTRIES) {
      list.lastElementChild.remove();
    }
  }

  function setStatus(state, text) {
    const s = $('status');
    s.dataset.state = state;
    s.textContent = text;
    const open = state === 'open';
    document.querySelectorAll('.needs-socket').forEach((b) => { b.disabled = !open; });
  }

  function showGroups() {
    $('groups').textContent = joined.size ? [...joined].join(', ') : 'none';
  }

  function connect() {
    setStatus('connecting', attempt ? `Reconnecting to ${wsUrl} (attempt ${attempt + 1})…` : `Connecting to ${wsUrl}…`);
    welcomed = false;
    const ws = new WebSocket(wsUrl);
    socket = ws;
    ws.onmessage = (e) => onMessage(String(e.data));
    ws.onclose = (e) => {
      if (socket !== ws) {
        return;
      }
      socket = null;
      pending.clear();
      const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt) * (0.8 + 0.4 * Math.random());
      attempt++;
      const why = e.code === 1006 ? 'connection lost'
        : e.code === 1001 ? 'the server is going away, 1001'
          : `closed with ${e.code}${e.reason ? ' ' + e.reason : ''}`;
      const secs = (delay / 1000).toFixed(1);
      setStatus('closed', `Disconnected (${why}). Reconnecting in ${secs} s…`);
      if (attempt === 1) {
        log('info', 'offline', `${why}; reconnecting with backoff`);
      }
      setTimeout(connect, delay);
    };
  }

  function onMessage(text) {
    if (!welcomed) {
      const m = WELCOME.exec(text);
      if (m) {
        welcomed = true;
        onWelcome(m[1], m[2]);
        log('welcome', 'welcome', text.trim());
        return;
      }
    }
    const reply = parseReply(text);
    if (reply && reply.type === 'ack') {
      const cmd = pending.get(reply.id);
      pending.delete(reply.id);
      if (cmd.cmd === 'add_group') {
        joined.add(cmd.group_id);
      } else if (cmd.cmd === 'leave_group') {
        joined.delete(cmd.group_id);
      }
      showGroups();
      log('ack', 'ack', `${cmd.cmd} ${cmd.group_id}`);
    } else if (reply && reply.type === 'error') {
      pending.delete(reply.id);
      log('error', 'error', `${reply.code}: ${reply.message}`);
    } else {
      log('in', 'message', text);
    }
  }

  /** An ack for one of our commands or an error reply; null for anything else (a pushed message). */
  function parseReply(text) {
    if (!text.startsWith('{"type":')) {
      return null;
    }
    try {
      const o = JSON.parse(text);
      if (o.type === 'ack' && pending.has(o.id)) {
        return o;
      }
      return o.type === 'error' && typeof o.code === 'string' ? o : null;
    } catch (e) {
      return null;
    }
  }

  function onWelcome(worker, connection) {
    const previous = me;
    me = { worker, connection };
    $('worker-id').textContent = worker;
    $('connection-id').textContent = connection;
    // Follow our own ids in the push form unless the user typed other ones.
    const w = $('push-worker');
    const c = $('push-connection');
    if (!w.value || (previous && w.value === previous.worker)) {
      w.value = worker;
    }
    if (!c.value || (previous && c.value === previous.connection)) {
      c.value = connection;
    }
    const again = attempt > 0;
    attempt = 0;
    setStatus('open', again ? `Reconnected to ${wsUrl}` : `Connected to ${wsUrl}`);
    joined.forEach((g) => command('add_group', g));
  }

  function command(cmd, group, extra = {}) {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      log('error', 'not sent', 'the WebSocket is not connected');
      return false;
    }
    const id = nextId++;
    pending.set(id, { cmd, group_id: group });
    socket.send(JSON.stringify({ cmd, group_id: group, ...extra, id }));
    return true;
  }

  /** POSTs a form-encoded publish to the publisher and logs its answer. */
  async function publish(label, params) {
    try {
      const r = await fetch(base, { method: 'POST', body: new URLSearchParams(params) });
      const answer = (await r.text()).trim();
      log(r.ok ? 'out' : 'error', r.ok ? 'published' : 'refused', `${label} (POST ${base}): ${r.status} ${answer}`);
    } catch (e) {
      log('error', 'failed', `${label}: ${e.message}`);
    }
  }

  function onSubmit(id, handler) {
    $(id).addEventListener('submit', (e) => {
      e.preventDefault();
      handler(e.target.elements, e.submitter);
    });
  }

  onSubmit('broadcast-form', (f) => publish('broadcast', { content: f.content.value }));
  onSubmit('push-form', (f) => publish(`push to ${f.to_worker_id.value}/${f.to_connection_id.value}`, {
    to_worker_id: f.to_worker_id.value, to_connection_id: f.to_connection_id.value, content: f.content.value,
  }));
  onSubmit('group-form', (f, button) => {
    const group = f.group_id.value;
    const cmd = button && button.value === 'leave_group' ? 'leave_group' : 'add_group';
    if (command(cmd, group)) {
      $('group-send-id').value = group;
    }
  });
  onSubmit('group-send-form', (f) => {
    command('send_to_group', f.group_id.value, { message: f.message.value });
  });
  $('clear-log').addEventListener('click', () => $('log').replaceChildren());
  document.querySelectorAll('.origin').forEach((e) => { e.textContent = location.origin + base.replace(/\/$/, ''); });

  connect();
})();
