// Trace page: clicking an observation in the tree or the timeline loads its panel.
import { layout } from "./common.js";

const root = document.getElementById("trace-layout");
const panel = document.getElementById("panel");

async function select(id, push) {
  const url = new URL(root.dataset.panelUrl, window.location.href);
  url.searchParams.set("observation", id);
  const response = await fetch(url, { headers: { Accept: "text/html" } });
  if (!response.ok) return;
  panel.innerHTML = await response.text(); // server-rendered and escaped
  for (const el of root.querySelectorAll(".obs-link")) {
    const on = el.dataset.obs === id;
    (el.closest(".tree-node") || el).classList.toggle("selected", on);
  }
  layout(panel);
  if (push) history.pushState({ id }, "", `?observation=${encodeURIComponent(id)}`);
}

if (root) {
  root.addEventListener("click", (event) => {
    const link = event.target.closest(".obs-link");
    if (!link || event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    select(link.dataset.obs, true);
  });
  window.addEventListener("popstate", (event) => {
    if (event.state && event.state.id) select(event.state.id, false);
  });
}
