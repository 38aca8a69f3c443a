// The prompt forms' preview: {{variables}} and chat placeholders marked as they are typed.
// Built with DOM nodes only (textContent), so typed text is never read as HTML.
const VARIABLE = /\{\{\s*([a-zA-Z][a-zA-Z0-9_]*)\s*\}\}/g;

function marked(text) {
  const out = document.createElement("pre");
  out.className = "prompt-text";
  let last = 0;
  for (const match of text.matchAll(VARIABLE)) {
    out.append(text.slice(last, match.index));
    const mark = document.createElement("mark");
    mark.className = "var";
    mark.textContent = match[0];
    out.append(mark);
    last = match.index + match[0].length;
  }
  out.append(text.slice(last));
  return out;
}

function chat(source) {
  const nodes = [];
  for (const message of JSON.parse(source)) {
    const box = document.createElement("div");
    if (message && message.type === "placeholder") {
      box.className = "chat-placeholder";
      box.textContent = `placeholder: ${message.name}`;
    } else {
      box.className = "chat-message";
      const role = document.createElement("div");
      role.className = "msg-role";
      role.textContent = String(message && message.role);
      box.append(role, marked(String(message && message.content)));
    }
    nodes.push(box);
  }
  return nodes;
}

function kindOf(form) {
  const field = form.querySelector("[name=type]");
  return field ? field.value : "text";
}

function show(area) {
  const preview = document.getElementById(area.dataset.preview);
  if (!preview) return;
  try {
    preview.replaceChildren(...(kindOf(area.form) === "chat" ? chat(area.value) : [marked(area.value)]));
  } catch (error) {
    const note = document.createElement("span");
    note.className = "error";
    note.textContent = String(error.message || error);
    preview.replaceChildren(note);
  }
}

for (const area of document.querySelectorAll("textarea.prompt-source")) {
  area.addEventListener("input", () => show(area));
  const type = area.form.querySelector("select[name=type]");
  if (type) type.addEventListener("change", () => show(area));
  if (area.value) show(area);
}
