// Behaviour shared by every page: the project switcher and tree/timeline geometry
// (the CSP forbids inline styles, so positions travel in data-* attributes).
const switcher = document.getElementById("project-switcher");
if (switcher) {
  // Each option carries the server-built address of its project's page (powerrag/urls.py).
  switcher.addEventListener("change", () => {
    window.location.assign(switcher.selectedOptions[0].dataset.url);
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
