// Small DOM helpers: element creation, the error banner, confirmation.

// h('button', {class: 'x', onclick: f}, 'text', child, ...): an element.
// Attributes starting with "on" become listeners; `null`/`false` ones are
// skipped; children may be strings, nodes, arrays, null or undefined.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else if (key === 'checked') el.checked = !!value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

// A labelled form field: <label>text <input ...></label> with an id so
// screen readers and tests find it by its label.
let nextId = 0;
export function field(label, control) {
  const id = control.id || `f${++nextId}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

// The page's one status line: API errors are shown with their type and the
// API's message, successes briefly.
export function showError(error) {
  const banner = document.getElementById('status');
  const type = error && (error.name || error.__type || error.code);
  const message = (error && error.message) || String(error);
  banner.className = 'status error';
  banner.replaceChildren(h('strong', {}, type && type !== 'Error' ? `${type}: ` : 'Error: '), message,
    h('button', { class: 'link', type: 'button', 'aria-label': 'Dismiss', onclick: clearStatus }, '×'));
  banner.hidden = false;
}

export function showInfo(message) {
  const banner = document.getElementById('status');
  banner.className = 'status info';
  banner.replaceChildren(message,
    h('button', { class: 'link', type: 'button', 'aria-label': 'Dismiss', onclick: clearStatus }, '×'));
  banner.hidden = false;
}

export function clearStatus() {
  const banner = document.getElementById('status');
  banner.hidden = true;
  banner.replaceChildren();
}

// Runs `action` (async); an error is shown in the banner. Returns its
// result, or undefined when it failed. `button` is disabled meanwhile.
export async function attempt(action, button) {
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (error) {
    showError(error);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

// A modal confirmation (<dialog>): resolves true when confirmed.
export function confirmDialog(question, confirmLabel) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-label': question },
      h('p', {}, question),
      h('form', { method: 'dialog', class: 'actions' },
        h('button', { value: 'cancel', type: 'submit' }, 'Cancel'),
        h('button', { value: 'ok', type: 'submit', class: 'danger' }, confirmLabel)));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
