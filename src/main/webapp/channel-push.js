/*
 * Channel Push browser client, served by every node at /channel-push.js. Plain JavaScript, no build step, no
 * dependency; defines window.ChannelPush.
 *
 *   const push = new ChannelPush();              // ws(s)://<the host that served this file>/?format=json
 *   push.on('message', (m) => show(m.stream, m.offset, m.content, m.recovered));
 *   push.on('gap', (g) => resync(g.stream));     // the server could not fill a gap: reload that state
 *   push.joinGroup('lobby').then(() => push.sendToGroup('lobby', 'hi'));
 *
 * It connects with ?format=json, reconnects with jittered exponential backoff, remembers the last epoch and offset
 * of each stream ("broadcast", "group:<id>", "uid:<its user id>") and, after each reconnect, sends
 * {"cmd":"recover","streams":{...}} for them, which also rejoins its groups. Every message it passes on is new:
 * one with an offset at or below the last one of its stream and epoch is dropped (and counted in stats).
 * Events: connecting, welcome, message, recovered, gap, disconnect, error (see README, "Browser client").
 */
(function (global) {
  'use strict';

  var DEFAULTS = {
    minDelayMs: 500,          // first reconnect delay; doubles per failed attempt
    maxDelayMs: 15000,        // the most a reconnect waits
    connectTimeoutMs: 10000,  // from opening the socket to the welcome; then it is closed and retried
    commandTimeoutMs: 15000,  // a command without ack or error by then is rejected with code "timeout"
    maxPendingCommands: 100,  // beyond it a command is rejected with code "too_many_pending"
    maxHeldMessages: 200000,  // messages held during a recovery; beyond, that stream's recovery ends in a gap
  };
  var MAX_RECOVER_RETRIES = 5;  // a recover refused because the node is busy is retried this often
  var EVENTS = ['connecting', 'welcome', 'message', 'recovered', 'gap', 'disconnect', 'error'];

  /** The WebSocket URL of the node that served this file; null when it was not loaded from http(s). */
  function defaultUrl() {
    var src = document.currentScript && document.currentScript.src;
    if (!/^https?:/.test(src || location.href)) {
      return null;
    }
    var u = new URL(src || '/', location.href);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.pathname = u.pathname.replace(/[^/]*$/, '');
    u.search = '';
    u.hash = '';
    return u.toString();
  }
  var SCRIPT_URL = typeof document !== 'undefined' ? defaultUrl() : null;

  function withJsonFormat(url) {
    var u = new URL(url, location.href);
    u.searchParams.set('format', 'json');
    return u.toString();
  }

  /** The URL of a connection that sends recover first: the node holds its stream messages until then. */
  function withRecover(url) {
    var u = new URL(url);
    u.searchParams.set('recover', '1');
    return u.toString();
  }

  /** A valid {epoch, offset} copied, or null. */
  function position(p) {
    return p && typeof p.epoch === 'string' && typeof p.offset === 'number' ? { epoch: p.epoch, offset: p.offset } : null;
  }

  function failure(code, message) {
    var e = new Error(message);
    e.code = code;
    return e;
  }

  function copyPositions(from) {
    var out = {};
    Object.keys(from || {}).forEach(function (s) {
      var p = from[s];
      if (position(p)) {
        out[s] = position(p);
      }
    });
    return out;
  }

  /**
   * A client that stays connected until close(). url: the node's WebSocket URL (default: the node that served
   * this file); options: the DEFAULTS above, plus streams ({stream: {epoch, offset}}, from positions()) and
   * groups (from groups()) to recover from on the first connection too, e.g. after a page reload.
   */
  function ChannelPush(url, options) {
    if (!(this instanceof ChannelPush)) {
      return new ChannelPush(url, options);
    }
    var opts = Object.assign({}, DEFAULTS, options || {});
    if (!url && !SCRIPT_URL) {
      throw new Error('new ChannelPush(url): give the node\'s WebSocket URL (this script was not served by a node)');
    }
    this.url = withJsonFormat(url || SCRIPT_URL);
    this.stats = { received: 0, recovered: 0, duplicatesDropped: 0, gaps: 0, reconnects: 0 };
    this._opts = opts;
    this._listeners = {};
    EVENTS.forEach(function (e) { this._listeners[e] = []; }, this);
    this._positions = copyPositions(opts.streams);  // stream -> {epoch, offset}, last message passed on
    this._groups = new Set((opts.groups || []).map(String));
    this._pending = new Map();   // command id -> {cmd, resolve, reject, timer}
    this._nextId = 1;
    this._socket = null;
    this._attempt = 0;
    this._welcomed = false;
    this._everWelcomed = false;
    this._recovery = null;       // while a recover runs: {id, streams, floor, held, keys, size, retries}
    this._retryTimer = null;
    this._connectTimer = null;
    this._closed = false;
    var self = this;
    // Listeners registered right after the constructor see the first events.
    setTimeout(function () { self._connect(); }, 0);
  }

  /** Calls fn(event) for each event of that name; returns a function that removes it. */
  ChannelPush.prototype.on = function (name, fn) {
    var list = this._listeners[name];
    if (!list) {
      throw new Error('unknown event "' + name + '"; one of ' + EVENTS.join(', '));
    }
    list.push(fn);
    return function () {
      var i = list.indexOf(fn);
      if (i >= 0) {
        list.splice(i, 1);
      }
    };
  };

  ChannelPush.prototype._emit = function (name, event) {
    this._listeners[name].slice().forEach(function (fn) {
      try {
        fn(event);
      } catch (e) {
        // A listener's bug must not break the connection's bookkeeping.
        setTimeout(function () { throw e; }, 0);
      }
    });
  };

  /** The last epoch and offset of each stream, to store and give back as options.streams later. */
  ChannelPush.prototype.positions = function () {
    return copyPositions(this._positions);
  };

  /** The groups this client is in (joined and acknowledged); rejoined after every reconnect. */
  ChannelPush.prototype.groups = function () {
    return Array.from(this._groups);
  };

  /** Whether the socket is open and welcomed. */
  ChannelPush.prototype.isOpen = function () {
    return this._welcomed && this._socket !== null && this._socket.readyState === WebSocket.OPEN;
  };

  /** Joins a group; resolves on the server's ack, after which every reconnect rejoins and recovers it. */
  ChannelPush.prototype.joinGroup = function (group) {
    var self = this;
    group = String(group);
    return this._command({ cmd: 'add_group', group_id: group }).then(function (ack) {
      self._groups.add(group);
      self._adopt('group:' + group, ack);
    });
  };

  /**
   * Leaves a group (the server's leave_group) and forgets its offset. When not connected it resolves at once:
   * the next connection does not join it.
   */
  ChannelPush.prototype.leaveGroup = function (group) {
    group = String(group);
    this._groups.delete(group);
    delete this._positions['group:' + group];
    var r = this._recovery;
    if (r && r.streams.delete('group:' + group)) {
      r.size -= r.held['group:' + group].length;
      delete r.held['group:' + group];
    }
    if (!this.isOpen()) {
      return Promise.resolve();
    }
    return this._command({ cmd: 'leave_group', group_id: group });
  };

  /**
   * Sends a message to every member of a group; resolves once the server acknowledged it. Rejected with an Error
   * whose code is the server's error code (e.g. "unavailable": not sent), or "not_connected" (not sent),
   * "connection_lost" or "timeout" (sent, fate unknown: it may still be delivered, at most once).
   */
  ChannelPush.prototype.sendToGroup = function (group, message) {
    return this._command({ cmd: 'send_to_group', group_id: String(group), message: String(message) });
  };

  /** Closes the connection for good: no reconnect; pending commands are rejected with code "closed". */
  ChannelPush.prototype.close = function () {
    if (this._closed) {
      return;
    }
    this._closed = true;
    clearTimeout(this._retryTimer);
    clearTimeout(this._connectTimer);
    var ws = this._socket;
    this._socket = null;
    this._welcomed = false;
    this._rejectPending('closed', 'the client was closed');
    if (ws) {
      ws.close(1000, 'closed by the page');
    }
  };

  /** Sends a command with an id; settles on its ack or error. unbounded: a rejoin (bounded by the groups). */
  ChannelPush.prototype._command = function (body, unbounded) {
    var self = this;
    if (!this.isOpen()) {
      return Promise.reject(failure('not_connected', 'not connected; ' + body.cmd + ' was not sent'));
    }
    if (!unbounded && this._pending.size >= this._opts.maxPendingCommands) {
      return Promise.reject(failure('too_many_pending', this._pending.size + ' commands wait for an answer; '
        + body.cmd + ' was not sent'));
    }
    var id = this._nextId++;
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        if (self._pending.delete(id)) {
          reject(failure('timeout', body.cmd + ' got no answer within ' + self._opts.commandTimeoutMs + ' ms'));
        }
      }, self._opts.commandTimeoutMs);
      self._pending.set(id, { cmd: body.cmd, resolve: resolve, reject: reject, timer: timer });
      self._socket.send(JSON.stringify(Object.assign({}, body, { id: id })));
    });
  };

  ChannelPush.prototype._rejectPending = function (code, message) {
    var pending = this._pending;
    this._pending = new Map();
    pending.forEach(function (p) {
      clearTimeout(p.timer);
      p.reject(failure(code, p.cmd + ': ' + message));
    });
  };

  ChannelPush.prototype._connect = function () {
    if (this._closed) {
      return;
    }
    var self = this;
    // With positions to recover, promise the node a recover first: it holds live messages until then, so the
    // missed ones come before them.
    var url = this._recoverable().length > 0 ? withRecover(this.url) : this.url;
    this._emit('connecting', { url: url, attempt: this._attempt + 1 });
    var ws = new WebSocket(url);
    this._socket = ws;
    this._welcomed = false;
    this._connectTimer = setTimeout(function () {
      if (self._socket === ws && !self._welcomed) {
        ws.close(4000, 'no welcome within ' + self._opts.connectTimeoutMs + ' ms');
        self._lost(ws, 4000, 'no welcome within ' + self._opts.connectTimeoutMs + ' ms');
      }
    }, this._opts.connectTimeoutMs);
    ws.onmessage = function (e) {
      if (self._socket === ws) {
        self._frame(String(e.data));
      }
    };
    ws.onclose = function (e) {
      self._lost(ws, e.code, e.reason);
    };
  };

  /** The socket ws is gone (closed, failed, or given up on): reject its commands and schedule the next one. */
  ChannelPush.prototype._lost = function (ws, code, reason) {
    if (this._socket !== ws || this._closed) {
      return;
    }
    clearTimeout(this._connectTimer);
    this._socket = null;
    this._welcomed = false;
    this._recovery = null;
    this._rejectPending('connection_lost', 'the connection closed before the answer; '
      + 'the command may or may not have taken effect');
    var base = Math.min(this._opts.maxDelayMs, this._opts.minDelayMs * Math.pow(2, this._attempt));
    var delay = Math.round(base / 2 + Math.random() * base / 2);  // jitter: nodes are not hit all at once
    this._attempt++;
    this._emit('disconnect', { code: code, reason: reason || '', delayMs: delay, attempt: this._attempt });
    var self = this;
    this._retryTimer = setTimeout(function () { self._connect(); }, delay);
  };

  ChannelPush.prototype._frame = function (text) {
    var f;
    try {
      f = JSON.parse(text);
    } catch (e) {
      f = null;
    }
    if (!f || typeof f.type !== 'string') {
      this._emit('error', { code: 'bad_frame', message: 'not a JSON frame with a "type": ' + text.slice(0, 200) });
      return;
    }
    switch (f.type) {
      case 'welcome': this._onWelcome(f); break;
      case 'message': this._onMessage(f); break;
      case 'recovered': this._onRecovered(f); break;
      case 'ack': this._onReply(f, null); break;
      case 'error': this._onReply(f, f); break;
      default: this._emit('error', { code: 'bad_frame', message: 'unknown frame type "' + f.type + '"' });
    }
  };

  ChannelPush.prototype._onWelcome = function (f) {
    clearTimeout(this._connectTimer);
    var reconnected = this._everWelcomed;
    this._welcomed = true;
    this._everWelcomed = true;
    this._attempt = 0;
    if (reconnected) {
      this.stats.reconnects++;
    }
    this._emit('welcome', { workerId: String(f.worker_id), connectionId: String(f.connection_id),
      reconnected: reconnected });
    this._recover(0);
    this._adopt('broadcast', f);
    var self = this;
    userStreams(f.streams).forEach(function (s) { self._adopt(s, f); });
  };

  /** The names of the user streams ("uid:<id>") among the keys of an object. */
  function userStreams(o) {
    return Object.keys((typeof o === 'object' && o) || {}).filter(function (s) { return s.indexOf('uid:') === 0; });
  }

  /**
   * A stream without a position yet takes the one the node gave (the welcome's for broadcasts, add_group's ack for
   * a group: the last it delivered, or the stream's head when it delivered none yet), so that what is published
   * while this client is away can be recovered even before its first message of that stream.
   */
  ChannelPush.prototype._adopt = function (stream, frame) {
    var p = position(frame && frame.streams && frame.streams[stream]);
    if (p && !this._positions[stream]) {
      this._positions[stream] = p;
    }
  };

  /**
   * The streams with a position to recover from: the broadcasts', those of the groups joined, and the user's (the
   * node answers false for a user the connection no longer belongs to: a gap, and that position is forgotten).
   */
  ChannelPush.prototype._recoverable = function () {
    var self = this;
    var names = (this._positions.broadcast ? ['broadcast'] : []).concat(userStreams(this._positions));
    this._groups.forEach(function (g) {
      if (self._positions['group:' + g]) {
        names.push('group:' + g);
      }
    });
    return names;
  };

  /**
   * Asks for what was missed on every stream with a known position (which also joins those groups) and joins the
   * groups without one (nothing received from them yet: nothing to recover). Until the answer, the messages of
   * those streams are held, then passed on in offset order: a broadcast delivered live between the welcome and the
   * recover's start comes before the older ones replayed.
   */
  ChannelPush.prototype._recover = function (retries) {
    var self = this;
    var streams = {};
    if (this._positions.broadcast) {
      streams.broadcast = this._positions.broadcast;
    }
    userStreams(this._positions).forEach(function (s) { streams[s] = self._positions[s]; });
    this._groups.forEach(function (g) {
      var p = self._positions['group:' + g];
      if (p) {
        streams['group:' + g] = p;
      } else if (retries === 0) {
        self._rejoin(g);
      }
    });
    var names = Object.keys(streams);
    if (names.length === 0) {
      return;
    }
    var id = this._nextId++;
    var held = (this._recovery && this._recovery.held) || {};
    this._recovery = { id: id, streams: new Set(names), floor: copyPositions(streams), held: held,
      keys: {}, size: 0, retries: retries };
    names.forEach(function (s) {
      held[s] = held[s] || [];
      self._recovery.keys[s] = new Set(held[s].map(function (m) { return m.epoch + ' ' + m.offset; }));
      self._recovery.size += held[s].length;
    });
    this._socket.send(JSON.stringify({ cmd: 'recover', streams: streams, id: id }));
  };

  ChannelPush.prototype._rejoin = function (group) {
    var self = this;
    this._command({ cmd: 'add_group', group_id: group }, true).then(function (ack) {
      self._adopt('group:' + group, ack);
    }, function (e) {
      if (e.code !== 'connection_lost' && e.code !== 'closed') {
        self._groups.delete(group);
        self._emit('error', { code: e.code, message: 'could not rejoin group ' + group + ': ' + e.message });
      }
    });
  };

  ChannelPush.prototype._onMessage = function (f) {
    var m = { stream: String(f.stream), epoch: f.epoch, offset: f.offset, content: f.content, recovered: false };
    if (typeof f.offset !== 'number' || typeof f.epoch !== 'string') {
      this.stats.received++;
      this._emit('message', m);  // a targeted push ("connection"): no position, not recoverable
      return;
    }
    var r = this._recovery;
    if (r !== null && r.streams.has(m.stream)) {
      this._hold(r, m);
    } else {
      this._pass(m);
    }
  };

  /** Passes a message on unless it is not newer than its stream's position; a new epoch is a gap. */
  ChannelPush.prototype._pass = function (m) {
    var last = this._positions[m.stream];
    if (last && last.epoch === m.epoch && m.offset <= last.offset) {
      this.stats.duplicatesDropped++;
      return;
    }
    if (last && last.epoch !== m.epoch) {
      // History was lost between the last message and this one.
      this.stats.gaps++;
      this._emit('gap', { stream: m.stream, reason: 'epoch', lastEpoch: last.epoch, epoch: m.epoch });
    }
    this._positions[m.stream] = { epoch: m.epoch, offset: m.offset };
    this.stats.received++;
    if (m.recovered) {
      this.stats.recovered++;
    }
    this._emit('message', m);
  };

  ChannelPush.prototype._hold = function (r, m) {
    var floor = r.floor[m.stream];
    var key = m.epoch + ' ' + m.offset;
    if ((floor.epoch === m.epoch && m.offset <= floor.offset) || r.keys[m.stream].has(key)) {
      this.stats.duplicatesDropped++;
      return;
    }
    if (r.size >= this._opts.maxHeldMessages) {
      // Bounded: this stream stops recovering; what was missed is reported lost.
      r.streams.delete(m.stream);
      r.size -= r.held[m.stream].length;
      delete r.held[m.stream];
      this._gap(m.stream, 'too_many_held');
      this._pass(m);
      return;
    }
    m.recovered = true;
    r.keys[m.stream].add(key);
    r.held[m.stream].push(m);
    r.size++;
  };

  /** Passes on a recovering stream's held messages, in offset order (a new epoch's after the old one's). */
  ChannelPush.prototype._release = function (r, s) {
    var floor = r.floor[s];
    var held = r.held[s] || [];
    delete r.held[s];
    held.sort(function (a, b) {
      var ea = a.epoch === floor.epoch ? 0 : 1;
      var eb = b.epoch === floor.epoch ? 0 : 1;
      return ea !== eb ? ea - eb : a.offset - b.offset;
    });
    var self = this;
    held.forEach(function (m) { self._pass(m); });
    return held.length;
  };

  ChannelPush.prototype._onRecovered = function (f) {
    var r = this._recovery;
    if (!r || (f.id !== undefined && f.id !== r.id)) {
      return;  // the answer to a recover of a connection or retry given up since
    }
    this._recovery = null;
    var answers = (typeof f.streams === 'object' && f.streams) || {};
    var self = this;
    var streams = {};
    var count = 0;
    r.streams.forEach(function (s) {
      streams[s] = answers[s] === true;
      if (!streams[s]) {
        self._gap(s, 'recover');
      }
      count += self._release(r, s);
    });
    this._emit('recovered', { streams: streams, count: count });
  };

  /** A gap in stream s that cannot be filled: forget its position (the next message sets it) and say so. */
  ChannelPush.prototype._gap = function (s, reason) {
    delete this._positions[s];
    this.stats.gaps++;
    this._emit('gap', { stream: s, reason: reason });
  };

  /** A recover answered with an error: retried when the node is busy, else its streams are gaps and rejoined. */
  ChannelPush.prototype._recoverRefused = function (r, error) {
    var self = this;
    if ((error.code === 'unavailable' || error.code === 'rate_limited') && r.retries < MAX_RECOVER_RETRIES) {
      var ws = this._socket;
      var delay = this._opts.minDelayMs * Math.pow(2, r.retries) * (1 + Math.random());
      setTimeout(function () {
        if (self._socket === ws && self._recovery === r) {
          self._recover(r.retries + 1);
        }
      }, delay);
      return;
    }
    this._recovery = null;
    this._emit('error', { code: error.code, message: 'recover refused: ' + error.message });
    r.streams.forEach(function (s) {
      self._gap(s, 'recover_refused');
      self._release(r, s);
      if (s.indexOf('group:') === 0) {
        self._rejoin(s.slice(6));
      }
    });
  };

  ChannelPush.prototype._onReply = function (f, error) {
    var r = this._recovery;
    if (r && f.id === r.id) {
      if (error) {
        this._recoverRefused(r, error);
      }
      return;
    }
    var p = this._pending.get(f.id);
    if (!p) {
      if (error) {
        this._emit('error', { code: error.code, message: error.message, cmd: error.cmd });
      }
      return;
    }
    this._pending.delete(f.id);
    clearTimeout(p.timer);
    if (error) {
      p.reject(failure(error.code, error.message));
    } else {
      p.resolve(f);
    }
  };

  ChannelPush.DEFAULTS = Object.freeze(Object.assign({}, DEFAULTS));
  global.ChannelPush = ChannelPush;
}(typeof window !== 'undefined' ? window : this));
