// Behaviour shared by every page: the project switcher and tree/timeline geometry
// (the CSP forbids inline styles, so positions travel in data-* attributes).
const switcher = document.getElementById("project-switcher");
if (switcher) {
  switcher.addEventListener("change", () => {
    const current = switcher.dataset.current;
    const path = window.location.pathname;
    const prefix = `/project/${encodeURIComponent(current)}/`;
    const section = path.startsWith(prefix) ? path.slice(prefix.length).split("/")[0] : "sessions";
    window.location.assign(`/project/${encodeURIComponent(switcher.value)}/${section}`);
  });
}

export function layout(root = document) {
  for (const el of root.querySelectorAll("[data-depth]")) {
    el.style.paddingLeft = `${Number(el.dataset.depth) * 14}px`;
  }
  for (const row of root.querySelectorAll(".gantt-row[data-offset]")) {
    const bar = row.querySelector(".gantt-bar");
    if (bar) {
      bar.style.left = `${row.dataset.offset}%`;
      bar.style.width = `${Math.min(Number(row.dataset.width), 100 - Number(row.dataset.offset))}%`;
    }
  }
}

layout();
