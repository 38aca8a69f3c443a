// Every copy button of every page, one script: `data-copy` holds the exact text, or
// `data-copy-from` names the element whose text is copied. A labelled button
// (`button.copy-text`) shows `data-copied` as its label for a moment; an icon button
// (`button.copy`, no text) shows it as its title. Both carry data-state=copied meanwhile.
// A module, never an inline script (the CSP forbids those: web/security.py).
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

async function write(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // refused (no permission): the old way may still work
    }
  }
  fallbackCopy(text);
}

async function copy(button) {
  const source = button.dataset.copyFrom ? document.getElementById(button.dataset.copyFrom) : null;
  const text = source ? source.textContent : button.dataset.copy;
  if (text === undefined) return;
  const icon = button.classList.contains("copy");
  const label = button.dataset.label ?? (icon ? button.title : button.textContent);
  button.dataset.label = label; // what a second click during the moment restores
  const show = (value) => {
    if (icon) button.title = value;
    else button.textContent = value;
  };
  try {
    await write(text);
    button.dataset.state = "copied";
    show(button.dataset.copied || label);
  } catch {
    button.dataset.state = "failed";
  }
  setTimeout(() => {
    show(label);
    delete button.dataset.state;
  }, SHOWN_MS);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy-text, button.copy");
  if (button) copy(button);
});
