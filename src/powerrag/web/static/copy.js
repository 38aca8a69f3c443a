// Copy buttons with a label (`button.copy-text`): `data-copy` holds the exact text, or
// `data-copy-from` names the element whose text is copied; the label says when it is done.
// A module, never an inline script (the CSP forbids those).
const SHOWN_MS = 1500;

function fallbackCopy(text) {
  // Outside a secure context (plain http on a LAN address) there is no Clipboard API.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "visually-hidden";
  document.body.append(area);
  area.select();
  const done = document.execCommand("copy");
  area.remove();
  if (!done) throw new Error("copy refused");
}

async function copy(button) {
  const source = button.dataset.copyFrom ? document.getElementById(button.dataset.copyFrom) : null;
  const text = source ? source.textContent : button.dataset.copy;
  if (text === undefined) return;
  const label = button.dataset.label ?? button.textContent;
  button.dataset.label = label;
  try {
    if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(text);
    else fallbackCopy(text);
    button.dataset.state = "copied";
    button.textContent = button.dataset.copied || label;
  } catch {
    button.dataset.state = "failed";
  }
  setTimeout(() => { button.textContent = label; }, SHOWN_MS);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy-text");
  if (button) copy(button);
});
