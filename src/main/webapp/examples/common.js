// Small DOM helpers shared by the demo pages. Everything user-supplied goes in as text, never HTML.

/** The page's query parameters. */
export const params = new URLSearchParams(location.search);

/**
 * The namespace the page works on: `?ns=...`, else the example's own name, so that the examples
 * never talk over each other (a key of the simple page's model is no peer of the channel page).
 */
export const namespace = params.get('ns') || location.pathname.split('/').filter(Boolean).at(-1) || 'default';

/** Sets a status badge: its text, and its data-state (which the CSS colours). */
export function badge(element, state, text = state) {
  element.dataset.state = state;
  element.textContent = text;
}

/** Appends a line to a log list and keeps it scrolled to the end. */
export function logLine(list, text, { from, kind = 'in' } = {}) {
  const item = document.createElement('li');
  item.className = kind;
  if (from !== undefined) {
    item.dataset.from = from;
    const who = document.createElement('b');
    who.textContent = from;
    item.append(who);
  }
  item.append(document.createTextNode(text));
  list.append(item);
  while (list.children.length > 500) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
  return item;
}

const ADJECTIVES = ['amber', 'brisk', 'calm', 'dusky', 'eager', 'fuzzy', 'gentle', 'hazy', 'jolly', 'keen', 'lucky', 'merry'];
const ANIMALS = ['otter', 'heron', 'lynx', 'finch', 'badger', 'gecko', 'koala', 'marten', 'panda', 'quail', 'raven', 'stoat'];

/** A friendly random name for a peer. */
export function randomName() {
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  return `${pick(ADJECTIVES)}-${pick(ANIMALS)}`;
}

/** Fills the namespace field of a settings form and makes submitting it reload the page with the new query. */
export function settingsForm(form, fields) {
  for (const [name, element] of Object.entries(fields)) {
    if (element.type === 'checkbox') element.checked = params.get(name) === '1';
    else if (params.has(name)) element.value = params.get(name);
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams(params);
    for (const [name, element] of Object.entries(fields)) {
      const value = element.type === 'checkbox' ? (element.checked ? '1' : '') : element.value.trim();
      if (value) query.set(name, value);
      else query.delete(name);
    }
    location.search = query.toString();
  });
}

// The client closes its streams on pagehide, so a page brought back from the back/forward cache
// has nothing left open: start it afresh.
addEventListener('pageshow', (event) => {
  if (event.persisted) location.reload();
});
