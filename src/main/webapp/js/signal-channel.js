/**
 * signal-channel browser client.
 *
 * An ES module with no dependencies and no build step:
 *
 *     <script type="module">
 *       import { SignalChannel } from './js/signal-channel.js';
 *     </script>
 *
 * It speaks the server's three endpoints (see docs/protocol.md) and builds a channel on them:
 *
 * - {@link echo}, {@link scuttlebutt}, {@link relay}: one WebSocket stream per call, with `write`,
 *   `end` and `open` / `data` / `close` / `error` events. Echo and scuttlebutt streams reconnect
 *   with exponential backoff and jitter; nothing reconnects after a 1008 (policy) close, except
 *   after "expired token" when `options.token` is a function.
 * - {@link Model}: a replica of a scuttlebutt namespace's expiring key/value model (`set`, `get`,
 *   `toJSON`, `"update"` events) that re-synchronises by digest after every reconnect.
 * - {@link SignalChannel}: `createPeers()` (presence with heartbeats) and `createNode()` (peer
 *   connections with named multiplexed streams and media tracks, signalled over echo, falling back
 *   to a relay session when a direct connection cannot be made).
 *
 * Events: every object that has events is an {@link Emitter}: `on(type, listener)`,
 * `once(type, listener)`, `off(type, listener)`. Listeners are called synchronously with the
 * arguments each event documents; an exception thrown by a listener is reported to the console
 * and does not disturb the library.
 *
 * The server defaults to the one that served this module: the module lives at
 * `<context>/js/signal-channel.js`, so the server is `<context>/`. Pass `options.server` (an
 * http(s) or ws(s) URL of the context root) to use another.
 *
 * A server that requires tokens (signed JWTs) gets one through `options.token`, which every
 * function and constructor takes: the token itself, or a function returning it (or a promise of
 * it), called before every connection and every reconnection of every stream, so a page can hand
 * out a fresh one each time. It travels as the WebSocket subprotocol `signal-channel.token.<jwt>`,
 * offered next to `signal-channel` (never in the URL), and as `Authorization: Bearer <jwt>` when
 * ICE servers are fetched from the server (`iceServers: 'v1/ice-servers'`); it is sent nowhere
 * else. The server closes a session whose token expires with 1008 "expired token": a stream whose
 * token is a function then reconnects, with backoff as after any drop, with a fresh token; with a
 * string token it ends. A token function that throws or rejects ends the stream with an `error`.
 *
 * @module signal-channel
 */

/** The protocol version this client speaks (the `v1` in every endpoint path). */
export const PROTOCOL_VERSION = 1;

/**
 * The WebSocket close codes the server uses. The client retries after every code except
 * {@link CloseCode.POLICY_VIOLATION} (but for its "expired token" when `options.token` is a function).
 * @readonly
 * @enum {number}
 */
export const CloseCode = Object.freeze({
  /** The conversation ended as it should, e.g. a relay partner closed. */
  NORMAL: 1000,
  /** The server is shutting down, or it heard nothing from the client for too long. */
  GOING_AWAY: 1001,
  /** A message of a kind the endpoint cannot take. */
  UNSUPPORTED_DATA: 1003,
  /** No close frame at all: the connection was lost (set by the browser, never sent). */
  ABNORMAL: 1006,
  /** A message the protocol does not allow: malformed JSON, a bad update or header. */
  INVALID_PAYLOAD: 1007,
  /**
   * A rule was broken (refused header or token, name too long, waited too long): do not retry;
   * but an "expired token" close is retried when the token comes from a function.
   */
  POLICY_VIOLATION: 1008,
  /** A message over the server's size limit. */
  MESSAGE_TOO_BIG: 1009,
  /** The server failed. */
  INTERNAL_ERROR: 1011,
  /** Too slow to keep up, or the server is full: retry later. */
  TRY_AGAIN_LATER: 1013,
});

/** The context root of the server that served this module, e.g. `https://example.org/app/`. */
export const defaultServer = new URL('../', import.meta.url).href;

/** The subprotocol every endpoint speaks; the server chooses it whenever it is offered. */
const SUBPROTOCOL = 'signal-channel';
/** How a session's token is offered: as a second subprotocol, this prefix and the token. */
const TOKEN_SUBPROTOCOL_PREFIX = SUBPROTOCOL + '.token.';
/** The close reason (with 1008) of a session whose token expired while it was open. */
const TOKEN_EXPIRED = 'expired token';
/** The characters a subprotocol name may hold (RFC 7230 tchar), all a JWT needs. */
const SUBPROTOCOL_CHARACTERS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const DAY = 24 * 60 * 60 * 1000;
const CONTROL_CHANNEL = 'signal-channel/control';
const hasWindow = typeof window !== 'undefined' && typeof window.addEventListener === 'function';

/** An error reported in an `"error"` event or a rejected promise, with the close code if any. */
export class SignalChannelError extends Error {
  /**
   * @param {string} message what went wrong
   * @param {{code?: number, reason?: string, cause?: unknown}} [details]
   */
  constructor(message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SignalChannelError';
    /** @type {number | undefined} the WebSocket close code, when a close caused it */
    this.code = details.code;
    /** @type {string | undefined} the close reason the server gave */
    this.reason = details.reason;
  }
}

// ---------------------------------------------------------------------------------------------
// Events

/**
 * A tiny event emitter, the base of every object with events here.
 */
export class Emitter {
  /** @type {Map<string, Set<Function>>} */
  #listeners = new Map();

  /**
   * Adds a listener.
   * @param {string} type
   * @param {(...args: any[]) => void} listener
   * @returns {this}
   */
  on(type, listener) {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, set = new Set());
    set.add(listener);
    return this;
  }

  /**
   * Adds a listener that is removed after its first call.
   * @param {string} type
   * @param {(...args: any[]) => void} listener
   * @returns {this}
   */
  once(type, listener) {
    const wrapper = (...args) => {
      this.off(type, wrapper);
      listener.apply(this, args);
    };
    wrapper.listener = listener;
    return this.on(type, wrapper);
  }

  /**
   * Removes a listener added with `on` or `once`.
   * @param {string} type
   * @param {(...args: any[]) => void} listener
   * @returns {this}
   */
  off(type, listener) {
    const set = this.#listeners.get(type);
    if (!set) return this;
    for (const candidate of set) {
      if (candidate === listener || /** @type {any} */ (candidate).listener === listener) {
        set.delete(candidate);
        break;
      }
    }
    if (set.size === 0) this.#listeners.delete(type);
    return this;
  }

  /**
   * How many listeners the event has.
   * @param {string} type
   */
  listenerCount(type) {
    return this.#listeners.get(type)?.size ?? 0;
  }

  /**
   * Calls every listener of `type` with `args`. An `"error"` nobody listens to goes to the console.
   * @param {string} type
   * @param {...any} args
   * @returns {boolean} whether anyone listened
   */
  emit(type, ...args) {
    const set = this.#listeners.get(type);
    if (!set || set.size === 0) {
      if (type === 'error') console.warn('signal-channel:', args[0]);
      return false;
    }
    for (const listener of [...set]) {
      try {
        listener.apply(this, args);
      } catch (error) {
        // A broken listener must not break the library's bookkeeping; report it like an uncaught error.
        setTimeout(() => { throw error; });
      }
    }
    return true;
  }
}

/**
 * Resolves with the first argument of the next `type` event of `emitter`.
 * @param {Emitter} emitter
 * @param {string} type
 * @param {{timeout?: number}} [options] reject after this many milliseconds
 * @returns {Promise<any>}
 */
export function once(emitter, type, options = {}) {
  return new Promise((resolve, reject) => {
    let timer;
    const listener = (value) => {
      clearTimeout(timer);
      resolve(value);
    };
    emitter.once(type, listener);
    if (options.timeout !== undefined) {
      timer = setTimeout(() => {
        emitter.off(type, listener);
        reject(new SignalChannelError(`no "${type}" event within ${options.timeout} ms`));
      }, options.timeout);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/**
 * A random identifier: `bytes` random bytes as lower-case hex. Works outside secure contexts too.
 * @param {number} [bytes]
 * @returns {string}
 */
export function randomId(bytes = 8) {
  const random = new Uint8Array(bytes);
  crypto.getRandomValues(random);
  return Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('');
}

let lastTimestamp = 0;
let sameMillisecond = 0;

/**
 * A strictly increasing timestamp, as the npm `monotonic-timestamp` package makes it:
 * `Date.now()`, plus a growing fraction (`.001`, `.002`, ...) when called again within the same
 * millisecond, or when the system clock went back. Scuttlebutt updates are stamped with it.
 * @returns {number}
 */
export function timestamp() {
  const now = Date.now();
  if (now > lastTimestamp) {
    lastTimestamp = now;
    sameMillisecond = 0;
    return now;
  }
  const base = Math.floor(lastTimestamp);
  let next;
  do {
    sameMillisecond++;
    next = base + sameMillisecond / (sameMillisecond + 999);
  } while (next <= lastTimestamp);
  lastTimestamp = next;
  return next;
}

/**
 * The WebSocket URL of an endpoint namespace.
 * @param {'echo' | 'scuttlebutt' | 'relay'} endpoint
 * @param {string} namespace
 * @param {string | URL} [server] the server's context root; defaults to {@link defaultServer}
 * @returns {string}
 */
export function endpointUrl(endpoint, namespace, server = defaultServer) {
  const url = new URL(`v${PROTOCOL_VERSION}/${endpoint}/${encodeURIComponent(checkNamespace(namespace))}`,
    contextRoot(server));
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  return url.href;
}

/**
 * The server's context root as an http(s) URL ending in `/`, whichever scheme it was given in.
 * @param {string | URL} [server]
 * @returns {URL}
 */
function contextRoot(server = defaultServer) {
  const root = new URL(String(server), hasWindow ? window.location.href : defaultServer);
  if (root.protocol === 'wss:') root.protocol = 'https:';
  else if (root.protocol === 'ws:') root.protocol = 'http:';
  if (!root.pathname.endsWith('/')) root.pathname += '/';
  return root;
}

/**
 * Checks the `token` option before any connection: absent, a string a subprotocol can carry, or a
 * function. The token itself never appears in an error.
 * @param {unknown} option
 * @returns {StreamOptions['token']}
 */
function checkTokenOption(option) {
  if (option === undefined || typeof option === 'function') return /** @type {any} */ (option);
  if (typeof option !== 'string') {
    throw new TypeError(`option "token" must be a string or a function returning one, got ${typeof option}`);
  }
  return checkToken(option, (message) => new TypeError(message));
}

/**
 * @param {unknown} token
 * @param {(message: string) => Error} [failure] makes the error to throw
 * @returns {string} the token, when a WebSocket subprotocol can carry it
 */
function checkToken(token, failure = (message) => new SignalChannelError(message)) {
  if (typeof token !== 'string' || token.length === 0) {
    throw failure(`a token is a non-empty string, got ${token === '' ? 'an empty one' : typeof token}`);
  }
  if (!SUBPROTOCOL_CHARACTERS.test(token)) {
    throw failure('a token may hold only the characters of a JWT (letters, digits, "-", "_", "."): '
      + 'it travels as a WebSocket subprotocol');
  }
  return token;
}

/**
 * The token the `token` option gives now: the string, or what the function returns, called afresh.
 * @param {StreamOptions['token']} option
 * @returns {Promise<string>}
 */
async function currentToken(option) {
  return checkToken(typeof option === 'function' ? await option() : option);
}

/**
 * The namespace to use (`"default"` for none), or a `TypeError` naming the rule it breaks. The
 * server refuses the same names (HTTP 400): ones made only of dots (URLs treat `.` and `..` as
 * steps in the path, so they would reach some other address), ones holding `/` or `\`, and ones
 * holding control characters. Their length (1 to 256 characters unless the server says otherwise)
 * is left to the server, which closes the connection with 1008.
 * @param {unknown} namespace
 * @returns {string}
 */
function checkNamespace(namespace) {
  if (namespace === undefined || namespace === null) return 'default';
  if (typeof namespace !== 'string' || namespace.length === 0) {
    throw new TypeError(`a namespace is a non-empty string, got ${JSON.stringify(namespace)}`);
  }
  if (/^\.+$/.test(namespace)) {
    throw new TypeError(`namespace ${JSON.stringify(namespace)}: a namespace name must not be only dots (".", ".."): URLs treat them as steps in the path`);
  }
  if (/[/\\]/.test(namespace)) {
    throw new TypeError(`namespace ${JSON.stringify(namespace)}: a namespace name must not contain "/" or "\\"`);
  }
  if (/\p{Cc}/u.test(namespace)) {
    throw new TypeError(`namespace ${JSON.stringify(namespace)}: a namespace name must not contain control characters (U+0000 to U+001F, U+007F to U+009F)`);
  }
  if (/\p{Cs}/u.test(namespace)) {
    throw new TypeError(`namespace ${JSON.stringify(namespace)}: a namespace name must be well-formed Unicode (it has a lone surrogate)`);
  }
  return namespace;
}

/** @param {unknown} value */
function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A deep copy of a JSON value; throws on anything JSON cannot hold. */
function cloneJson(value) {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('JSON cannot hold ' + value);
    if (typeof value === 'undefined' || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new TypeError(`not a JSON value: ${String(value)}`);
    }
    return value;
  }
  return JSON.parse(JSON.stringify(value));
}

/** Adds `listener` to a window event for as long as `owner` lives; returns the remover. */
function onWindow(type, listener) {
  if (!hasWindow) return () => {};
  window.addEventListener(type, listener);
  return () => window.removeEventListener(type, listener);
}

// ---------------------------------------------------------------------------------------------
// WebSocket streams

/**
 * @typedef {object} Backoff How long to wait before reconnecting: attempt `n` (from 0) waits
 *   `min(max, initial * factor^n)` milliseconds, shortened by up to `jitter` (a fraction) at random
 *   so that many clients do not come back at once. The count starts over once a connection has
 *   stayed open for `stable` milliseconds.
 * @property {number} [initial] first delay, ms (default 250)
 * @property {number} [max] longest delay, ms (default 10000)
 * @property {number} [factor] growth per attempt (default 2)
 * @property {number} [jitter] 0..1, the random share taken off each delay (default 0.5)
 * @property {number} [stable] ms a connection must last to reset the count (default 5000)
 */

/**
 * @typedef {object} StreamOptions
 * @property {string | URL} [server] the server's context root (http, https, ws or wss);
 *   defaults to the server that served this module
 * @property {boolean} [reconnect] reconnect after a drop (echo and scuttlebutt; default true)
 * @property {Backoff} [backoff]
 * @property {number} [queueLimit] most messages kept while not connected (default 1000); beyond it
 *   `write` throws
 * @property {string | (() => string | Promise<string>)} [token] the token (a signed JWT) a server
 *   that requires one admits this client with, or a function giving it, called before every
 *   connection and reconnection
 */

/** @type {Required<Backoff>} */
const DEFAULT_BACKOFF = { initial: 250, max: 10_000, factor: 2, jitter: 0.5, stable: 5_000 };

/** Close codes that mean "the client sent something wrong" (or the server failed): reported as errors. @type {Set<number>} */
const CLIENT_FAULTS = new Set([CloseCode.UNSUPPORTED_DATA, CloseCode.INVALID_PAYLOAD,
  CloseCode.POLICY_VIOLATION, CloseCode.MESSAGE_TOO_BIG, CloseCode.INTERNAL_ERROR]);

/**
 * One stream on one endpoint namespace, over a WebSocket that is replaced after a drop when the
 * stream reconnects.
 *
 * States: `connecting` → `open` ⇄ `reconnecting` → `closed` (relay streams go through `pairing`
 * and never reconnect).
 *
 * Events:
 * - `open` `({reconnected: boolean})`: connected (relay: paired); `write` now sends at once.
 * - `data` `(message)`: a message from the server; echo and relay: a `string` or an
 *   `ArrayBuffer`, as sent; scuttlebutt: one parsed protocol value.
 * - `disconnect` `({code, reason, delay})`: the connection dropped and will be retried in `delay` ms
 *   (also after 1008 "expired token" when the token comes from a function).
 * - `close` `({code, reason, wasClean})`: the stream ended for good (`end()`, a relay partner
 *   left, a 1008, or reconnecting is off).
 * - `error` `(SignalChannelError)`: the server refused something (1003, 1007, 1008, 1009, 1011)
 *   or the stream could not be opened (the token function failed, or gave no usable token).
 * - `state` `(state)`: every state change.
 */
export class SignalStream extends Emitter {
  /** @type {WebSocket | null} */
  #socket = null;
  /** @type {Array<string | ArrayBuffer | ArrayBufferView | Blob>} */
  #queue = [];
  #attempt = 0;
  #connections = 0;
  #openedAt = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #retryTimer;
  #ending = false;
  #removeOnline = () => {};
  /** @type {StreamOptions['token']} */
  #token;
  /** Whether a token function's answer is awaited (no socket yet), so no second connect starts. */
  #awaitingToken = false;

  /**
   * @param {'echo' | 'scuttlebutt' | 'relay'} endpoint
   * @param {string} namespace
   * @param {StreamOptions} options
   * @param {boolean} reconnects whether this kind of stream may reconnect
   */
  constructor(endpoint, namespace, options = {}, reconnects = true) {
    super();
    /** @type {string} */
    this.endpoint = endpoint;
    /** @type {string} */
    this.namespace = checkNamespace(namespace);
    /** @type {string} the WebSocket URL */
    this.url = endpointUrl(endpoint, this.namespace, options.server);
    /** @type {'connecting' | 'pairing' | 'open' | 'reconnecting' | 'closed'} */
    this.state = 'connecting';
    /** @type {boolean} */
    this.reconnects = reconnects && options.reconnect !== false;
    /** @type {Required<Backoff>} */
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    /** @type {number} */
    this.queueLimit = options.queueLimit ?? 1000;
    /** @type {{code: number, reason: string, wasClean: boolean} | null} how the last connection ended */
    this.lastClose = null;
    this.#token = checkTokenOption(options.token);
  }

  /** Bytes written to the current socket and not yet sent. */
  get bufferedAmount() {
    return this.#socket?.bufferedAmount ?? 0;
  }

  /**
   * Sends a message, or keeps it (in order, up to `queueLimit`) until the stream is open.
   * @param {string | ArrayBuffer | ArrayBufferView | Blob} message
   * @returns {boolean} true if it was handed to the socket, false if it waits for the connection
   */
  write(message) {
    if (this.state === 'closed' || this.#ending) throw new SignalChannelError('write after end');
    if (this.state === 'open' && this.#socket?.readyState === WebSocket.OPEN) {
      this.#socket.send(message);
      return true;
    }
    if (this.#queue.length >= this.queueLimit) {
      throw new SignalChannelError(`more than ${this.queueLimit} messages are waiting for the connection`);
    }
    this.#queue.push(message);
    return false;
  }

  /**
   * Ends the stream: sends what is queued once open, closes with 1000, never reconnects.
   * The `close` event follows.
   */
  end() {
    if (this.state === 'closed' || this.#ending) return;
    this.#ending = true;
    clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    if (socket && socket.readyState === WebSocket.OPEN) {
      if (this.state === 'open') this.#flush();
      socket.close(CloseCode.NORMAL, 'end');
    } else if (!socket || socket.readyState !== WebSocket.CONNECTING) {
      // Waiting to reconnect: nothing to close, but 'close' must still come asynchronously.
      queueMicrotask(() => this.#finish({ code: CloseCode.NORMAL, reason: 'end', wasClean: true }));
    }
    // A socket still connecting is closed by #opened once it opens.
  }

  /** Opens the first connection; the factories call it once listeners can be attached. */
  _start() {
    this.#connect();
    if (this.reconnects) {
      this.#removeOnline = onWindow('online', () => {
        if (this.state === 'reconnecting') {
          clearTimeout(this.#retryTimer);
          this.#connect();
        }
      });
    }
  }

  /** Sends at once, bypassing the queue; for protocol messages (headers, digests). */
  _sendNow(message) {
    this.#socket?.send(message);
  }

  /** Called when the socket opens; marks the stream open unless a subclass waits for more. */
  _socketOpened() {
    this._markOpen();
  }

  /** Marks the stream open: flushes the queue and emits `open`. */
  _markOpen() {
    this.#openedAt = Date.now();
    this.#setState('open');
    this.#flush();
    this.emit('open', { reconnected: this.#connections > 1 });
  }

  /** Called with every message the socket receives. */
  _received(message) {
    this.emit('data', message);
  }

  #flush() {
    const socket = this.#socket;
    while (this.#queue.length > 0 && socket?.readyState === WebSocket.OPEN) {
      socket.send(this.#queue.shift());
    }
  }

  #setState(state) {
    if (this.state !== state) {
      this.state = state;
      this.emit('state', state);
    }
  }

  #connect() {
    if (this.#awaitingToken) return;
    if (typeof this.#token !== 'function') {
      this.#open(this.#token);
      return;
    }
    this.#awaitingToken = true;
    currentToken(this.#token).then((token) => {
      this.#awaitingToken = false;
      // end() while the token was coming: 'close' is already on its way.
      if (!this.#ending && this.state !== 'closed') this.#open(token);
    }, (cause) => {
      this.#awaitingToken = false;
      if (this.state === 'closed') return;
      this.emit('error', new SignalChannelError(
        `no token for the ${this.endpoint} stream "${this.namespace}": ${cause?.message ?? cause}`, { cause }));
      this.#finish({ code: CloseCode.ABNORMAL, reason: 'no token', wasClean: false });
    });
  }

  /** @param {string | undefined} token */
  #open(token) {
    let socket;
    try {
      socket = token === undefined ? new WebSocket(this.url)
        : new WebSocket(this.url, [SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + token]);
    } catch (cause) {
      queueMicrotask(() => {
        this.emit('error', new SignalChannelError(`cannot open ${this.url}: ${cause.message}`, { cause }));
        this.#finish({ code: CloseCode.ABNORMAL, reason: String(cause.message), wasClean: false });
      });
      return;
    }
    this.#connections++;
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      if (this.#ending) {
        // A relay session must start with its header, so what waits for it is dropped.
        if (this.endpoint !== 'relay') this.#flush();
        socket.close(CloseCode.NORMAL, 'end');
        return;
      }
      this._socketOpened();
    };
    socket.onmessage = (event) => {
      if (this.#socket === socket) this._received(event.data);
    };
    socket.onclose = (event) => {
      if (this.#socket === socket) this.#closed(event);
    };
  }

  /** @param {CloseEvent} event */
  #closed({ code, reason, wasClean }) {
    this.#socket = null;
    const closure = { code, reason, wasClean };
    this.lastClose = closure;
    if (this.#openedAt && Date.now() - this.#openedAt >= this.backoff.stable) this.#attempt = 0;
    this.#openedAt = 0;
    // An expired token is routine when the page can make a fresh one: a drop, not a refusal.
    const refreshesToken = code === CloseCode.POLICY_VIOLATION && reason === TOKEN_EXPIRED
      && typeof this.#token === 'function' && this.reconnects;
    if (CLIENT_FAULTS.has(code) && !this.#ending && !refreshesToken) {
      this.emit('error', new SignalChannelError(
        `the server closed the ${this.endpoint} stream "${this.namespace}" with ${code}${reason ? ': ' + reason : ''}`,
        { code, reason }));
    }
    if (this.#ending || !this.reconnects || (code === CloseCode.POLICY_VIOLATION && !refreshesToken)) {
      this.#finish(closure);
      return;
    }
    const { initial, max, factor, jitter } = this.backoff;
    const ceiling = Math.min(max, initial * factor ** this.#attempt);
    const delay = Math.round(ceiling * (1 - jitter * Math.random()));
    this.#attempt++;
    this.#setState('reconnecting');
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
    this.emit('disconnect', { ...closure, delay });
  }

  #finish(closure) {
    if (this.state === 'closed') return;
    this.#removeOnline();
    this.#queue = [];
    this.#setState('closed');
    this.emit('close', closure);
  }
}

/**
 * Opens a stream on the echo namespace: every message written reaches every stream open on the
 * namespace, this one included. Reconnects after a drop (messages sent meanwhile are lost; what
 * is written while disconnected is sent after reconnecting).
 * @param {string} [namespace] defaults to `"default"`
 * @param {StreamOptions} [options]
 * @returns {SignalStream}
 */
export function echo(namespace = 'default', options = {}) {
  const stream = new SignalStream('echo', namespace, options, true);
  stream._start();
  return stream;
}

/**
 * @typedef {StreamOptions & {model?: Model | false}} ScuttlebuttOptions
 *   `model`: the replica to keep in step with the server (default: a new {@link Model});
 *   `false` for a raw protocol stream.
 */

/**
 * A stream on the scuttlebutt endpoint. `write(value)` sends one protocol value (a digest object,
 * an update array or `"SYNC"`) as a JSON line; `data` events carry one parsed value each.
 * Usually you only use its {@link Model}: `stream.model`.
 */
export class ScuttlebuttStream extends SignalStream {
  /**
   * @param {string} namespace
   * @param {ScuttlebuttOptions} options
   */
  constructor(namespace, options = {}) {
    super('scuttlebutt', namespace, options, true);
    /** @type {Model | null} the replica this stream keeps in step, if any */
    this.model = options.model === false ? null : (options.model ?? new Model());
  }

  /**
   * Sends one protocol value as a JSON line.
   * @param {unknown} value
   */
  write(value) {
    return super.write(JSON.stringify(value) + '\n');
  }

  /**
   * Sends many protocol values, packed several lines to a message (at most 500 values and about
   * 32 000 characters each, well within the server's limits).
   * @param {unknown[]} values
   */
  writeAll(values) {
    let message = '';
    let count = 0;
    for (const value of values) {
      const line = JSON.stringify(value) + '\n';
      if (message && (message.length + line.length > 32_000 || count >= 500)) {
        super.write(message);
        message = '';
        count = 0;
      }
      message += line;
      count++;
    }
    if (message) super.write(message);
  }

  _received(message) {
    if (typeof message !== 'string') return;
    for (const line of message.split('\n')) {
      if (line.trim() === '') continue;
      let value;
      try {
        value = JSON.parse(line);
      } catch (cause) {
        this.emit('error', new SignalChannelError(`not a JSON line from the server: ${line.slice(0, 40)}`, { cause }));
        continue;
      }
      this.emit('data', value);
    }
  }
}

/**
 * Opens a stream on the scuttlebutt namespace and keeps a {@link Model} replica in step with the
 * server's: `scuttlebutt('room').model.set('topic', 'hello')`. Reconnects after a drop and
 * re-synchronises by digest.
 * @param {string} [namespace] defaults to `"default"`
 * @param {ScuttlebuttOptions} [options]
 * @returns {ScuttlebuttStream}
 */
export function scuttlebutt(namespace = 'default', options = {}) {
  const stream = new ScuttlebuttStream(namespace, options);
  stream.model?.replicate(stream);
  stream._start();
  return stream;
}

/**
 * @typedef {StreamOptions & {local: string, remote: string}} RelayOptions
 *   `local`: the token this side goes by; `remote`: the token of the partner (1 to 256
 *   characters, different). The partner opens the same namespace with the two swapped.
 */

/**
 * A relay stream: once the partner presenting the mirror header has connected, `open` fires and
 * every message goes to that partner alone. Writes made before are kept and sent after `open`.
 * Never reconnects: when either side closes, both end (`close` with 1000).
 */
export class RelayStream extends SignalStream {
  #header;
  #paired = false;

  /**
   * @param {string} namespace
   * @param {RelayOptions} options
   */
  constructor(namespace, options) {
    super('relay', namespace, { ...options, reconnect: false }, false);
    const { local, remote } = options ?? {};
    for (const [name, token] of [['local', local], ['remote', remote]]) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 256) {
        throw new TypeError(`relay option "${name}" must be a string of 1 to 256 characters`);
      }
    }
    if (local === remote) throw new TypeError('relay tokens "local" and "remote" must differ');
    this.#header = JSON.stringify({ local, remote });
  }

  _socketOpened() {
    this._sendNow(this.#header);
    this.state = 'pairing';
    this.emit('state', 'pairing');
  }

  _received(message) {
    if (!this.#paired) {
      // The first message after the header is always the server's {"open":true}.
      this.#paired = true;
      this._markOpen();
      return;
    }
    super._received(message);
  }
}

/**
 * Opens a relay stream: `relay('ns', {local: 'a', remote: 'b'})` here and
 * `relay('ns', {local: 'b', remote: 'a'})` elsewhere are paired by the server.
 * @param {string} namespace
 * @param {RelayOptions} options
 * @returns {RelayStream}
 */
export function relay(namespace, options) {
  const stream = new RelayStream(namespace, options);
  stream._start();
  return stream;
}

// ---------------------------------------------------------------------------------------------
// The model replica

/**
 * One write, as the model holds it (`[[key, value], ts, source]` on the wire).
 * @typedef {object} Write
 * @property {string} key
 * @property {any} value
 * @property {number} ts
 * @property {string} source
 */

/**
 * @typedef {object} UpdateInfo
 * @property {number} ts when the write was made (by its source's clock)
 * @property {string} source the id of the replica that made it
 * @property {boolean} local whether this replica made it
 * @property {any} write the value written (for an object, the fields this write set)
 */

/** @param {Write} a @param {Write} b */
function isNewer(a, b) {
  return a.ts > b.ts || (a.ts === b.ts && a.source > b.source);
}

/** @param {Write} a @param {Write} b */
function compareWrites(a, b) {
  if (a.ts !== b.ts) return a.ts - b.ts;
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * The writes of one key that still shape its value: the newest non-object write (`reset`; a
 * `null` there is a tombstone), the newer object writes that still own a field, and which write
 * owns each field. Mirrors the server's KeyHistory, so replicas that saw the same writes agree.
 * @typedef {{reset: Write | null, patches: Write[], owners: Map<string, Write>}} KeyState
 */

/** @type {KeyState} */
const EMPTY_KEY = Object.freeze({ reset: null, patches: [], owners: new Map() });

/**
 * @param {KeyState} state
 * @param {Write} write
 * @returns {KeyState | null} the new state, or null when the write changes nothing
 */
function fold(state, write) {
  if (state.reset && !isNewer(write, state.reset)) return null;
  if (state.patches.some((p) => p.ts === write.ts && p.source === write.source)) return null;
  if (!isPlainObject(write.value)) {
    const owners = new Map([...state.owners].filter(([, owner]) => isNewer(owner, write)));
    return { reset: write, patches: state.patches.filter((p) => isNewer(p, write)), owners };
  }
  const owners = new Map(state.owners);
  for (const field of Object.keys(write.value)) {
    const owner = owners.get(field);
    if (!owner || isNewer(write, owner)) owners.set(field, write);
  }
  const candidates = [...state.patches];
  let position = 0;
  while (position < candidates.length && isNewer(write, candidates[position])) position++;
  candidates.splice(position, 0, write);
  const newest = candidates[candidates.length - 1];
  const owning = new Set(owners.values());
  if (write !== newest && !owning.has(write)) return null;
  return { reset: state.reset, patches: candidates.filter((p) => p === newest || owning.has(p)), owners };
}

/** @param {KeyState} state @param {number} cutoff */
function withoutWritesBefore(state, cutoff) {
  const records = keyRecords(state);
  if (records.every((r) => r.ts >= cutoff)) return state;
  return {
    reset: state.reset && state.reset.ts >= cutoff ? state.reset : null,
    patches: state.patches.filter((p) => p.ts >= cutoff),
    owners: new Map([...state.owners].filter(([, owner]) => owner.ts >= cutoff)),
  };
}

/** @param {KeyState} state */
function keyRecords(state) {
  return state.reset ? [state.reset, ...state.patches] : state.patches;
}

/** @param {KeyState} state */
function isLive(state) {
  return state.patches.length > 0 || (state.reset !== null && state.reset.value !== null);
}

/** @param {KeyState} state */
function valueOf(state) {
  if (state.patches.length === 0) return cloneJson(state.reset.value);
  const merged = {};
  for (const field of [...state.owners.keys()].sort()) {
    merged[field] = cloneJson(state.owners.get(field).value[field]);
  }
  return merged;
}

/** @param {unknown} wire @returns {Write | null} */
function parseUpdate(wire) {
  if (!Array.isArray(wire) || wire.length < 3 || !Array.isArray(wire[0]) || wire[0].length < 2) return null;
  const [[key, value], ts, source] = wire;
  if (typeof key !== 'string' || typeof ts !== 'number' || !Number.isFinite(ts) || typeof source !== 'string') return null;
  return { key, value, ts, source };
}

/** @param {Write} record */
function toWire(record) {
  return [[record.key, record.value], record.ts, record.source];
}

/** @param {unknown} value */
function isDigest(value) {
  return isPlainObject(value) && isPlainObject(/** @type {any} */ (value).clock);
}

/**
 * A replica of a scuttlebutt namespace's expiring key/value model, with the server's semantics:
 * last writer wins per key (by timestamp, then source id); an object written over an object
 * merges into it field by field, each field keeping its newest write; `null` deletes (and is
 * remembered, so a late older write cannot bring the key back); writes older than `maxAge` are
 * forgotten.
 *
 * Events:
 * - `update` `(key, value, info: UpdateInfo)`: a write was accepted, local or remote; `value` is
 *   the key's value now (`null` when deleted).
 * - `sync` `(stream)`: the server has sent all the history this replica lacked (after every
 *   (re)connect).
 */
export class Model extends Emitter {
  /** @type {Map<string, KeyState>} */
  #keys = new Map();
  /** @type {Map<string, number>} newest timestamp seen per source */
  #clock = new Map();
  /** @type {Set<(record: Write, origin: unknown) => void>} */
  #forwarders = new Set();
  #lastPurge = 0;

  /**
   * @param {{id?: string, maxAge?: number}} [options] `id`: this replica's source id (default:
   *   random); `maxAge`: how long writes live, ms (default one day, as the server)
   */
  constructor(options = {}) {
    super();
    /** @type {string} */
    this.id = options.id ?? randomId();
    /** @type {number} */
    this.maxAge = options.maxAge ?? DAY;
  }

  /**
   * Writes a key: any JSON value; `null` deletes it; an object merges into an object value.
   * @param {string} key
   * @param {any} value
   * @returns {number} the write's timestamp
   */
  set(key, value) {
    if (typeof key !== 'string') throw new TypeError('a key is a string');
    const record = { key, value: cloneJson(value), ts: timestamp(), source: this.id };
    this.#apply(record, null);
    return record.ts;
  }

  /**
   * Deletes a key (the same as `set(key, null)`).
   * @param {string} key
   */
  delete(key) {
    return this.set(key, null);
  }

  /**
   * The key's value (a copy), or `undefined` when it has none.
   * @param {string} key
   */
  get(key) {
    this.#purgeSometimes();
    const state = this.#keys.get(key);
    return state && isLive(state) ? valueOf(state) : undefined;
  }

  /** @param {string} key */
  has(key) {
    const state = this.#keys.get(key);
    return !!state && isLive(state);
  }

  /** The keys that have a value, sorted. */
  keys() {
    this.#purgeSometimes();
    return [...this.#keys].filter(([, state]) => isLive(state)).map(([key]) => key).sort();
  }

  /** Every key with its value, as a plain object. */
  toJSON() {
    /** @type {Record<string, any>} */
    const state = {};
    for (const key of this.keys()) state[key] = valueOf(this.#keys.get(key));
    return state;
  }

  /** The newest timestamp this replica has seen from each source. */
  clock() {
    this.#purgeSometimes();
    return Object.fromEntries(this.#clock);
  }

  /**
   * The writes held that a replica with `clock` lacks, oldest first, in wire form
   * (`[[key, value], ts, source]`).
   * @param {Record<string, number>} [clock]
   */
  history(clock = {}) {
    this.#purge();
    const lacking = [];
    for (const state of this.#keys.values()) {
      for (const record of keyRecords(state)) {
        const known = Object.hasOwn(clock, record.source) ? clock[record.source] : undefined;
        if (typeof known !== 'number' || record.ts > known) lacking.push(record);
      }
    }
    return lacking.sort(compareWrites).map(toWire);
  }

  /**
   * Applies a write in wire form (`[[key, value], ts, source]`), as if a peer had sent it.
   * @param {unknown} update
   * @returns {boolean} whether it was new information
   */
  applyUpdate(update) {
    const record = parseUpdate(update);
    return record ? this.#apply(record, undefined) : false;
  }

  /**
   * Keeps this replica in step through `stream` (done for you by {@link scuttlebutt}): on every
   * open, sends the digest; on the server's digest, sends what the server lacks and `"SYNC"`;
   * then sends each accepted write the server has not seen.
   * @param {ScuttlebuttStream} stream
   * @returns {() => void} stops replicating through the stream
   */
  replicate(stream) {
    /** @type {Map<string, number> | null} what the server has, once it sent its digest */
    let peerClock = null;
    const peerLacks = (record) => {
      const known = peerClock.get(record.source);
      return known === undefined || record.ts > known;
    };
    const peerHas = (record) => {
      if (peerClock && peerLacks(record)) peerClock.set(record.source, record.ts);
    };
    const onOpen = () => {
      peerClock = null;
      stream.write({ id: this.id, clock: this.clock() });
    };
    const onData = (value) => {
      if (value === 'SYNC') {
        this.emit('sync', stream);
      } else if (Array.isArray(value)) {
        const record = parseUpdate(value);
        if (!record) {
          stream.emit('error', new SignalChannelError(`not an update: ${JSON.stringify(value).slice(0, 60)}`));
          return;
        }
        peerHas(record);
        this.#apply(record, stream);
      } else if (isDigest(value)) {
        peerClock = new Map(Object.entries(value.clock).filter(([, ts]) => typeof ts === 'number'));
        const lacking = this.history(Object.fromEntries(peerClock));
        for (const wire of lacking) peerHas(parseUpdate(wire));
        stream.writeAll([...lacking, 'SYNC']);
      }
    };
    const onDrop = () => { peerClock = null; };
    const forward = (record, origin) => {
      if (origin !== stream && peerClock && stream.state === 'open' && peerLacks(record)) {
        stream.write(toWire(record));
        peerHas(record);
      }
    };
    stream.on('open', onOpen).on('data', onData).on('disconnect', onDrop).on('close', onDrop);
    this.#forwarders.add(forward);
    if (stream.state === 'open') onOpen();
    return () => {
      stream.off('open', onOpen).off('data', onData).off('disconnect', onDrop).off('close', onDrop);
      this.#forwarders.delete(forward);
    };
  }

  /**
   * @param {Write} record
   * @param {unknown} origin the stream it came from, null for a local write
   */
  #apply(record, origin) {
    this.#purgeSometimes();
    if (record.ts < Date.now() - this.maxAge) return false;
    const seen = this.#clock.get(record.source);
    if (seen === undefined || record.ts > seen) this.#clock.set(record.source, record.ts);
    const after = fold(this.#keys.get(record.key) ?? EMPTY_KEY, record);
    if (!after) return false;
    this.#keys.set(record.key, after);
    for (const forward of this.#forwarders) forward(record, origin);
    const value = isLive(after) ? valueOf(after) : null;
    this.emit('update', record.key, value, {
      ts: record.ts, source: record.source, local: origin === null, write: cloneJson(record.value),
    });
    return true;
  }

  #purgeSometimes() {
    if (Date.now() - this.#lastPurge > 60_000) this.#purge();
  }

  #purge() {
    const now = Date.now();
    this.#lastPurge = now;
    const cutoff = now - this.maxAge;
    for (const [key, state] of this.#keys) {
      const kept = withoutWritesBefore(state, cutoff);
      if (keyRecords(kept).length === 0) this.#keys.delete(key);
      else if (kept !== state) this.#keys.set(key, kept);
    }
    for (const [source, ts] of this.#clock) {
      if (ts < cutoff) this.#clock.delete(source);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The channel

/**
 * @typedef {object} ChannelOptions
 * @property {string | URL} [server] the server's context root (default: the one that served this module)
 * @property {StreamOptions['token']} [token] the token a server that requires one admits this
 *   client with, or a function giving it, called before every connection and reconnection of every
 *   stream the channel opens (presence, signalling, relay) and every fetch of its ICE servers
 * @property {Backoff} [backoff] reconnection of the echo and scuttlebutt streams
 * @property {number} [heartbeatInterval] presence: ms between heartbeats (default 5000)
 * @property {number} [heartbeatTimeout] presence: ms without a heartbeat after which a peer has
 *   left (default 3 × heartbeatInterval)
 * @property {RTCIceServer[] | string | (() => Promise<RTCIceServer[]>)} [iceServers] STUN/TURN
 *   servers: a list, a URL to fetch the list from (JSON: a list or `{iceServers: [...]}`), or a
 *   function resolving to one. Default: none (host candidates only; no public STUN server is
 *   ever contacted unless you name one). A URL under the server's context root (e.g.
 *   `'v1/ice-servers'`) is fetched with `Authorization: Bearer <token>` when `token` is set (the
 *   function called afresh); a URL elsewhere never gets the token.
 * @property {RTCIceTransportPolicy} [iceTransportPolicy] `"relay"` to use TURN only
 * @property {boolean} [relay] never try WebRTC: carry connections over a relay session
 * @property {number} [iceTimeout] ms a new direct connection may go without progress (no signal
 *   from the peer, no ICE or connection state change) before falling back to the relay (default 15000)
 * @property {number} [maxIceRestarts] ICE restarts tried when an open direct connection fails
 *   (default 2) before it is closed
 * @property {number} [connectTimeout] ms a connection may take to open at all (default 45000)
 * @property {number} [relayFragmentSize] largest relay frame payload, bytes (default 16384)
 */

/**
 * A signal channel: a presence list and a network of peer connections on one namespace. Callable
 * with or without `new`.
 * @param {string} [namespace] defaults to `"default"`
 * @param {ChannelOptions} [options]
 * @returns {SignalChannel}
 * @constructor
 */
export function SignalChannel(namespace = 'default', options = {}) {
  if (!new.target) return new SignalChannel(namespace, options);
  /** @type {string} */
  this.namespace = checkNamespace(namespace);
  /** @type {ChannelOptions} */
  this.options = { ...options };
}

/**
 * The presence list (on the scuttlebutt namespace of the channel's name).
 * @param {ChannelOptions} [options] overrides of the channel's options
 * @returns {Peers}
 */
SignalChannel.prototype.createPeers = function createPeers(options = {}) {
  return new Peers(this, options);
};

/**
 * The network (signalling on the echo namespace of the channel's name). Call `listen(id)` on it.
 * @param {(connection: PeerConnection, opened: boolean) => void} [onConnection] called for every
 *   connection, `opened` true for those this node opened with `connect`
 * @param {ChannelOptions} [options] overrides of the channel's options
 * @returns {Node}
 */
SignalChannel.prototype.createNode = function createNode(onConnection, options = {}) {
  return new Node(this, onConnection, options);
};

// ---------------------------------------------------------------------------------------------
// Presence

/**
 * @typedef {{id: string, [field: string]: any}} PeerMeta
 */

/**
 * The presence list of a channel, built on its scuttlebutt namespace: each peer writes its meta
 * under its id, refreshes it with heartbeats, and deletes it when it leaves.
 *
 * A peer that closes its page leaves at once (its key is deleted on `pagehide`); one that
 * vanishes leaves when nothing was heard from it for `heartbeatTimeout` while this peer's own
 * presence stream was connected (silence while disconnected means nothing, so a server restart
 * does not make everyone leave). A peer first seen in the history the server sends with a write
 * older than the timeout is not reported until it is heard from again.
 *
 * Events (never for this peer itself):
 * - `join` `(peer: PeerMeta)`
 * - `leave` `(peer: PeerMeta, reason: 'left' | 'timeout')`
 * - `update` `(peer: PeerMeta)`: a present peer changed its meta
 * - `sync` `()`: the server's history has been received (after every (re)connect)
 * - `state` `(state)`: the underlying stream's state
 * - `close` `()`
 */
export class Peers extends Emitter {
  /** @type {Map<string, {meta: PeerMeta, live: boolean, lastSeen: number}>} */
  #known = new Map();
  /** @type {PeerMeta | null} */
  #self = null;
  #beats = 0;
  #synced = false;
  #closed = false;
  #beatTimer;
  #checkTimer;
  #removePagehide;

  /**
   * @param {SignalChannel} channel
   * @param {ChannelOptions} options
   */
  constructor(channel, options = {}) {
    super();
    const settings = { ...channel.options, ...options };
    /** @type {number} */
    this.heartbeatInterval = settings.heartbeatInterval ?? 5_000;
    /** @type {number} */
    this.heartbeatTimeout = settings.heartbeatTimeout ?? 3 * this.heartbeatInterval;
    /** @type {Model} */
    this.model = new Model();
    /** @type {ScuttlebuttStream} the presence stream */
    this.stream = new ScuttlebuttStream(channel.namespace, { ...settings, model: this.model });
    this.model.replicate(this.stream);
    this.model.on('update', (key, value, info) => this.#observe(key, value, info));
    this.model.on('sync', () => {
      this.#synced = true;
      // Nobody could be heard while we were away: everyone gets a full timeout from now.
      const now = Date.now();
      for (const peer of this.#known.values()) if (peer.live) peer.lastSeen = now;
      this.emit('sync');
    });
    this.stream.on('state', (state) => {
      if (state !== 'open') this.#synced = false;
      this.emit('state', state);
    });
    this.stream.on('error', (error) => this.emit('error', error));
    this.stream._start();
    this.#checkTimer = setInterval(() => this.#expire(), Math.max(50, Math.min(1_000, this.heartbeatTimeout / 4)));
    this.#removePagehide = onWindow('pagehide', () => this.close());
  }

  /** This peer's meta while joined, else null. */
  get self() {
    return this.#self && { ...this.#self };
  }

  /**
   * Announces this peer. Heartbeats keep it present until `leave()` or `close()`.
   * @param {Partial<PeerMeta>} [meta] anything JSON; `id` defaults to a random one
   * @returns {PeerMeta} the meta announced
   */
  join(meta = {}) {
    if (this.#closed) throw new SignalChannelError('the presence list is closed');
    const id = meta.id === undefined ? randomId() : String(meta.id);
    this.#self = { ...cloneJson(meta), id };
    this.model.set(id, { ...this.#self, heartbeat: ++this.#beats });
    clearInterval(this.#beatTimer);
    // Each beat re-writes the whole meta: fields expire with the write that set them (maxAge).
    this.#beatTimer = setInterval(() => {
      if (this.#self) this.model.set(this.#self.id, { ...this.#self, heartbeat: ++this.#beats });
    }, this.heartbeatInterval);
    return this.self;
  }

  /**
   * Changes this peer's meta (fields merge into what was announced; set a field to null to
   * clear it).
   * @param {Record<string, any>} meta
   */
  update(meta) {
    if (!this.#self) throw new SignalChannelError('join() before update()');
    this.#self = { ...this.#self, ...cloneJson(meta), id: this.#self.id };
    this.model.set(this.#self.id, { ...cloneJson(meta), id: this.#self.id });
  }

  /** Withdraws this peer: deletes its entry so the others see it leave now. */
  leave() {
    clearInterval(this.#beatTimer);
    if (!this.#self) return;
    this.model.set(this.#self.id, null);
    this.#self = null;
  }

  /** The peers present now (not this one), sorted by id. */
  list() {
    return [...this.#known.values()].filter((p) => p.live).map((p) => ({ ...p.meta }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * A present peer's meta, or undefined.
   * @param {string} id
   */
  get(id) {
    const peer = this.#known.get(id);
    return peer?.live ? { ...peer.meta } : undefined;
  }

  /** Leaves and closes the presence stream. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.leave();
    clearInterval(this.#checkTimer);
    this.#removePagehide();
    this.stream.end();
    for (const peer of this.#known.values()) peer.live = false;
    this.emit('close');
  }

  #expire() {
    if (!this.#synced) return; // silence heard while disconnected means nothing
    const now = Date.now();
    for (const peer of this.#known.values()) {
      if (peer.live && now - peer.lastSeen > this.heartbeatTimeout) {
        peer.live = false;
        this.emit('leave', { ...peer.meta }, 'timeout');
      }
    }
  }

  #observe(key, value, info) {
    if (info.local || (this.#self && key === this.#self.id)) return;
    const peer = this.#known.get(key);
    if (!isPlainObject(value) || value.id !== key) {
      this.#known.delete(key);
      if (peer?.live) this.emit('leave', { ...peer.meta }, 'left');
      return;
    }
    const { heartbeat, ...rest } = value;
    const meta = { ...rest, id: key };
    const now = Date.now();
    // A write older than the timeout, met in the history, may be a page that vanished long ago:
    // wait to hear from it live. After the history, any write is news, whatever its sender's clock.
    const fresh = now - info.ts <= this.heartbeatTimeout || this.#synced;
    if (!peer) {
      this.#known.set(key, { meta, live: fresh, lastSeen: fresh ? now : 0 });
      if (fresh) this.emit('join', { ...meta });
      return;
    }
    const changed = JSON.stringify(peer.meta) !== JSON.stringify(meta);
    peer.meta = meta;
    if (!fresh) return;
    peer.lastSeen = now;
    if (!peer.live) {
      peer.live = true;
      this.emit('join', { ...meta });
    } else if (changed) {
      this.emit('update', { ...meta });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The network

/**
 * A node of the channel's network: it listens under an id on the channel's echo namespace, where
 * offers, answers and ICE candidates travel as JSON messages addressed to one peer, and opens
 * {@link PeerConnection}s.
 *
 * Only one of two peers should call `connect` (e.g. the one whose id sorts lower); the other gets
 * the connection in its `connection` event.
 *
 * Events:
 * - `connection` `(connection: PeerConnection, opened: boolean)`: every new connection, `opened`
 *   true when this node opened it with `connect`
 * - `listening` `()`: the signalling stream is open (again)
 * - `state` `(state)`: the signalling stream's state
 * - `error` `(error)`
 */
export class Node extends Emitter {
  /** @type {Map<string, PeerConnection>} */
  #connections = new Map();
  /** @type {Map<string, number>} ids of connections closed lately, so late messages are ignored */
  #ended = new Map();
  /** @type {SignalStream | null} */
  #stream = null;
  #removePagehide = () => {};

  /**
   * @param {SignalChannel} channel
   * @param {(connection: PeerConnection, opened: boolean) => void} [onConnection]
   * @param {ChannelOptions} [options]
   */
  constructor(channel, onConnection, options = {}) {
    super();
    /** @type {SignalChannel} */
    this.channel = channel;
    /** @type {ChannelOptions} */
    this.options = { ...channel.options, ...options };
    /** @type {string | null} the id this node listens under */
    this.id = null;
    if (onConnection) this.on('connection', onConnection);
  }

  /** The signalling stream (echo), once listening. */
  get stream() {
    return this.#stream;
  }

  /** The connections open or opening now. */
  get connections() {
    return [...this.#connections.values()];
  }

  /**
   * Starts listening for connections addressed to `id`.
   * @param {string} [id] defaults to a random id
   * @returns {this}
   */
  listen(id = randomId()) {
    if (this.#stream) throw new SignalChannelError(`already listening as ${this.id}`);
    this.id = String(id);
    const stream = new SignalStream('echo', this.channel.namespace, this.options, true);
    this.#stream = stream;
    stream.on('data', (message) => this.#received(message));
    stream.on('open', () => {
      for (const connection of this.#connections.values()) connection._signallingReopened();
      this.emit('listening');
    });
    stream.on('state', (state) => this.emit('state', state));
    stream.on('error', (error) => this.emit('error', error));
    stream._start();
    this.#removePagehide = onWindow('pagehide', () => this.close());
    return this;
  }

  /**
   * Opens a connection to the peer listening as `peerId`.
   * @param {string} peerId
   * @param {ChannelOptions} [options] overrides for this connection (e.g. `{relay: true}`)
   * @returns {PeerConnection}
   */
  connect(peerId, options = {}) {
    if (!this.#stream) throw new SignalChannelError('listen(id) before connect(peerId)');
    const connection = new PeerConnection(this, String(peerId), randomId(16), true, { ...this.options, ...options });
    this.#connections.set(connection.id, connection);
    this.emit('connection', connection, true);
    connection._start();
    return connection;
  }

  /** Closes every connection and stops listening. */
  close() {
    for (const connection of [...this.#connections.values()]) connection.close();
    this.#removePagehide();
    this.#stream?.end();
  }

  /**
   * Sends a signalling message for `connection` to its peer.
   * @param {{id: string, peer: string, emit?: Function}} connection
   * @param {string} type
   * @param {object} [fields]
   */
  _signal(connection, type, fields = {}) {
    // Signals are only worth sending now: replayed after a reconnect they would be stale. What
    // matters is retried (hello on reopen, ICE restarts), the rest is lost with the connection.
    if (!this.#stream || this.#stream.state !== 'open') return;
    try {
      this.#stream.write(JSON.stringify({
        signalChannel: PROTOCOL_VERSION, type, cid: connection.id, from: this.id, to: connection.peer, ...fields,
      }));
    } catch (error) {
      connection.emit?.('error', error);
    }
  }

  /** @param {PeerConnection} connection */
  _forget(connection) {
    this.#connections.delete(connection.id);
    this.#ended.set(connection.id, Date.now());
    if (this.#ended.size > 256) {
      const [oldest] = this.#ended.keys();
      this.#ended.delete(oldest);
    }
  }

  #received(message) {
    if (typeof message !== 'string') return;
    let signal;
    try {
      signal = JSON.parse(message);
    } catch {
      return; // not ours: the echo namespace may carry anything
    }
    if (!isPlainObject(signal) || signal.signalChannel !== PROTOCOL_VERSION || signal.to !== this.id
        || typeof signal.cid !== 'string' || typeof signal.from !== 'string') return;
    const connection = this.#connections.get(signal.cid);
    if (connection) {
      if (connection.peer === signal.from) connection._signalled(signal);
      return;
    }
    if (this.#ended.has(signal.cid)) {
      // The peer still talks about a connection that ended here: tell it, so it ends too.
      if (signal.type !== 'bye') this._signal({ id: signal.cid, peer: signal.from }, 'bye');
      return;
    }
    if (signal.type === 'hello') {
      const accepted = new PeerConnection(this, signal.from, signal.cid, false, this.options);
      this.#connections.set(accepted.id, accepted);
      accepted._accept(signal);
      this.emit('connection', accepted, false);
    }
  }
}

/** Whether this browser can make direct connections. */
function webRtcAvailable() {
  return typeof globalThis.RTCPeerConnection === 'function';
}

/**
 * A connection to one peer, direct (an RTCPeerConnection) or through a relay session, with the
 * same API either way: named multiplexed streams, plus media tracks when direct.
 *
 * States: `connecting` → `open` → `closed`.
 *
 * Events:
 * - `transport` `('rtc' | 'relay')`: how it is (now) carried; `relay` after a fallback too
 * - `open` `()`: streams can carry data
 * - `stream` `(stream: PeerStream)`: the peer created a stream
 * - `track` `(track: MediaStreamTrack, streams: MediaStream[])`: the peer sent a media track
 * - `state` `(state)`; `ice` `(iceConnectionState)` for direct connections
 * - `close` `({reason: string})`
 * - `error` `(error)`
 */
export class PeerConnection extends Emitter {
  /** @type {Set<PeerStream>} */
  #streams = new Set();
  /** @type {Array<{track: MediaStreamTrack, streams: MediaStream[]}>} */
  #tracks = [];
  /** @type {RtcTransport | RelayTransport | null} */
  #transport = null;
  #helloTimer;
  #connectTimer;
  #fellBack = false;

  /**
   * @param {Node} node
   * @param {string} peer
   * @param {string} id
   * @param {boolean} opened
   * @param {ChannelOptions} options
   */
  constructor(node, peer, id, opened, options) {
    super();
    this.node = node;
    /** @type {string} the peer's id */
    this.peer = peer;
    /** @type {string} this connection's id, shared by both sides */
    this.id = id;
    /** @type {boolean} whether this side opened it (and so leads negotiation) */
    this.opened = opened;
    /** @type {ChannelOptions} */
    this.options = options;
    /** @type {'connecting' | 'open' | 'closed'} */
    this.state = 'connecting';
    /** @type {'rtc' | 'relay' | null} */
    this.transport = null;
    const timeout = options.connectTimeout ?? 45_000;
    this.#connectTimer = setTimeout(() => {
      if (this.state === 'connecting') {
        this.emit('error', new SignalChannelError(`no connection to ${peer} within ${timeout} ms`));
        this.#end('timeout');
      }
    }, timeout);
  }

  /** The RTCPeerConnection, while the connection is direct. */
  get rtc() {
    return this.#transport instanceof RtcTransport ? this.#transport.pc : null;
  }

  /** The streams open or opening on this connection. */
  get streams() {
    return [...this.#streams];
  }

  /**
   * Opens a named stream; the peer gets it in its `stream` event. Writes wait until it is open.
   * @param {string} [name]
   * @returns {PeerStream}
   */
  createStream(name = 'default') {
    if (this.state === 'closed') throw new SignalChannelError('the connection is closed');
    const stream = new PeerStream(String(name), this);
    this.#streams.add(stream);
    this.#transport?.bindLocal(stream);
    return stream;
  }

  /**
   * Sends a media track (direct connections only); renegotiates as needed.
   * @param {MediaStreamTrack} track
   * @param {...MediaStream} streams
   */
  addTrack(track, ...streams) {
    if (this.transport === 'relay') throw new SignalChannelError('media tracks need a direct connection; this one is relayed');
    this.#tracks.push({ track, streams });
    if (this.#transport instanceof RtcTransport) this.#transport.addTrack(track, streams);
  }

  /**
   * Stops sending a media track.
   * @param {MediaStreamTrack} track
   */
  removeTrack(track) {
    this.#tracks = this.#tracks.filter((t) => t.track !== track);
    if (this.#transport instanceof RtcTransport) this.#transport.removeTrack(track);
  }

  /** Closes the connection and all its streams; the peer's side closes too. */
  close() {
    if (this.state === 'closed') return;
    this.node._signal(this, 'bye');
    this.#end('closed');
  }

  // -- called by the node and the transports

  _start() {
    let wait = 500;
    const hello = () => {
      if (this.transport || this.state === 'closed') return;
      this.node._signal(this, 'hello', { rtc: webRtcAvailable(), relay: !!this.options.relay });
      this.#helloTimer = setTimeout(hello, wait);
      wait = Math.min(wait * 1.5, 4_000);
    };
    hello();
  }

  _signallingReopened() {
    if (this.opened && !this.transport && this.state === 'connecting') {
      clearTimeout(this.#helloTimer);
      this._start();
    }
  }

  /** @param {{rtc?: boolean, relay?: boolean}} hello */
  _accept(hello) {
    const direct = hello.rtc === true && hello.relay !== true && !this.options.relay && webRtcAvailable();
    this.#use(direct ? 'rtc' : 'relay');
    this.node._signal(this, 'welcome', { transport: this.transport });
  }

  /** @param {any} signal */
  _signalled(signal) {
    switch (signal.type) {
      case 'hello':
        if (!this.opened && this.transport) this.node._signal(this, 'welcome', { transport: this.transport });
        break;
      case 'welcome':
        if (this.opened && !this.transport) {
          clearTimeout(this.#helloTimer);
          this.#use(signal.transport === 'rtc' && webRtcAvailable() ? 'rtc' : 'relay');
        }
        break;
      case 'description':
      case 'candidate':
        if (this.#transport instanceof RtcTransport) this.#transport.signalled(signal);
        break;
      case 'fallback':
        this._fallBack(false, 'the peer fell back');
        break;
      case 'bye':
        this.#end('closed by peer');
        break;
      default:
        break;
    }
  }

  _transportOpened() {
    if (this.state !== 'connecting') return;
    clearTimeout(this.#connectTimer);
    this.state = 'open';
    this.emit('state', 'open');
    this.emit('open');
  }

  /** @param {string} reason */
  _transportClosed(reason) {
    this.#end(reason);
  }

  /** @param {PeerStream} stream */
  _remoteStream(stream) {
    if (this.state === 'closed') return;
    this.#streams.add(stream);
    this.emit('stream', stream);
  }

  /** @param {PeerStream} stream */
  _streamEnded(stream) {
    this.#streams.delete(stream);
  }

  /**
   * Gives up on the direct connection and carries this one over a relay session instead.
   * @param {boolean} tellPeer whether this side decided it (and must tell the peer)
   * @param {string} why said in the error a fallback with media tracks reports
   */
  _fallBack(tellPeer, why) {
    if (this.state === 'closed' || this.#fellBack || !(this.#transport instanceof RtcTransport)) return;
    this.#fellBack = true;
    if (tellPeer) this.node._signal(this, 'fallback');
    this.#transport.close();
    // Streams created on the direct path never opened (it never connected): move them over.
    for (const stream of this.#streams) {
      if (stream.local) stream._unbind();
      else {
        this.#streams.delete(stream);
        stream._closed();
      }
    }
    if (this.#tracks.length > 0) {
      this.emit('error', new SignalChannelError(`fell back to the relay (${why}): media tracks cannot be sent`));
    }
    this.#use('relay');
  }

  /** @param {'rtc' | 'relay'} kind */
  #use(kind) {
    this.transport = kind;
    this.#transport = kind === 'rtc' ? new RtcTransport(this, this.options) : new RelayTransport(this, this.options);
    this.emit('transport', kind);
    for (const stream of this.#streams) {
      if (stream.local) this.#transport.bindLocal(stream);
    }
    if (this.#transport instanceof RtcTransport) {
      for (const { track, streams } of this.#tracks) this.#transport.addTrack(track, streams);
    } else if (this.#tracks.length > 0 && !this.#fellBack) {
      this.emit('error', new SignalChannelError('media tracks need a direct connection; this one is relayed'));
    }
  }

  /** @param {string} reason */
  #end(reason) {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.#helloTimer);
    clearTimeout(this.#connectTimer);
    this.#transport?.close();
    for (const stream of this.#streams) stream._closed();
    this.#streams.clear();
    this.node._forget(this);
    this.emit('state', 'closed');
    this.emit('close', { reason });
  }
}

/**
 * A named, ordered, reliable stream on a {@link PeerConnection}: an RTCDataChannel when direct,
 * a multiplexed channel of the relay session otherwise.
 *
 * Events: `open` `()`, `data` `(string | ArrayBuffer)`, `close` `()`, `error` `(error)`.
 */
export class PeerStream extends Emitter {
  /** @type {Array<string | ArrayBuffer | ArrayBufferView>} */
  #queue = [];
  /** @type {{send(data: any): void, close(): void, isOpen(): boolean} | null} */
  #channel = null;
  #ending = false;

  /**
   * @param {string} name
   * @param {PeerConnection} connection
   * @param {boolean} [local] whether this side created it
   */
  constructor(name, connection, local = true) {
    super();
    /** @type {string} */
    this.name = name;
    /** @type {PeerConnection} */
    this.connection = connection;
    /** @type {boolean} */
    this.local = local;
    /** @type {'connecting' | 'open' | 'closed'} */
    this.state = 'connecting';
  }

  /**
   * Sends a message (kept until the stream is open).
   * @param {string | ArrayBuffer | ArrayBufferView} data
   * @returns {boolean} true if sent now, false if queued
   */
  write(data) {
    if (this.state === 'closed' || this.#ending) throw new SignalChannelError(`stream "${this.name}" has ended`);
    if (typeof data !== 'string' && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
      throw new TypeError('a peer stream carries strings, ArrayBuffers and typed arrays');
    }
    if (this.state === 'open' && this.#channel) {
      this.#channel.send(data);
      return true;
    }
    this.#queue.push(data);
    return false;
  }

  /** Ends the stream (after sending what is queued); both sides get `close`. */
  end() {
    if (this.state === 'closed' || this.#ending) return;
    this.#ending = true;
    if (this.state === 'open' && this.#channel) {
      this.#channel.close();
      this._closed();
    } else if (!this.#channel && this.connection.state === 'closed') {
      this._closed();
    }
  }

  /** @param {{send(data: any): void, close(): void, isOpen(): boolean}} channel */
  _bind(channel) {
    this.#channel = channel;
    if (channel.isOpen()) this._opened();
  }

  _unbind() {
    this.#channel = null;
    if (this.state === 'open') this.state = 'connecting';
  }

  _opened() {
    if (this.state !== 'connecting' || !this.#channel) return;
    this.state = 'open';
    while (this.#queue.length > 0) this.#channel.send(this.#queue.shift());
    this.emit('open');
    if (this.#ending) {
      this.#channel.close();
      this._closed();
    }
  }

  _data(data) {
    if (this.state !== 'closed') this.emit('data', data);
  }

  _closed() {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.#queue = [];
    this.connection._streamEnded(this);
    this.emit('close');
  }
}

/** A direct connection: one RTCPeerConnection, negotiated with the perfect negotiation pattern. */
class RtcTransport {
  /** @type {RTCPeerConnection | null} */
  pc = null;
  #connection;
  #options;
  #polite;
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswer = false;
  #closed = false;
  #restarts = 0;
  #everConnected = false;
  /** @type {Promise<unknown>} signals are handled one at a time, in order, once the pc exists */
  #signals;
  /** @type {Map<MediaStreamTrack, RTCRtpSender | null>} null: added before the pc existed */
  #senders = new Map();
  /** @type {Map<MediaStreamTrack, MediaStream[]>} the streams of tracks added before the pc existed */
  #pendingStreams = new Map();
  /** @type {Set<RTCDataChannel>} */
  #channels = new Set();
  #iceTimer;
  #disconnectTimer;

  /**
   * @param {PeerConnection} connection
   * @param {ChannelOptions} options
   */
  constructor(connection, options) {
    this.#connection = connection;
    this.#options = options;
    // The side that did not open the connection yields when both offer at once.
    this.#polite = !connection.opened;
    this.#signals = this.#create().catch((error) => {
      connection.emit('error', new SignalChannelError(`cannot make an RTCPeerConnection: ${error.message}`, { cause: error }));
      connection._fallBack(true, 'no RTCPeerConnection');
    });
  }

  async #create() {
    const iceServers = await resolveIceServers(this.#options.iceServers, this.#options.server, this.#options.token);
    if (this.#closed) return;
    /** @type {RTCConfiguration} */
    const config = { iceServers };
    if (this.#options.iceTransportPolicy) config.iceTransportPolicy = this.#options.iceTransportPolicy;
    const pc = new RTCPeerConnection(config);
    this.pc = pc;
    const connection = this.#connection;
    pc.onnegotiationneeded = () => this.#negotiate();
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.#signal('candidate', { candidate: candidate.toJSON() });
    };
    pc.oniceconnectionstatechange = () => this.#iceStateChanged();
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') this.#everConnected = true;
      this.#progressed();
    };
    pc.ontrack = ({ track, streams }) => connection.emit('track', track, [...streams]);
    pc.ondatachannel = ({ channel }) => {
      if (channel.label === CONTROL_CHANNEL) {
        this.#control(channel);
        return;
      }
      const stream = new PeerStream(channel.label, connection, false);
      // 'stream' first, so that its listeners are in place for 'open'.
      connection._remoteStream(stream);
      this.#bind(stream, channel);
    };
    if (connection.opened) this.#control(pc.createDataChannel(CONTROL_CHANNEL));
    for (const stream of connection.streams) {
      if (stream.local) this.bindLocal(stream);
    }
    for (const [track, sender] of this.#senders) {
      if (sender === null) this.#senders.set(track, pc.addTrack(track, ...(this.#pendingStreams.get(track) ?? [])));
    }
    this.#pendingStreams.clear();
    this.#progressed();
  }

  /**
   * Gives the opening side another `iceTimeout` before it falls back to the relay. Called on every
   * step forward (a signal from the peer, an ICE or connection state change), so what falls back is
   * a connection that stopped moving, not one whose peer is merely slow: a peer starved of CPU may
   * take longer than `iceTimeout` to answer, trickle its candidates and open the channel, and a
   * deadline counted from the start gave up a direct connection still coming up (and its media).
   */
  #progressed() {
    const connection = this.#connection;
    if (!connection.opened || this.#closed || connection.state !== 'connecting') return;
    clearTimeout(this.#iceTimer);
    const timeout = this.#options.iceTimeout ?? 15_000;
    this.#iceTimer = setTimeout(() => {
      if (connection.state === 'connecting') {
        connection._fallBack(true, `nothing moved for ${timeout} ms; signalling ${this.pc?.signalingState}, ICE ${this.pc?.iceConnectionState}, connection ${this.pc?.connectionState}`);
      }
    }, timeout);
  }

  /** @param {PeerStream} stream */
  bindLocal(stream) {
    if (!this.pc || stream.state === 'closed') return; // bound once the pc exists
    this.#bind(stream, this.pc.createDataChannel(stream.name, { ordered: true }));
  }

  /**
   * @param {MediaStreamTrack} track
   * @param {MediaStream[]} streams
   */
  addTrack(track, streams) {
    if (this.#senders.has(track)) return;
    if (!this.pc) {
      this.#senders.set(track, null);
      this.#pendingStreams.set(track, streams);
      return;
    }
    this.#senders.set(track, this.pc.addTrack(track, ...streams));
  }

  /** @param {MediaStreamTrack} track */
  removeTrack(track) {
    const sender = this.#senders.get(track);
    this.#senders.delete(track);
    if (sender && this.pc && this.pc.signalingState !== 'closed') this.pc.removeTrack(sender);
  }

  /** @param {any} signal */
  signalled(signal) {
    this.#progressed();
    this.#signals = this.#signals.then(() => this.#handle(signal)).catch((error) => {
      this.#connection.emit('error', new SignalChannelError(`negotiation failed: ${error.message}`, { cause: error }));
    });
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#iceTimer);
    clearTimeout(this.#disconnectTimer);
    // Closing the pc closes its channels; their streams are closed (or moved) by the connection.
    for (const channel of this.#channels) channel.onopen = channel.onmessage = channel.onclose = channel.onerror = null;
    if (this.pc) {
      this.pc.onnegotiationneeded = this.pc.onicecandidate = this.pc.oniceconnectionstatechange = null;
      this.pc.ondatachannel = this.pc.ontrack = this.pc.onconnectionstatechange = null;
      this.pc.close();
    }
  }

  /**
   * @param {PeerStream} stream
   * @param {RTCDataChannel} channel
   */
  #bind(stream, channel) {
    this.#channels.add(channel);
    channel.binaryType = 'arraybuffer';
    channel.onopen = () => stream._opened();
    channel.onmessage = ({ data }) => stream._data(data);
    channel.onclose = () => stream._closed();
    channel.onerror = (event) => {
      const error = /** @type {any} */ (event).error;
      // Closing a channel reports an "abort" error in Chromium; 'close' says all there is to say.
      if (channel.readyState === 'open') stream.emit('error', new SignalChannelError(error?.message ?? 'data channel error', { cause: error }));
    };
    stream._bind({
      send: (data) => channel.send(data),
      close: () => {
        channel.onclose = null;
        channel.close();
      },
      isOpen: () => channel.readyState === 'open',
    });
  }

  /** @param {RTCDataChannel} channel */
  #control(channel) {
    this.#channels.add(channel);
    const opened = () => {
      clearTimeout(this.#iceTimer);
      this.#connection._transportOpened();
    };
    channel.onopen = opened;
    channel.onclose = () => {
      if (!this.#closed) this.#connection._transportClosed('closed by peer');
    };
    if (channel.readyState === 'open') opened();
  }

  async #negotiate() {
    const pc = this.pc;
    // The accepting side waits for the opener's first offer (it always makes one: it opens the
    // control channel) and answers it; what that answer leaves out fires negotiationneeded again once
    // stable. Offering at once made glare certain, and under CPU starvation Chromium, rolling back
    // that offer before it had gathered a candidate, then gathered none for its answer: ICE never started.
    if (!this.#connection.opened && !pc.remoteDescription) return;
    try {
      this.#makingOffer = true;
      await pc.setLocalDescription();
      this.#signal('description', { description: pc.localDescription.toJSON() });
    } catch (error) {
      if (!this.#closed) this.#connection.emit('error', new SignalChannelError(`cannot make an offer: ${error.message}`, { cause: error }));
    } finally {
      this.#makingOffer = false;
    }
  }

  /** @param {any} signal */
  async #handle(signal) {
    const pc = this.pc;
    if (!pc || this.#closed) return;
    if (signal.type === 'description') {
      const description = signal.description;
      const readyForOffer = !this.#makingOffer && (pc.signalingState === 'stable' || this.#settingRemoteAnswer);
      const collision = description.type === 'offer' && !readyForOffer;
      this.#ignoreOffer = !this.#polite && collision;
      if (this.#ignoreOffer) return;
      this.#settingRemoteAnswer = description.type === 'answer';
      await pc.setRemoteDescription(description);
      this.#settingRemoteAnswer = false;
      if (description.type === 'offer') {
        await pc.setLocalDescription();
        this.#signal('description', { description: pc.localDescription.toJSON() });
      }
    } else if (signal.type === 'candidate') {
      try {
        await pc.addIceCandidate(signal.candidate);
      } catch (error) {
        if (!this.#ignoreOffer) throw error;
      }
    }
  }

  #signal(type, fields) {
    if (!this.#closed) this.#connection.node._signal(this.#connection, type, fields);
  }

  #iceStateChanged() {
    const pc = this.pc;
    const state = pc.iceConnectionState;
    this.#connection.emit('ice', state);
    this.#progressed();
    if (state === 'connected' || state === 'completed') {
      this.#everConnected = true;
      this.#restarts = 0;
      clearTimeout(this.#disconnectTimer);
    } else if (state === 'disconnected') {
      clearTimeout(this.#disconnectTimer);
      this.#disconnectTimer = setTimeout(() => {
        if (pc.iceConnectionState === 'disconnected') this.#restartIce();
      }, 4_000);
    } else if (state === 'failed') {
      this.#restartIce();
    }
  }

  #restartIce() {
    if (this.#closed) return;
    const connection = this.#connection;
    if (!this.#everConnected && connection.state === 'connecting') {
      // It never worked: the relay is the better bet than trying again.
      connection._fallBack(true, `ICE ${this.pc.iceConnectionState} before it ever connected`);
      return;
    }
    if (this.#restarts >= (this.#options.maxIceRestarts ?? 2)) {
      connection.emit('error', new SignalChannelError(`the direct connection to ${connection.peer} failed`));
      connection._transportClosed('ice failed');
      return;
    }
    this.#restarts++;
    this.pc.restartIce();
    clearTimeout(this.#disconnectTimer);
    this.#disconnectTimer = setTimeout(() => {
      const state = this.pc?.iceConnectionState;
      if (state !== 'connected' && state !== 'completed') this.#restartIce();
    }, this.#options.iceTimeout ?? 15_000);
  }
}

/**
 * @param {ChannelOptions['iceServers']} option
 * @param {string | URL | undefined} server
 * @param {StreamOptions['token']} token sent as a bearer token, but only to the server itself
 * @returns {Promise<RTCIceServer[]>}
 */
async function resolveIceServers(option, server, token) {
  if (typeof option === 'function') return (await option()) ?? [];
  if (typeof option === 'string') {
    const root = contextRoot(server);
    const url = new URL(option, root);
    /** @type {Record<string, string>} */
    const headers = {};
    if (token !== undefined && url.origin === root.origin && url.pathname.startsWith(root.pathname)) {
      headers.Authorization = `Bearer ${await currentToken(token)}`;
    }
    const response = await fetch(url, { headers });
    if (!response.ok) throw new SignalChannelError(`ICE servers: ${response.status} from ${option}`);
    const body = await response.json();
    return Array.isArray(body) ? body : (body.iceServers ?? []);
  }
  return option ?? [];
}

// Relay framing: every message on the relay session is binary:
//   byte 0: kind; bytes 1-4: stream id (unsigned, big-endian); byte 5: flags; then the payload.
const FRAME_OPEN = 1; // payload: the stream's name, UTF-8
const FRAME_TEXT = 2; // payload: UTF-8 text (a fragment of it when MORE is set)
const FRAME_BINARY = 3; // payload: bytes (a fragment when MORE is set)
const FRAME_END = 4; // no payload: the stream ended
const FLAG_MORE = 1; // more fragments of this message follow
const HEADER_BYTES = 6;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A connection carried by a relay session, its streams multiplexed by the framing above. */
class RelayTransport {
  #connection;
  #socket;
  #nextId;
  #fragmentSize;
  #closed = false;
  /** @type {Map<number, PeerStream>} */
  #streams = new Map();
  /** @type {Map<PeerStream, number>} */
  #ids = new Map();
  /** @type {Map<number, Uint8Array[]>} */
  #partial = new Map();

  /**
   * @param {PeerConnection} connection
   * @param {ChannelOptions} options
   */
  constructor(connection, options) {
    this.#connection = connection;
    // Each side numbers the streams it opens from its own half, so ids never clash.
    this.#nextId = connection.opened ? 2 : 1;
    this.#fragmentSize = options.relayFragmentSize ?? 16_384;
    const [local, remote] = connection.opened ? ['a', 'b'] : ['b', 'a'];
    this.#socket = new RelayStream(connection.node.channel.namespace, {
      ...options, local: `${connection.id}:${local}`, remote: `${connection.id}:${remote}`,
    });
    this.#socket.on('open', () => {
      connection._transportOpened();
      for (const stream of this.#streams.values()) stream._opened();
    });
    this.#socket.on('data', (data) => this.#received(data));
    this.#socket.on('error', (error) => connection.emit('error', error));
    this.#socket.on('close', ({ code, reason }) => {
      if (this.#closed) return;
      connection._transportClosed(code === CloseCode.NORMAL ? 'closed by peer' : `relay closed (${code}${reason ? ': ' + reason : ''})`);
    });
    this.#socket._start();
  }

  /** @param {PeerStream} stream */
  bindLocal(stream) {
    if (stream.state === 'closed' || this.#ids.has(stream)) return;
    const id = this.#nextId;
    this.#nextId += 2;
    this.#send(FRAME_OPEN, id, 0, utf8.encode(stream.name));
    stream._bind(this.#attach(stream, id));
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#socket.state !== 'closed') this.#socket.end();
  }

  /**
   * @param {PeerStream} stream
   * @param {number} id
   */
  #attach(stream, id) {
    this.#streams.set(id, stream);
    this.#ids.set(stream, id);
    return {
      send: (data) => this.#sendData(id, data),
      close: () => {
        this.#send(FRAME_END, id, 0, new Uint8Array(0));
        this.#detach(id);
      },
      isOpen: () => this.#socket.state === 'open',
    };
  }

  /** @param {number} id */
  #detach(id) {
    const stream = this.#streams.get(id);
    this.#streams.delete(id);
    this.#partial.delete(id);
    if (stream) this.#ids.delete(stream);
    return stream;
  }

  /**
   * @param {number} id
   * @param {string | ArrayBuffer | ArrayBufferView} data
   */
  #sendData(id, data) {
    const text = typeof data === 'string';
    const bytes = text ? utf8.encode(data)
      : data instanceof ArrayBuffer ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const kind = text ? FRAME_TEXT : FRAME_BINARY;
    let offset = 0;
    do {
      const end = Math.min(bytes.length, offset + this.#fragmentSize);
      this.#send(kind, id, end < bytes.length ? FLAG_MORE : 0, bytes.subarray(offset, end));
      offset = end;
    } while (offset < bytes.length);
  }

  /**
   * @param {number} kind
   * @param {number} id
   * @param {number} flags
   * @param {Uint8Array} payload
   */
  #send(kind, id, flags, payload) {
    if (this.#closed || this.#socket.state === 'closed') return;
    const frame = new Uint8Array(HEADER_BYTES + payload.length);
    const view = new DataView(frame.buffer);
    view.setUint8(0, kind);
    view.setUint32(1, id);
    view.setUint8(5, flags);
    frame.set(payload, HEADER_BYTES);
    this.#socket.write(frame.buffer);
  }

  /** @param {string | ArrayBuffer} data */
  #received(data) {
    if (!(data instanceof ArrayBuffer) || data.byteLength < HEADER_BYTES) {
      this.#connection.emit('error', new SignalChannelError('the relay carried a message that is not a frame'));
      return;
    }
    const view = new DataView(data);
    const kind = view.getUint8(0);
    const id = view.getUint32(1);
    const flags = view.getUint8(5);
    const payload = new Uint8Array(data, HEADER_BYTES);
    if (kind === FRAME_OPEN) {
      if (this.#streams.has(id)) return;
      const stream = new PeerStream(fromUtf8.decode(payload), this.#connection, false);
      const channel = this.#attach(stream, id);
      this.#connection._remoteStream(stream);
      stream._bind(channel);
    } else if (kind === FRAME_TEXT || kind === FRAME_BINARY) {
      const stream = this.#streams.get(id);
      if (!stream) return;
      const parts = this.#partial.get(id) ?? [];
      parts.push(payload.slice());
      if (flags & FLAG_MORE) {
        this.#partial.set(id, parts);
        return;
      }
      this.#partial.delete(id);
      const whole = concat(parts);
      stream._data(kind === FRAME_TEXT ? fromUtf8.decode(whole) : whole.buffer);
    } else if (kind === FRAME_END) {
      this.#detach(id)?._closed();
    }
  }
}

/** @param {Uint8Array[]} parts */
function concat(parts) {
  if (parts.length === 1) return parts[0];
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}
