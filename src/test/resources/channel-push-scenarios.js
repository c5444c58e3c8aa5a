// Scenarios of the browser library (src/main/webapp/channel-push.js) against a scripted WebSocket, run in headless
// Chromium by ChannelPushLibraryIT: the library's logic without a server. Evaluated before the library; each
// scenario throws on the first broken expectation, and runScenario(name) leaves its outcome in window.scenarioResult.
(() => {
  'use strict';

  const sockets = [];

  /** A WebSocket the scenario plays the server of: it sees what the library sends, and speaks for the node. */
  class ScriptedSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.closedWith = null;
      this.closeReported = false;
      sockets.push(this);
    }

    send(text) {
      if (this.readyState !== 1) {
        throw new Error('send on a socket that is not open');
      }
      this.sent.push(JSON.parse(text));
    }

    close(code, reason) {
      this.closedWith = code;
      this.drop(code === undefined ? 1005 : code, reason || '');
    }

    /** The node: opens the socket and welcomes the client. */
    welcome(connection) {
      this.readyState = 1;
      this.frame({ type: 'welcome', worker_id: 'w1', connection_id: connection });
    }

    frame(o) {
      this.onmessage({ data: JSON.stringify(o) });
    }

    message(stream, epoch, offset, content) {
      this.frame({ type: 'message', stream, epoch, offset, content });
    }

    /** The connection ends (as the browser reports it, a moment later). */
    drop(code, reason) {
      if (this.readyState === 3) {
        return;
      }
      this.readyState = 3;
      setTimeout(() => {
        this.onclose({ code, reason: reason || '' });
        this.closeReported = true;
      }, 0);
    }

    last(cmd) {
      return this.sent.filter((c) => c.cmd === cmd).pop();
    }
  }
  ScriptedSocket.OPEN = 1;
  window.WebSocket = ScriptedSocket;

  const URL_ = 'ws://127.0.0.1:9/';

  function check(condition, what, actual) {
    if (!condition) {
      throw new Error(what + (actual === undefined ? '' : ': got ' + JSON.stringify(actual)));
    }
  }

  function same(actual, expected, what) {
    check(JSON.stringify(actual) === JSON.stringify(expected), what + ' should be ' + JSON.stringify(expected), actual);
  }

  /** Waits (bounded) until the condition holds. */
  async function until(condition, what) {
    const deadline = Date.now() + 5000;
    while (!condition()) {
      if (Date.now() > deadline) {
        throw new Error('timed out waiting for ' + what);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** A client with fast backoff, its events recorded, and its first socket. */
  async function client(options) {
    const push = new ChannelPush(URL_, Object.assign({ minDelayMs: 4, maxDelayMs: 64 }, options || {}));
    const events = [];
    ['connecting', 'welcome', 'message', 'recovered', 'gap', 'disconnect', 'error'].forEach((name) => {
      push.on(name, (e) => events.push(Object.assign({ event: name }, e)));
    });
    const before = sockets.length;
    await until(() => sockets.length > before, 'the first socket');
    return { push, events, ws: sockets[sockets.length - 1] };
  }

  /** Drops the current socket and returns the next one the client opens. */
  async function reconnect(c) {
    const before = sockets.length;
    c.ws.drop(1006);
    await until(() => sockets.length > before, 'a reconnect');
    c.ws = sockets[sockets.length - 1];
    return c.ws;
  }

  const contents = (events) => events.filter((e) => e.event === 'message').map((e) => e.content);
  const named = (events, name) => events.filter((e) => e.event === name);

  const scenarios = {
    async connectsWithJsonFormatAndPassesLiveMessagesOnceEach() {
      const c = await client();
      same(c.ws.url, URL_ + '?format=json', 'the URL');
      c.ws.welcome(7);
      same(named(c.events, 'welcome').map((e) => [e.workerId, e.connectionId, e.reconnected]), [['w1', '7', false]],
        'the welcome');
      c.ws.message('broadcast', 'e1', 10, 'a');
      c.ws.message('broadcast', 'e1', 10, 'a again');
      c.ws.message('broadcast', 'e1', 9, 'older');
      c.ws.frame({ type: 'message', stream: 'connection', content: 'just you' });
      c.ws.message('broadcast', 'e1', 12, 'b');
      same(contents(c.events), ['a', 'just you', 'b'], 'the messages');
      same(c.push.stats.duplicatesDropped, 2, 'duplicates dropped');
      same(c.push.positions(), { broadcast: { epoch: 'e1', offset: 12 } }, 'the positions');
      check(named(c.events, 'message').every((m) => m.recovered === false), 'no message is marked recovered');
      c.push.close();
    },

    async reconnectsWithGrowingJitteredDelaysAndRecoversItsStreamsAndGroups() {
      const c = await client({ minDelayMs: 8, maxDelayMs: 32 });
      c.ws.welcome(1);
      const join = c.push.joinGroup('g1');
      c.ws.frame({ type: 'ack', id: c.ws.last('add_group').id, cmd: 'add_group' });
      await join;
      const quiet = c.push.joinGroup('g2');
      c.ws.frame({ type: 'ack', id: c.ws.last('add_group').id, cmd: 'add_group' });
      await quiet;
      c.ws.message('broadcast', 'e1', 5, 'b5');
      c.ws.message('group:g1', 'e1', 40, 'g40');
      for (let i = 0; i < 4; i++) {
        await reconnect(c);  // never welcomed: each failure waits longer
      }
      const delays = named(c.events, 'disconnect').map((e) => e.delayMs);
      same(delays.length, 4, 'disconnects');
      [8, 16, 32, 32].forEach((base, i) => check(delays[i] >= base / 2 && delays[i] <= base,
        'delay ' + i + ' within [' + base / 2 + ', ' + base + ']', delays));
      c.ws.welcome(2);
      same(c.ws.last('recover').streams, { broadcast: { epoch: 'e1', offset: 5 }, 'group:g1': { epoch: 'e1', offset: 40 } },
        'the recover');
      same(c.ws.sent.filter((s) => s.cmd === 'add_group').map((s) => s.group_id), ['g2'],
        'a group without a position is joined plainly');
      check(named(c.events, 'welcome').pop().reconnected, 'the second welcome says reconnected');
      await reconnect(c);
      same(named(c.events, 'disconnect').pop().delayMs <= 8, true, 'a welcome resets the backoff');
      c.push.close();
    },

    async takesTheNodesPositionsForStreamsWithoutOneAndReconnectsPromisingARecover() {
      const c = await client();
      same(c.ws.url, URL_ + '?format=json', 'nothing to recover: no promise');
      c.ws.readyState = 1;
      c.ws.frame({ type: 'welcome', worker_id: 'w1', connection_id: 1, streams: { broadcast: { epoch: 'e1', offset: 5 } } });
      same(c.ws.last('recover'), undefined, 'nothing to recover on the first connection');
      const join = c.push.joinGroup('g1');
      c.ws.frame({ type: 'ack', id: c.ws.last('add_group').id, cmd: 'add_group',
        streams: { 'group:g1': { epoch: 'e1', offset: 40 } } });
      await join;
      const plain = c.push.joinGroup('g2');
      c.ws.frame({ type: 'ack', id: c.ws.last('add_group').id, cmd: 'add_group' });
      await plain;
      same(c.push.positions(), { broadcast: { epoch: 'e1', offset: 5 }, 'group:g1': { epoch: 'e1', offset: 40 } },
        'the positions the node gave');
      c.ws.message('group:g1', 'e1', 41, 'g41');
      await reconnect(c);
      same(c.ws.url, URL_ + '?format=json&recover=1', 'the reconnect promises a recover');
      same(named(c.events, 'connecting').pop().url, c.ws.url, 'the connecting event names it');
      c.ws.readyState = 1;
      c.ws.frame({ type: 'welcome', worker_id: 'w1', connection_id: 2, streams: { broadcast: { epoch: 'e1', offset: 9 } } });
      same(c.ws.last('recover').streams, { broadcast: { epoch: 'e1', offset: 5 }, 'group:g1': { epoch: 'e1', offset: 41 } },
        'recovered from the kept positions, not the new welcome\'s');
      same(c.ws.sent.filter((x) => x.cmd === 'add_group').map((x) => x.group_id), ['g2'], 'g2 rejoined plainly');
      c.ws.message('broadcast', 'e1', 6, 'b6');
      c.ws.frame({ type: 'recovered', streams: { broadcast: true, 'group:g1': true }, id: c.ws.last('recover').id });
      same(contents(c.events), ['g41', 'b6'], 'the messages');
      same(c.push.positions().broadcast, { epoch: 'e1', offset: 6 }, 'the broadcast position');
      c.push.close();
    },

    async holdsRecoveringStreamsAndPassesThemOnInOffsetOrderMarkedRecovered() {
      const c = await client({ streams: { broadcast: { epoch: 'e1', offset: 10 }, 'group:g': { epoch: 'e1', offset: 100 } },
        groups: ['g'] });
      c.ws.welcome(1);
      const rec = c.ws.last('recover');
      same(rec.streams, { broadcast: { epoch: 'e1', offset: 10 }, 'group:g': { epoch: 'e1', offset: 100 } },
        'the first connection recovers from the given positions');
      c.ws.message('broadcast', 'e1', 14, 'b14 live before the replay');
      c.ws.frame({ type: 'message', stream: 'connection', content: 'targeted' });
      c.ws.message('broadcast', 'e1', 11, 'b11');
      c.ws.message('broadcast', 'e1', 10, 'b10 old');
      c.ws.message('group:g', 'e1', 130, 'g130');
      c.ws.message('broadcast', 'e1', 12, 'b12');
      c.ws.message('broadcast', 'e1', 13, 'b13');
      c.ws.message('broadcast', 'e1', 12, 'b12 again');
      same(contents(c.events), ['targeted'], 'only the targeted push passes during the recovery');
      c.ws.frame({ type: 'recovered', streams: { broadcast: true, 'group:g': true }, id: rec.id });
      same(contents(c.events), ['targeted', 'b11', 'b12', 'b13', 'b14 live before the replay', 'g130'], 'the messages');
      check(named(c.events, 'message').slice(1).every((m) => m.recovered), 'the held ones are marked recovered');
      same(named(c.events, 'recovered').map((e) => [e.streams, e.count]),
        [[{ broadcast: true, 'group:g': true }, 5]], 'the recovered event');
      same(c.push.stats.duplicatesDropped, 2, 'duplicates dropped');
      c.ws.message('broadcast', 'e1', 15, 'b15');
      same(named(c.events, 'message').pop(), { event: 'message', stream: 'broadcast', epoch: 'e1', offset: 15,
        content: 'b15', recovered: false }, 'the next live message');
      c.push.close();
    },

    async aStreamAnsweredFalseIsAGapAndStartsAgainFromItsNextMessage() {
      const c = await client({ streams: { broadcast: { epoch: 'old', offset: 3 } } });
      c.ws.welcome(1);
      c.ws.message('broadcast', 'new', 1, 'n1');
      c.ws.frame({ type: 'recovered', streams: { broadcast: false }, id: c.ws.last('recover').id });
      same(c.events.filter((e) => e.event !== 'connecting' && e.event !== 'welcome').map((e) => e.event + ':' + (e.content || e.reason || '')),
        ['gap:recover', 'message:n1', 'recovered:'], 'the events');
      same(c.push.positions(), { broadcast: { epoch: 'new', offset: 1 } }, 'the position after the gap');
      c.ws.message('broadcast', 'newer', 1, 'x');
      same(named(c.events, 'gap').pop(), { event: 'gap', stream: 'broadcast', reason: 'epoch', lastEpoch: 'new',
        epoch: 'newer' }, 'a live message of another epoch is a gap too');
      same(c.push.stats.gaps, 2, 'gaps');
      c.push.close();
    },

    async keepsAndRecoversItsUsersStreamAndForgetsOneAnsweredFalse() {
      const c = await client();
      c.ws.readyState = 1;
      c.ws.frame({ type: 'welcome', worker_id: 'w1', connection_id: 1,
        streams: { broadcast: { epoch: 'e1', offset: 5 }, 'uid:alice': { epoch: 'e1', offset: 30 } } });
      same(c.push.positions(), { broadcast: { epoch: 'e1', offset: 5 }, 'uid:alice': { epoch: 'e1', offset: 30 } },
        'the welcome\'s positions, the user stream\'s included');
      c.ws.message('uid:alice', 'e1', 31, 'a31');
      await reconnect(c);
      same(c.ws.url, URL_ + '?format=json&recover=1', 'the reconnect promises a recover');
      c.ws.readyState = 1;
      c.ws.frame({ type: 'welcome', worker_id: 'w1', connection_id: 2, streams: { 'uid:alice': { epoch: 'e1', offset: 40 } } });
      same(c.ws.last('recover').streams, { broadcast: { epoch: 'e1', offset: 5 }, 'uid:alice': { epoch: 'e1', offset: 31 } },
        'the user stream recovered from its kept position');
      c.ws.message('uid:alice', 'e1', 35, 'a35 live before the replay');
      c.ws.message('uid:alice', 'e1', 32, 'a32');
      c.ws.message('uid:alice', 'e1', 35, 'a35 again');
      c.ws.frame({ type: 'recovered', streams: { broadcast: true, 'uid:alice': true }, id: c.ws.last('recover').id });
      same(contents(c.events), ['a31', 'a32', 'a35 live before the replay'], 'each once, in offset order');
      await reconnect(c);
      c.ws.readyState = 1;
      c.ws.frame({ type: 'welcome', worker_id: 'w1', connection_id: 3, streams: { 'uid:bob': { epoch: 'e1', offset: 50 } } });
      same(c.ws.last('recover').streams, { broadcast: { epoch: 'e1', offset: 5 }, 'uid:alice': { epoch: 'e1', offset: 35 } },
        'the recover after the user changed');
      c.ws.frame({ type: 'recovered', streams: { broadcast: true, 'uid:alice': false }, id: c.ws.last('recover').id });
      same(named(c.events, 'gap').map((e) => [e.stream, e.reason]), [['uid:alice', 'recover']], 'the gap');
      same(c.push.positions(), { broadcast: { epoch: 'e1', offset: 5 }, 'uid:bob': { epoch: 'e1', offset: 50 } },
        'alice\'s position forgotten, bob\'s taken from the welcome');
      c.push.close();
    },

    async aConnectionLostDuringARecoveryRecoversAgainFromTheSameOffsets() {
      const c = await client({ streams: { broadcast: { epoch: 'e1', offset: 10 } } });
      c.ws.welcome(1);
      c.ws.message('broadcast', 'e1', 11, 'b11');
      c.ws.message('broadcast', 'e1', 12, 'b12');
      await reconnect(c);
      c.ws.welcome(2);
      same(c.ws.last('recover').streams, { broadcast: { epoch: 'e1', offset: 10 } }, 'the second recover');
      c.ws.message('broadcast', 'e1', 11, 'b11');
      c.ws.message('broadcast', 'e1', 12, 'b12');
      c.ws.frame({ type: 'recovered', streams: { broadcast: true }, id: c.ws.last('recover').id });
      same(contents(c.events), ['b11', 'b12'], 'each once');
      c.push.close();
    },

    async aRecoverRefusedByABusyNodeIsRetriedAndOneRefusedOtherwiseIsAGapAndAPlainJoin() {
      const c = await client({ streams: { 'group:g': { epoch: 'e1', offset: 7 } }, groups: ['g'] });
      c.ws.welcome(1);
      const first = c.ws.last('recover');
      c.ws.frame({ type: 'error', code: 'unavailable', message: 'busy', id: first.id, cmd: 'recover' });
      await until(() => c.ws.last('recover').id !== first.id, 'the retried recover');
      same(c.ws.last('recover').streams, first.streams, 'the retry');
      c.ws.frame({ type: 'error', code: 'unknown_cmd', message: 'old node', id: c.ws.last('recover').id, cmd: 'recover' });
      same(named(c.events, 'gap').map((e) => [e.stream, e.reason]), [['group:g', 'recover_refused']], 'the gap');
      same(c.ws.last('add_group').group_id, 'g', 'the plain join');
      same(named(c.events, 'error').map((e) => e.code), ['unknown_cmd'], 'the error event');
      c.push.close();
    },

    async commandsSettleOnTheirAnswerAndSayWhetherTheyWereSent() {
      const c = await client();
      const offline = await c.push.sendToGroup('g', 'x').catch((e) => e.code);
      same(offline, 'not_connected', 'before the welcome');
      c.ws.welcome(1);
      const ok = c.push.sendToGroup('g', 'hi');
      const sent = c.ws.last('send_to_group');
      same([sent.group_id, sent.message], ['g', 'hi'], 'the command');
      const refused = c.push.sendToGroup('g', 'no');
      c.ws.frame({ type: 'error', code: 'outcome_unknown', message: 'not confirmed', id: c.ws.last('send_to_group').id,
        cmd: 'send_to_group' });
      c.ws.frame({ type: 'ack', id: sent.id, cmd: 'send_to_group' });
      await ok;
      same(await refused.catch((e) => e.code), 'outcome_unknown', 'the error reply');
      const lost = c.push.sendToGroup('g', 'lost');
      c.ws.drop(1006);
      same(await lost.catch((e) => e.code), 'connection_lost', 'a command the connection took with it');
      c.push.close();
    },

    async leavingAGroupForgetsItsOffsetAndCloseStopsReconnecting() {
      const c = await client({ streams: { 'group:g': { epoch: 'e1', offset: 7 } }, groups: ['g'] });
      c.ws.welcome(1);
      c.ws.frame({ type: 'recovered', streams: { 'group:g': true }, id: c.ws.last('recover').id });
      const leave = c.push.leaveGroup('g');
      same(c.ws.last('leave_group').group_id, 'g', 'leave_group sent');
      c.ws.frame({ type: 'ack', id: c.ws.last('leave_group').id, cmd: 'leave_group' });
      await leave;
      same([c.push.groups(), c.push.positions()], [[], {}], 'groups and positions');
      const disconnects = named(c.events, 'disconnect').length;
      c.push.close();
      same(c.ws.closedWith, 1000, 'close code');
      await until(() => c.ws.closeReported, 'the browser reporting the close');
      // a reconnect would have been announced, with its delay, when the close was reported
      same(named(c.events, 'disconnect').length, disconnects, 'disconnect events after close()');
    },
  };

  window.scenarioNames = Object.keys(scenarios);
  window.runScenario = (name) => {
    window.scenarioResult = null;
    scenarios[name]().then(() => { window.scenarioResult = 'ok'; },
      (e) => { window.scenarioResult = 'failed: ' + e.message; });
  };
})();
