import { SignalChannel, randomId } from '../../js/signal-channel.js';
import { badge, namespace, params, randomName, settingsForm } from '../common.js';

const $ = (id) => document.getElementById(id);
settingsForm($('settings'), { ns: $('ns'), name: $('name') });
$('ns').value = namespace;

const me = { id: randomId(), name: params.get('name') || randomName() };
$('me-name').textContent = me.name;
$('local').querySelector('figcaption').textContent = `${me.name} (you)`;

const channel = new SignalChannel(namespace, { relay: params.get('relay') === '1' });
const peers = channel.createPeers();
const node = channel.createNode(onConnection);
/** Each other peer: id → {meta, figure, video, connection}. */
const calls = new Map();
/** @type {MediaStream | null} */
let camera = null;

peers.on('state', (state) => badge($('presence-state'), state));
node.on('state', (state) => badge($('signal-state'), state));
node.listen(me.id);
peers.join(me);

peers.on('join', (peer) => {
  const call = callWith(peer.id);
  call.meta = peer;
  call.present = true;
  render(call);
  if (me.id < peer.id && !call.connection) node.connect(peer.id);
});

peers.on('leave', (peer) => {
  const call = calls.get(peer.id);
  if (!call) return;
  call.present = false;
  call.connection?.close();
  call.figure.remove();
  calls.delete(peer.id);
  $('alone').hidden = calls.size > 0;
});

function onConnection(connection) {
  const call = callWith(connection.peer);
  if (call.connection && call.connection !== connection) call.connection.close();
  call.connection = connection;
  for (const event of ['transport', 'state', 'open', 'ice']) connection.on(event, () => render(call));
  connection.on('track', (track, streams) => {
    const stream = streams[0] ?? new MediaStream([track]);
    if (call.video.srcObject !== stream) call.video.srcObject = stream;
    track.addEventListener('ended', () => render(call));
    render(call);
  });
  connection.on('close', () => {
    if (call.connection !== connection) return;
    call.connection = null;
    call.video.srcObject = null;
    render(call);
    if (me.id < connection.peer && call.present) setTimeout(redial, 1_000 + Math.random() * 1_000);
  });
  connection.on('error', (error) => console.warn(`call with ${connection.peer}:`, error));
  if (camera) share(connection);
  render(call);
}

/** Calls every present peer this page should call and has no connection to, if signalling is up. */
function redial() {
  if (node.stream?.state !== 'open') return; // 'listening' calls again when it is
  for (const [id, call] of calls) {
    if (call.present && !call.connection && me.id < id) node.connect(id);
  }
}
node.on('listening', redial);

function share(connection) {
  if (connection.transport === 'relay') return;
  for (const track of camera.getTracks()) connection.addTrack(track, camera);
}

function callWith(id) {
  let call = calls.get(id);
  if (!call) {
    const figure = document.createElement('figure');
    figure.dataset.peerId = id;
    figure.innerHTML = '<video autoplay playsinline></video><figcaption></figcaption>';
    const video = figure.querySelector('video');
    video.dataset.peerId = id;
    call = { meta: { id }, figure, video, connection: null, present: false };
    calls.set(id, call);
    $('videos').append(figure);
    $('alone').hidden = true;
  }
  return call;
}

function render(call) {
  const { connection, figure } = call;
  const state = connection?.state ?? 'closed';
  figure.dataset.state = state;
  figure.dataset.transport = connection?.transport ?? '';
  const how = connection?.transport === 'relay' ? 'relayed: data only, no media'
    : state === 'open' ? `direct · ICE ${connection.rtc?.iceConnectionState ?? ''}` : state;
  figure.querySelector('figcaption').textContent = `${call.meta.name ?? call.meta.id.slice(0, 8)} · ${how}`;
}

// ---- the camera: on at start if allowed; toggling it adds or removes tracks (renegotiation)
async function cameraOn() {
  if (!navigator.mediaDevices?.getUserMedia) {
    problem('This page is not a secure context (https or localhost), so the browser offers no camera. You will still see and hear others.');
    return;
  }
  badge($('camera-state'), 'connecting', 'starting');
  try {
    camera = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
  } catch (error) {
    badge($('camera-state'), 'error', 'unavailable');
    problem(`No camera: ${error.message}. You will still see and hear others.`);
    return;
  }
  $('local').querySelector('video').srcObject = camera;
  badge($('camera-state'), 'open', 'on');
  $('camera').textContent = 'Turn camera off';
  for (const call of calls.values()) if (call.connection && call.connection.state !== 'closed') share(call.connection);
}

function cameraOff() {
  if (!camera) return;
  for (const call of calls.values()) {
    for (const track of camera.getTracks()) call.connection?.removeTrack(track);
  }
  for (const track of camera.getTracks()) track.stop();
  camera = null;
  $('local').querySelector('video').srcObject = null;
  badge($('camera-state'), 'waiting', 'off');
  $('camera').textContent = 'Turn camera on';
}

function problem(text) {
  $('problem').textContent = text;
  $('problem').hidden = false;
}

$('camera').addEventListener('click', () => (camera ? cameraOff() : cameraOn()));
if (params.get('camera') !== '0') cameraOn();

Object.assign(window, { channel, peers, node, calls });
