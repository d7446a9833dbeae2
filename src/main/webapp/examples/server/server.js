import { badge } from '../common.js';

const $ = (id) => document.getElementById(id);
const stats = new URL('../../v1/stats', location.href);
const history = [];
/** Namespaces being watched: "endpoint/namespace" → list item. */
const watched = new Map();
let previous = null;

async function json(url) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  return response.json();
}

async function poll() {
  try {
    const now = await json(stats);
    badge($('poll-state'), 'open', 'live');
    $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
    render(now);
  } catch (error) {
    badge($('poll-state'), 'error', `server unreachable (${error.message})`);
  }
  for (const [key, item] of watched) {
    try {
      const { sessions } = await json(new URL(`${stats.href}/${key}`));
      item.querySelector('.badge').dataset.state = sessions > 0 ? 'open' : 'waiting';
      item.querySelector('.badge').textContent = `${sessions} session${sessions === 1 ? '' : 's'}`;
    } catch (error) {
      badge(item.querySelector('.badge'), 'error', error.message);
    }
  }
}

function render(now) {
  const total = now.sessions ?? 0;
  $('total').textContent = String(total);
  if (previous !== null) {
    const change = total - previous;
    $('rate').textContent = change === 0 ? ' steady' : ` ${change > 0 ? '+' : ''}${change}/s`;
  }
  previous = total;
  history.push(total);
  if (history.length > 120) history.shift();
  const max = Math.max(1, ...history);
  // Newest on the right edge; one unit per second, two minutes across.
  const points = history.map((value, i) => `${120 - (history.length - 1 - i)},${(40 - (value / max) * 36 - 2).toFixed(1)}`).join(' ');
  $('spark').querySelector('polyline').setAttribute('points', points);

  const rows = Object.entries(now).filter(([, value]) => value && typeof value === 'object');
  $('endpoints').replaceChildren(...rows.map(([endpoint, usage]) => {
    const row = document.createElement('tr');
    for (const text of [endpoint, usage.namespaces ?? '–', usage.sessions ?? '–']) {
      const cell = document.createElement('td');
      cell.textContent = String(text);
      row.append(cell);
    }
    return row;
  }));
}

$('watch').addEventListener('submit', (event) => {
  event.preventDefault();
  const endpoint = $('watch-endpoint').value;
  const namespace = $('watch-ns').value.trim();
  const key = `${endpoint}/${encodeURIComponent(namespace)}`;
  if (!namespace || watched.has(key)) return;
  const item = document.createElement('li');
  item.innerHTML = '<span class="name"></span><code></code><span class="badge" data-state="connecting">…</span><button type="button" class="secondary">Stop</button>';
  item.querySelector('.name').textContent = namespace;
  item.querySelector('code').textContent = endpoint;
  item.querySelector('button').addEventListener('click', () => { watched.delete(key); item.remove(); });
  watched.set(key, item);
  $('watched').append(item);
  poll();
});

poll();
setInterval(poll, 1_000);
