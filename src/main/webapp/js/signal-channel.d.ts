/**
 * Types of the signal-channel browser client (signal-channel.js). See docs/client.md.
 */

/** The protocol version this client speaks (the `v1` in every endpoint path). */
export const PROTOCOL_VERSION: 1;

/**
 * The WebSocket close codes the server uses; the client never retries after 1008, except after
 * 1008 "expired token" when its `token` option is a function.
 */
export const CloseCode: Readonly<{
  NORMAL: 1000;
  GOING_AWAY: 1001;
  UNSUPPORTED_DATA: 1003;
  ABNORMAL: 1006;
  INVALID_PAYLOAD: 1007;
  POLICY_VIOLATION: 1008;
  MESSAGE_TOO_BIG: 1009;
  INTERNAL_ERROR: 1011;
  TRY_AGAIN_LATER: 1013;
}>;

/** The context root of the server that served the module, e.g. `https://example.org/app/`. */
export const defaultServer: string;

/** An error reported in an `"error"` event, with the close code if a close caused it. */
export class SignalChannelError extends Error {
  constructor(message: string, details?: { code?: number; reason?: string; cause?: unknown });
  readonly code: number | undefined;
  readonly reason: string | undefined;
}

/** Maps each event name to its listener's arguments. */
type EventMap = Record<string, unknown[]>;

/** Carries an emitter's event map in its type (nothing at run time). */
declare const eventMap: unique symbol;

/** A tiny event emitter, the base of every object with events. */
export class Emitter<Events extends EventMap = EventMap> {
  readonly [eventMap]?: Events;
  on<K extends keyof Events & string>(type: K, listener: (...args: Events[K]) => void): this;
  once<K extends keyof Events & string>(type: K, listener: (...args: Events[K]) => void): this;
  off<K extends keyof Events & string>(type: K, listener: (...args: Events[K]) => void): this;
  emit<K extends keyof Events & string>(type: K, ...args: Events[K]): boolean;
  listenerCount(type: keyof Events & string): number;
}

/** The event map of an emitter. */
type EventsOf<E> = E extends { readonly [eventMap]?: infer Events } ? Events : never;

/** Resolves with the first argument of the next `type` event. */
export function once<E extends Emitter<any>, K extends keyof EventsOf<E> & string>(
  emitter: E, type: K, options?: { timeout?: number }): Promise<EventsOf<E>[K][0]>;

/** `bytes` random bytes as lower-case hex (default 8 bytes). */
export function randomId(bytes?: number): string;

/** Strictly increasing timestamps: `Date.now()` plus a fraction when called again in the same ms. */
export function timestamp(): number;

/**
 * The WebSocket URL of an endpoint namespace.
 * @throws TypeError for a namespace the server would refuse: empty, only dots (`.`, `..`), holding `/`, `\` or a control character.
 */
export function endpointUrl(endpoint: 'echo' | 'scuttlebutt' | 'relay', namespace: string, server?: string | URL): string;

export interface Backoff {
  /** First delay, ms (default 250). */
  initial?: number;
  /** Longest delay, ms (default 10000). */
  max?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** 0..1: the random share taken off each delay (default 0.5). */
  jitter?: number;
  /** Ms a connection must last for the attempt count to start over (default 5000). */
  stable?: number;
}

export interface StreamOptions {
  /** The server's context root (http, https, ws or wss); default: the server that served the module. */
  server?: string | URL;
  /** Reconnect after a drop (echo and scuttlebutt; default true). */
  reconnect?: boolean;
  backoff?: Backoff;
  /** Most messages kept while not connected (default 1000). */
  queueLimit?: number;
  /**
   * The token (a signed JWT) a server that requires one admits this client with, or a function
   * giving it, called before every connection and reconnection (and every fetch of ICE servers
   * from the server), so it can be refreshed. Sent as the WebSocket subprotocol
   * `signal-channel.token.<jwt>`. A stream whose token comes from a function reconnects with a
   * fresh one after 1008 "expired token"; a function that throws or rejects ends the stream with
   * an `error`.
   * @throws TypeError (from the stream's factory) for a string token a subprotocol cannot carry.
   */
  token?: string | (() => string | Promise<string>);
}

export interface Closure {
  code: number;
  reason: string;
  wasClean: boolean;
}

export type StreamState = 'connecting' | 'pairing' | 'open' | 'reconnecting' | 'closed';

export type StreamEvents<Data> = {
  open: [{ reconnected: boolean }];
  data: [Data];
  disconnect: [Closure & { delay: number }];
  close: [Closure];
  error: [SignalChannelError];
  state: [StreamState];
};

/** A stream on one endpoint namespace, over a WebSocket that is replaced when it reconnects. */
export class SignalStream<Data = string | ArrayBuffer> extends Emitter<StreamEvents<Data>> {
  readonly endpoint: 'echo' | 'scuttlebutt' | 'relay';
  readonly namespace: string;
  readonly url: string;
  readonly state: StreamState;
  readonly reconnects: boolean;
  readonly backoff: Required<Backoff>;
  readonly queueLimit: number;
  /** How the last connection ended. */
  readonly lastClose: Closure | null;
  readonly bufferedAmount: number;
  /** Sends now (true) or once connected (false). Throws after `end()`. */
  write(message: string | ArrayBuffer | ArrayBufferView | Blob): boolean;
  /** Closes with 1000 after sending what is queued; never reconnects. */
  end(): void;
}

/**
 * Opens an echo stream: every message reaches every stream of the namespace, this one included.
 * @throws TypeError for a namespace the server would refuse: empty, only dots (`.`, `..`), holding `/`, `\` or a control character.
 */
export function echo(namespace?: string, options?: StreamOptions): SignalStream<string | ArrayBuffer>;

/** A scuttlebutt protocol value: a digest, an update `[[key, value], ts, source]`, or `"SYNC"`. */
export type ScuttlebuttValue =
  | { id: string; clock: Record<string, number>; meta?: unknown }
  | [[string, unknown], number, string, ...unknown[]]
  | 'SYNC';

export interface ScuttlebuttOptions extends StreamOptions {
  /** The replica to keep in step (default: a new Model); `false` for a raw protocol stream. */
  model?: Model | false;
}

export class ScuttlebuttStream extends SignalStream<ScuttlebuttValue> {
  readonly model: Model | null;
  /** Sends one protocol value as a JSON line. */
  write(value: ScuttlebuttValue | unknown): boolean;
  /** Sends many values, several lines to a message. */
  writeAll(values: unknown[]): void;
}

/**
 * Opens a scuttlebutt stream and keeps `stream.model` in step with the server's model.
 * @throws TypeError for a namespace the server would refuse: empty, only dots (`.`, `..`), holding `/`, `\` or a control character.
 */
export function scuttlebutt(namespace?: string, options?: ScuttlebuttOptions): ScuttlebuttStream;

export interface RelayOptions extends StreamOptions {
  /** The token this side goes by (1..256 characters). */
  local: string;
  /** The partner's token; the partner presents the two swapped. */
  remote: string;
}

/** A relay stream: `open` once paired; then every message goes to the partner alone. */
export class RelayStream extends SignalStream<string | ArrayBuffer> {}

/**
 * Opens a relay stream.
 * @throws TypeError for a namespace the server would refuse: empty, only dots (`.`, `..`), holding `/`, `\` or a control character.
 */
export function relay(namespace: string, options: RelayOptions): RelayStream;

export interface UpdateInfo {
  /** When the write was made, by its source's clock. */
  ts: number;
  /** The id of the replica that made it. */
  source: string;
  /** Whether this replica made it. */
  local: boolean;
  /** The value written (for an object: the fields this write set). */
  write: unknown;
}

export type ModelEvents = {
  update: [key: string, value: unknown, info: UpdateInfo];
  sync: [stream: ScuttlebuttStream];
};

/** A replica of a scuttlebutt namespace's expiring key/value model. */
export class Model extends Emitter<ModelEvents> {
  constructor(options?: { id?: string; maxAge?: number });
  /** This replica's source id. */
  readonly id: string;
  /** How long writes live, ms (default one day). */
  readonly maxAge: number;
  /** Writes a key; `null` deletes; an object merges field by field into an object. Returns the timestamp. */
  set(key: string, value: unknown): number;
  delete(key: string): number;
  get(key: string): unknown;
  has(key: string): boolean;
  keys(): string[];
  toJSON(): Record<string, unknown>;
  /** The newest timestamp seen from each source. */
  clock(): Record<string, number>;
  /** The writes a replica with `clock` lacks, oldest first, in wire form. */
  history(clock?: Record<string, number>): Array<[[string, unknown], number, string]>;
  /** Applies a wire-form update as if a peer had sent it. */
  applyUpdate(update: unknown): boolean;
  /** Keeps this replica in step through a scuttlebutt stream; returns the function that stops it. */
  replicate(stream: ScuttlebuttStream): () => void;
}

export interface ChannelOptions extends StreamOptions {
  /** Presence: ms between heartbeats (default 5000). */
  heartbeatInterval?: number;
  /** Presence: ms of silence after which a peer has left (default 3 × heartbeatInterval). */
  heartbeatTimeout?: number;
  /**
   * STUN/TURN servers: a list, a URL returning one, or a function resolving to one. Default: none.
   * A URL under the server's context root is fetched with `Authorization: Bearer <token>` when
   * `token` is set.
   */
  iceServers?: RTCIceServer[] | string | (() => Promise<RTCIceServer[]>);
  /** `"relay"` to use TURN only. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Never try WebRTC: carry connections over a relay session. */
  relay?: boolean;
  /**
   * Ms a new direct connection may go without progress (no signal from the peer, no ICE or
   * connection state change) before falling back to the relay (default 15000).
   */
  iceTimeout?: number;
  /** ICE restarts tried when an open direct connection fails (default 2). */
  maxIceRestarts?: number;
  /** Ms a connection may take to open at all (default 45000). */
  connectTimeout?: number;
  /** Largest relay frame payload, bytes (default 16384). */
  relayFragmentSize?: number;
}

export interface SignalChannel {
  readonly namespace: string;
  readonly options: ChannelOptions;
  /** The presence list, on the scuttlebutt namespace of the channel's name. */
  createPeers(options?: ChannelOptions): Peers;
  /** The network, signalling on the echo namespace of the channel's name. */
  createNode(onConnection?: (connection: PeerConnection, opened: boolean) => void, options?: ChannelOptions): Node;
}

/** A channel on a namespace; throws a `TypeError` for a namespace the server would refuse, as `echo` does. */
export const SignalChannel: {
  new (namespace?: string, options?: ChannelOptions): SignalChannel;
  (namespace?: string, options?: ChannelOptions): SignalChannel;
  prototype: SignalChannel;
};

export interface PeerMeta {
  id: string;
  [field: string]: unknown;
}

export type PeersEvents = {
  join: [peer: PeerMeta];
  leave: [peer: PeerMeta, reason: 'left' | 'timeout'];
  update: [peer: PeerMeta];
  sync: [];
  state: [state: StreamState];
  close: [];
  error: [error: SignalChannelError];
};

/** The presence list of a channel. */
export class Peers extends Emitter<PeersEvents> {
  readonly heartbeatInterval: number;
  readonly heartbeatTimeout: number;
  readonly model: Model;
  readonly stream: ScuttlebuttStream;
  /** This peer's meta while joined. */
  readonly self: PeerMeta | null;
  /** Announces this peer (id defaults to a random one); heartbeats keep it present. */
  join(meta?: Partial<PeerMeta>): PeerMeta;
  /** Merges fields into this peer's meta. */
  update(meta: Record<string, unknown>): void;
  /** Withdraws this peer at once. */
  leave(): void;
  /** The peers present now (not this one), sorted by id. */
  list(): PeerMeta[];
  get(id: string): PeerMeta | undefined;
  /** Leaves and closes the presence stream (done on pagehide). */
  close(): void;
}

export type NodeEvents = {
  connection: [connection: PeerConnection, opened: boolean];
  listening: [];
  state: [state: StreamState];
  error: [error: SignalChannelError];
};

/** A node of the channel's network. */
export class Node extends Emitter<NodeEvents> {
  readonly channel: SignalChannel;
  readonly options: ChannelOptions;
  /** The id this node listens under, once listening. */
  readonly id: string | null;
  /** The signalling (echo) stream, once listening. */
  readonly stream: SignalStream | null;
  readonly connections: PeerConnection[];
  /** Listens for connections addressed to `id` (default: random). */
  listen(id?: string): this;
  /** Opens a connection to the peer listening as `peerId`. */
  connect(peerId: string, options?: ChannelOptions): PeerConnection;
  /** Closes every connection and stops listening (done on pagehide). */
  close(): void;
}

export type PeerConnectionEvents = {
  transport: [kind: 'rtc' | 'relay'];
  open: [];
  stream: [stream: PeerStream];
  track: [track: MediaStreamTrack, streams: MediaStream[]];
  state: [state: 'connecting' | 'open' | 'closed'];
  ice: [state: RTCIceConnectionState];
  close: [{ reason: string }];
  error: [error: SignalChannelError];
};

/** A connection to one peer, direct or relayed, with the same API either way. */
export class PeerConnection extends Emitter<PeerConnectionEvents> {
  readonly node: Node;
  readonly peer: string;
  readonly id: string;
  /** Whether this side opened it with `connect`. */
  readonly opened: boolean;
  readonly options: ChannelOptions;
  readonly state: 'connecting' | 'open' | 'closed';
  readonly transport: 'rtc' | 'relay' | null;
  /** The RTCPeerConnection while direct. */
  readonly rtc: RTCPeerConnection | null;
  readonly streams: PeerStream[];
  /** Opens a named stream; the peer gets a `stream` event. */
  createStream(name?: string): PeerStream;
  /** Sends a media track (direct connections only). */
  addTrack(track: MediaStreamTrack, ...streams: MediaStream[]): void;
  removeTrack(track: MediaStreamTrack): void;
  close(): void;
}

export type PeerStreamEvents = {
  open: [];
  data: [data: string | ArrayBuffer];
  close: [];
  error: [error: SignalChannelError];
};

/** A named, ordered, reliable stream on a peer connection. */
export class PeerStream extends Emitter<PeerStreamEvents> {
  readonly name: string;
  readonly connection: PeerConnection;
  /** Whether this side created it. */
  readonly local: boolean;
  readonly state: 'connecting' | 'open' | 'closed';
  write(data: string | ArrayBuffer | ArrayBufferView): boolean;
  end(): void;
}
