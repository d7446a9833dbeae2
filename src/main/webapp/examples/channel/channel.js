import { SignalChannel, randomId } from '../../js/signal-channel.js';
import { badge, logLine, namespace, params, randomName, settingsForm } from '../common.js';

const $ = (id) => document.getElementById(id);
settingsForm($('settings'), { ns: $('ns'), name: $('name'), relay: $('relay') });

const me = { id: randomId(), name: params.get('name') || randomName() };
const heartbeat = Number(params.get('heartbeat')) || undefined;
const channel = new SignalChannel(namespace, { relay: params.get('relay') === '1', heartbeatInterval: heartbeat });
const peers = channel.createPeers();
const node = channel.createNode(onConnection);

/** Everything known about each other peer: its meta, its list item, its connection and chat stream. */
const entries = new Map();

$('me').textContent = me.id;
$('me-name').textContent = me.name;
$('ns').value = namespace;
peers.on('state', (state) => badge($('presence-state'), state));
node.on('state', (state) => badge($('signal-state'), state));
node.listen(me.id);
peers.join(me);

peers.on('join', (peer) => {
  const entry = entryFor(peer.id);
  entry.meta = peer;
  entry.present = true;
  render(entry);
  system(`${peer.name ?? peer.id} joined`);
  // Deterministic: only the lower id dials, so two peers never open two connections.
  if (me.id < peer.id && !entry.connection) node.connect(peer.id);
});

/** Dials every present peer this page should dial and has no connection to, if signalling is up. */
function redial() {
  if (node.stream?.state !== 'open') return; // 'listening' calls again when it is
  for (const [id, entry] of entries) {
    if (entry.present && !entry.connection && me.id < id) node.connect(id);
  }
}
node.on('listening', redial);

peers.on('update', (peer) => {
  const entry = entryFor(peer.id);
  entry.meta = peer;
  render(entry);
});

peers.on('leave', (peer, reason) => {
  const entry = entries.get(peer.id);
  if (!entry) return;
  entry.present = false;
  entry.connection?.close();
  entry.item.remove();
  entries.delete(peer.id);
  system(`${peer.name ?? peer.id} left${reason === 'timeout' ? ' (no heartbeat)' : ''}`);
  renderCount();
});

function onConnection(connection, opened) {
  const entry = entryFor(connection.peer);
  if (entry.connection && entry.connection !== connection) entry.connection.close();
  entry.connection = connection;
  entry.chat = null;
  for (const event of ['transport', 'state', 'open']) connection.on(event, () => render(entry));
  connection.on('error', (error) => console.warn(`connection to ${connection.peer}:`, error));
  connection.on('close', ({ reason }) => {
    if (entry.connection !== connection) return;
    entry.connection = null;
    entry.chat = null;
    render(entry);
    if (entries.get(connection.peer) === entry) system(`connection to ${nameOf(entry)} closed (${reason})`);
    // Still here? The dialling side tries again after a moment (or once signalling is back).
    if (me.id < connection.peer && entry.present) setTimeout(redial, 1_000 + Math.random() * 1_000);
  });
  connection.on('stream', (stream) => {
    if (stream.name === 'chat') useChat(entry, stream);
  });
  if (opened) useChat(entry, connection.createStream('chat'));
  render(entry);
}

function useChat(entry, stream) {
  entry.chat = stream;
  stream.on('open', () => render(entry));
  stream.on('data', (text) => {
    if (typeof text === 'string') logLine($('log'), text, { from: nameOf(entry) });
  });
}

$('chat').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('message').value.trim();
  if (!text) return;
  let sent = 0;
  for (const entry of entries.values()) {
    if (entry.chat?.state === 'open') {
      entry.chat.write(text);
      sent++;
    }
  }
  logLine($('log'), sent ? text : `${text} (no one connected to hear it)`, { from: me.name, kind: 'out' });
  $('message').value = '';
});

function entryFor(id) {
  let entry = entries.get(id);
  if (!entry) {
    const item = document.createElement('li');
    item.dataset.peerId = id;
    item.innerHTML = '<span class="name"></span><code></code><span class="badge"></span>';
    item.querySelector('code').textContent = id;
    entry = { meta: { id }, item, connection: null, chat: null, present: false };
    entries.set(id, entry);
    $('peers').append(item);
    renderCount();
  }
  return entry;
}

function render(entry) {
  const { item, connection } = entry;
  item.dataset.name = entry.meta.name ?? '';
  item.querySelector('.name').textContent = nameOf(entry);
  const state = connection?.state ?? 'closed';
  const transport = connection?.transport ?? '';
  item.dataset.state = state;
  item.dataset.transport = transport;
  item.dataset.chat = entry.chat?.state ?? '';
  const label = state === 'open' ? (transport === 'rtc' ? 'direct · WebRTC' : 'relayed by the server')
    : state === 'connecting' ? `connecting${transport ? ` (${transport === 'rtc' ? 'WebRTC' : 'relay'})` : ''}`
      : 'not connected';
  badge(item.querySelector('.badge'), state, label);
}

function renderCount() {
  $('peer-count').textContent = String(entries.size);
  $('no-peers').hidden = entries.size > 0;
}

function nameOf(entry) {
  return entry.meta.name ?? entry.meta.id.slice(0, 8);
}

function system(text) {
  logLine($('log'), text, { kind: 'system' });
}

// For poking at it from the console.
Object.assign(window, { channel, peers, node });
