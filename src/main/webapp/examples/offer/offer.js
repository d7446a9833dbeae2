import { echo, Emitter, randomId } from '../../js/signal-channel.js';
import { badge, logLine, namespace, params, randomName, settingsForm } from '../common.js';

const $ = (id) => document.getElementById(id);
settingsForm($('settings'), { ns: $('ns') });
$('ns').value = namespace;

/**
 * Events over an echo stream: send(event, ...args) reaches every page of the namespace (this one
 * included); on(event, listener) hears them. Messages that are not such events are ignored.
 */
function remoteEvents(stream) {
  const events = new Emitter();
  stream.on('data', (data) => {
    if (typeof data !== 'string') return;
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (message && typeof message.event === 'string' && Array.isArray(message.args)) events.emit(message.event, ...message.args);
  });
  return {
    on: (event, listener) => events.on(event, listener),
    send: (event, ...args) => stream.write(JSON.stringify({ event, args })),
  };
}

const me = { id: randomId(), name: params.get('name') || randomName() };
$('me').textContent = me.id;
$('me-name').textContent = me.name;
const hasRtc = typeof RTCPeerConnection === 'function';
$('no-rtc').hidden = hasRtc;

const stream = echo(namespace);
const remote = remoteEvents(stream);
badge($('echo-state'), stream.state);
stream.on('state', (state) => badge($('echo-state'), state));

/** Peers heard from: id → {meta, item, seen}. Sessions (one per offer): id → RTCPeerConnection. */
const peers = new Map();
const sessions = new Map();
const log = (text, kind = 'in') => logLine($('log'), text, { kind });

// ---- who is here: hello on open and every 10 s, answered once by everyone who did not know us
stream.on('open', () => remote.send('hello', me));
setInterval(() => { if (stream.state === 'open') remote.send('hello', me); }, 10_000);
setInterval(() => {
  for (const [id, peer] of peers) if (Date.now() - peer.seen > 25_000) forget(id);
}, 5_000);
addEventListener('pagehide', () => { if (stream.state === 'open') remote.send('bye', me.id); stream.end(); });

remote.on('hello', (peer) => {
  if (!peer || peer.id === me.id) return;
  const known = peers.get(peer.id);
  if (known) {
    known.seen = Date.now();
    return;
  }
  const item = document.createElement('li');
  item.dataset.peerId = peer.id;
  item.innerHTML = '<span class="name"></span><code></code><span class="badge" data-state="waiting">no session</span><button type="button">Send offer</button>';
  item.querySelector('.name').textContent = peer.name;
  item.querySelector('code').textContent = peer.id.slice(0, 8);
  item.querySelector('button').disabled = !hasRtc;
  item.querySelector('button').addEventListener('click', () => offerTo(peer));
  peers.set(peer.id, { meta: peer, item, seen: Date.now() });
  $('peers').append(item);
  $('no-peers').hidden = true;
  log(`hello from ${peer.name}`);
  remote.send('hello', me);
});
remote.on('bye', (id) => forget(id));

function forget(id) {
  const peer = peers.get(id);
  if (!peer) return;
  peer.item.remove();
  peers.delete(id);
  $('no-peers').hidden = peers.size > 0;
  log(`${peer.meta.name} left`, 'system');
}

function showState(peerId, state) {
  const peer = peers.get(peerId);
  if (peer) badge(peer.item.querySelector('.badge'), state === 'connected' ? 'open' : state, state);
}

// ---- one session per offer: offer → answer, candidates both ways, a data channel to say hi
function session(id, peer) {
  const pc = new RTCPeerConnection(); // no STUN: host candidates only
  sessions.set(id, pc);
  pc.onicecandidate = ({ candidate }) => {
    if (candidate) remote.send('candidate', { session: id, from: me.id, to: peer.id, candidate: candidate.toJSON() });
  };
  pc.onconnectionstatechange = () => {
    showState(peer.id, pc.connectionState);
    log(`session with ${peer.name}: ${pc.connectionState}`, 'system');
  };
  const greet = (channel) => {
    channel.onopen = () => channel.send(`hi from ${me.name}`);
    channel.onmessage = ({ data }) => log(`${peer.name} says over WebRTC: ${data}`);
  };
  pc.ondatachannel = ({ channel }) => greet(channel);
  return { pc, greet };
}

async function offerTo(peer) {
  const id = randomId();
  const { pc, greet } = session(id, peer);
  greet(pc.createDataChannel('hello'));
  await pc.setLocalDescription();
  remote.send('offer', { session: id, from: me.id, to: peer.id, sdp: pc.localDescription.sdp });
  log(`offer → ${peer.name} (${pc.localDescription.sdp.split('\n').length} SDP lines)`, 'out');
  showState(peer.id, 'connecting');
}

remote.on('offer', async ({ session: id, from, to, sdp }) => {
  if (to !== me.id || !hasRtc) return;
  const peer = peers.get(from)?.meta ?? { id: from, name: from.slice(0, 8) };
  log(`offer ← ${peer.name} (${sdp.split('\n').length} SDP lines); answering`);
  const { pc } = session(id, peer);
  await pc.setRemoteDescription({ type: 'offer', sdp });
  await pc.setLocalDescription();
  remote.send('answer', { session: id, from: me.id, to: from, sdp: pc.localDescription.sdp });
  log(`answer → ${peer.name}`, 'out');
});

remote.on('answer', async ({ session: id, from, to, sdp }) => {
  const pc = sessions.get(id);
  if (to !== me.id || !pc) return;
  log(`answer ← ${peers.get(from)?.meta.name ?? from}`);
  await pc.setRemoteDescription({ type: 'answer', sdp });
});

remote.on('candidate', async ({ session: id, to, candidate }) => {
  const pc = sessions.get(id);
  if (to !== me.id || !pc) return;
  try {
    await pc.addIceCandidate(candidate);
  } catch (error) {
    console.warn('candidate', error);
  }
});
