import { echo, scuttlebutt, relay, randomId } from '../../js/signal-channel.js';
import { badge, logLine, namespace, settingsForm } from '../common.js';

const $ = (id) => document.getElementById(id);
settingsForm($('settings'), { ns: $('ns') });
$('ns').value = namespace;

const show = (stream, element) => {
  badge(element, stream.state);
  stream.on('state', (state) => badge(element, state));
};

// ---- echo: every message reaches every stream of the namespace, the writer included
const echoes = { 1: echo(namespace), 2: echo(namespace) };
for (const [n, stream] of Object.entries(echoes)) {
  show(stream, $(`echo${n}-state`));
  stream.on('data', (data) => logLine($('echo-log'), `${typeof data === 'string' ? data : `${data.byteLength} bytes`}`, { from: `stream ${n} got:` }));
}
$('echo-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('echo-text').value;
  if (!text) return;
  echoes[$('echo-from').value].write(text);
  $('echo-text').value = '';
});

// ---- scuttlebutt: two replicas of the namespace's model
const models = { 1: scuttlebutt(namespace), 2: scuttlebutt(namespace) };
for (const [n, stream] of Object.entries(models)) {
  show(stream, $(`sb${n}-state`));
  const render = () => { $(`sb${n}-json`).textContent = JSON.stringify(stream.model.toJSON(), null, 2); };
  stream.model.on('update', render);
  render();
}
$('sb-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const raw = $('sb-value').value.trim();
  let value;
  try {
    value = raw === '' ? null : JSON.parse(raw);
  } catch {
    value = raw; // plain text is stored as a string
  }
  models[$('sb-on').value].model.set($('sb-key').value, value);
});

// ---- relay: a pair of streams with mirror headers; fresh tokens per pair so pages never clash
let pair;
function newPair() {
  for (const stream of Object.values(pair ?? {})) stream.end();
  const [a, b] = [randomId(), randomId()];
  pair = { 5: relay(namespace, { local: a, remote: b }), 6: relay(namespace, { local: b, remote: a }) };
  for (const [n, stream] of Object.entries(pair)) {
    show(stream, $(`relay${n}-state`));
    stream.on('data', (data) => logLine($('relay-log'), String(data), { from: `stream ${n} got:` }));
    stream.on('open', () => logLine($('relay-log'), `stream ${n} paired`, { kind: 'system' }));
    stream.on('close', ({ code, reason }) => logLine($('relay-log'), `stream ${n} closed: ${code}${reason ? ' ' + reason : ''}`, { kind: 'system' }));
  }
}
newPair();
$('relay-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('relay-text').value;
  const stream = pair[$('relay-from').value];
  if (!text || stream.state === 'closed') return;
  stream.write(text);
  $('relay-text').value = '';
});
$('relay-reset').addEventListener('click', newPair);

Object.assign(window, { echoes, models, pair: () => pair });
