// What trace content needs in every page, for server-rendered HTML and for HTML added later
// (live turns, more turns, an observation's panel): times in the browser's time zone,
// "show more" on long messages and images enlarged in a dialog (copy buttons: copy.js).
// No inline script or style: the CSP forbids both (web/security.py).

const lang = document.documentElement.lang || "en";
const thisYear = new Date().getFullYear();

function formatTime(date, short) {
  const options = {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  };
  if (!short) options.second = "2-digit";
  if (date.getFullYear() !== thisYear) options.year = "numeric";
  return new Intl.DateTimeFormat(lang, options).format(date);
}

// <time datetime="…Z">…UTC</time> from web/render.py becomes local time with the zone.
export function localiseTimes(root = document) {
  for (const el of root.querySelectorAll("time[datetime]:not([data-local])")) {
    const date = new Date(el.getAttribute("datetime"));
    if (Number.isNaN(date.getTime())) continue;
    el.textContent = formatTime(date, el.dataset.format === "short");
    el.dataset.local = "1";
  }
}

function toggleMore(button) {
  const text = button.previousElementSibling;
  const open = !text.classList.contains("expanded");
  text.classList.toggle("expanded", open);
  button.setAttribute("aria-expanded", String(open));
  button.textContent = open ? button.dataset.less : button.dataset.more;
}

function zoom(link) {
  let dialog = document.getElementById("media-dialog");
  if (!dialog) {
    dialog = document.createElement("dialog");
    dialog.id = "media-dialog";
    dialog.className = "media-dialog";
    dialog.append(document.createElement("img"));
    dialog.addEventListener("click", () => dialog.close()); // any click closes, Esc too
    document.body.append(dialog);
  }
  const img = dialog.querySelector("img");
  img.src = link.href;
  img.alt = link.querySelector("img")?.alt || "";
  dialog.showModal();
}

document.addEventListener("click", (event) => {
  const target = event.target.closest("button.show-more, a.media-zoom");
  if (!target) return;
  if (target.matches("button.show-more")) toggleMore(target);
  else if (!event.metaKey && !event.ctrlKey && !event.shiftKey) {
    event.preventDefault();
    zoom(target);
  }
});

localiseTimes();
new MutationObserver((changes) => {
  for (const change of changes) {
    for (const node of change.addedNodes) {
      if (node.nodeType === Node.ELEMENT_NODE) localiseTimes(node);
    }
  }
}).observe(document.body, { childList: true, subtree: true });
