// Annotation in place: a form the server refused (422) comes back filled in with its error.
// The address bar then shows the form's POST address; put the replay's own back, so a
// reload asks for the page instead of posting again, and put the cursor in the form.
const replay = document.getElementById("replay");
const error = document.querySelector("[data-annotation-error]");

function focusForm() {
  const form = error.closest("form");
  const field = form.querySelector("input[name=value], textarea, input[name=content]");
  (error.closest("li.turn") ?? form).scrollIntoView({ block: "center" });
  field?.focus({ preventScroll: true });
}

if (replay && error) {
  const turn = error.closest("li.turn");
  const url = new URL(replay.dataset.base, window.location.href);
  url.hash = turn ? turn.id : "comments";
  window.history.replaceState(null, "", url);
  // After the load: the browser's own scroll to the address's #fragment would move focus.
  if (document.readyState === "complete") focusForm();
  else window.addEventListener("load", focusForm, { once: true });
}
