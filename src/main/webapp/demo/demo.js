// Channel Push demo page: the browser library (/channel-push.js) connected to the node that served this page, the
// publisher on the same origin. Plain browser JavaScript, no build step. Message texts are only ever inserted with
// textContent. The positions and groups are kept in sessionStorage, so a reload recovers what it missed too.
(() => {
  'use strict';

  const MAX_LOG_ENTRIES = 200;
  const STORE = 'channel-push-demo';

  // The page lives at <context>/demo/; the WebSocket and the publisher are at <context>/.
  const base = location.pathname.replace(/demo\/(index\.html)?$/, '');
  const wsUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + base;

  const $ = (id) => document.getElementById(id);
  let me = null;              // {worker, connection} of the current connection

  function time(d) {
    const pad = (n, w = 2) => String(n).padStart(w, '0');
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }

  /** Adds a line to the log; kind is one of: in, welcome, ack, error, out, info, recovery, gap. */
  function log(kind, label, text, data = {}, title = '') {
    const now = new Date();
    const li = document.createElement('li');
    li.className = `entry ${kind}`;
    Object.assign(li.dataset, data);
    if (title) {
      li.title = title;
    }
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

  function load() {
    try {
      return JSON.parse(sessionStorage.getItem(STORE)) || {};
    } catch (e) {
      return {};
    }
  }

  function save() {
    try {
      sessionStorage.setItem(STORE, JSON.stringify({ streams: push.positions(), groups: push.groups() }));
    } catch (e) {
      // storage full or off: a reload then starts afresh
    }
  }

  function showGroups() {
    const groups = push.groups();
    $('groups').textContent = groups.length ? groups.join(', ') : 'none';
  }

  const stored = load();
  const push = new ChannelPush(wsUrl, { streams: stored.streams, groups: stored.groups });
  window.channelPush = push;  // for the console: push.stats, push.positions()

  push.on('connecting', ({ attempt }) => {
    setStatus('connecting', attempt > 1 ? `Reconnecting to ${wsUrl} (attempt ${attempt})…` : `Connecting to ${wsUrl}…`);
  });

  push.on('disconnect', ({ code, reason, delayMs, attempt }) => {
    const why = code === 1006 ? 'connection lost'
      : code === 1001 ? 'the server is going away, 1001'
        : `closed with ${code}${reason ? ' ' + reason : ''}`;
    setStatus('closed', `Disconnected (${why}). Reconnecting in ${(delayMs / 1000).toFixed(1)} s…`);
    if (attempt === 1) {
      log('info', 'offline', `${why}; reconnecting with backoff`);
    }
  });

  push.on('welcome', ({ workerId, connectionId, reconnected }) => {
    const previous = me;
    me = { worker: workerId, connection: connectionId };
    $('worker-id').textContent = workerId;
    $('connection-id').textContent = connectionId;
    // Follow our own ids in the push form unless the user typed other ones.
    const w = $('push-worker');
    const c = $('push-connection');
    if (!w.value || (previous && w.value === previous.worker)) {
      w.value = workerId;
    }
    if (!c.value || (previous && c.value === previous.connection)) {
      c.value = connectionId;
    }
    setStatus('open', reconnected ? `Reconnected to ${wsUrl}` : `Connected to ${wsUrl}`);
    log('welcome', 'welcome', `worker ${workerId}, connection ${connectionId}`);
    showGroups();
  });

  push.on('message', (m) => {
    const where = m.offset === undefined ? m.stream : `${m.stream} #${m.offset}`;
    log(m.recovered ? 'in recovered' : 'in', m.recovered ? 'recovered' : 'message', m.content,
      { stream: m.stream, offset: m.offset === undefined ? '' : String(m.offset) }, where);
    save();
  });

  push.on('recovered', ({ streams, count }) => {
    const names = Object.keys(streams).filter((s) => streams[s]);
    if (names.length) {
      log('recovery', 'recovery', `recovered ${count} (${names.join(', ')})`);
    }
    showGroups();
    save();
  });

  push.on('gap', ({ stream, reason }) => {
    const why = reason === 'epoch' ? 'the bus lost its history'
      : reason === 'recover_refused' ? 'the server refused to recover'
        : 'the server no longer has what was missed';
    log('gap', 'gap', `gap: resync ${stream} (${why})`, { stream });
    save();
  });

  push.on('error', ({ code, message }) => {
    log('error', 'error', `${code}: ${message}`);
    showGroups();  // a group the library could not rejoin is no longer listed
  });

  /** Runs a library command and logs its answer. */
  function command(label, promise, onOk) {
    promise.then(() => {
      log('ack', 'ack', label);
      if (onOk) {
        onOk();
      }
    }, (e) => log('error', 'error', `${label}: ${e.code}: ${e.message}`));
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
    const done = () => { showGroups(); save(); };
    if (button && button.value === 'leave_group') {
      if (push.isOpen()) {
        command(`leave_group ${group}`, push.leaveGroup(group), done);
      } else {
        push.leaveGroup(group);
        log('info', 'offline', `left ${group} here; the next connection will not join it`);
      }
      done();
    } else {
      command(`add_group ${group}`, push.joinGroup(group), done);
      $('group-send-id').value = group;
    }
  });
  onSubmit('group-send-form', (f) => {
    command(`send_to_group ${f.group_id.value}`, push.sendToGroup(f.group_id.value, f.message.value));
  });
  $('clear-log').addEventListener('click', () => $('log').replaceChildren());
  document.querySelectorAll('.origin').forEach((e) => { e.textContent = location.origin + base.replace(/\/$/, ''); });
  showGroups();
})();
