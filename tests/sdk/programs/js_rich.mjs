// Rich scenario on @langfuse/tracing 4.x and 5.x; the expected result is tests/sdk/expected/rich.json.
// Trace attributes are set with updateActiveTrace on 4.x and propagateAttributes on 5.x (4.x
// has both, but 5.x removed updateActiveTrace); everything else is the same code on both.
import { NodeSDK } from "@opentelemetry/sdk-node";
import { LangfuseSpanProcessor } from "@langfuse/otel";
import * as tracing from "@langfuse/tracing";
import { LangfuseClient } from "@langfuse/client";

const { startActiveObservation } = tracing;
const langfuseSdk = new NodeSDK({ spanProcessors: [new LangfuseSpanProcessor()] });
langfuseSdk.start();
const langfuse = new LangfuseClient();

const SESSION = "rich-session";
const USER = "user-42";
const CHAT = [
  { role: "system", content: "You are a helpful assistant." },
  { role: "user", content: "What is the capital of France?" },
];

// Runs fn with the trace attributes set in the way this SDK version offers.
async function withTraceAttributes(attributes, fn) {
  if (tracing.updateActiveTrace) {
    tracing.updateActiveTrace(attributes);
    return fn();
  }
  const { name, ...rest } = attributes;
  return tracing.propagateAttributes(name ? { traceName: name, ...rest } : rest, fn);
}

async function richChildren(root) {
  const retrieve = root.startObservation("retrieve", { input: { query: "capital of France" } });
  retrieve
    .startObservation(
      "embed-query",
      { model: "text-embedding-3-small", usageDetails: { input: 8 } },
      { asType: "embedding" },
    )
    .end();
  retrieve.update({ output: ["doc-1", "doc-2"] }).end();
  // Provided cost is authoritative: no price lookup for this generation.
  root
    .startObservation("llm-call", { model: "gpt-4o", input: CHAT }, { asType: "generation" })
    .update({
      output: { role: "assistant", content: "Paris" },
      usageDetails: { input: 12, output: 3 },
      costDetails: { input: 0.00012, output: 0.00009 },
    })
    .end();
  // No cost given: the server infers it from the gpt-4o price.
  root
    .startObservation("llm-inferred", { model: "gpt-4o", input: "Summarise the answer." }, { asType: "generation" })
    .update({ output: "Paris is the capital.", usageDetails: { input: 100, output: 20 } })
    .end();
  root.startObservation("failing-step").update({ level: "ERROR", statusMessage: "upstream timeout" }).end();
  try {
    await startActiveObservation("raising-step", async () => {
      throw new Error("boom");
    });
  } catch {
    // the span records the error; the scenario goes on
  }
}

await startActiveObservation("rich-root", async (root) => {
  root.update({ input: { question: "What is the capital of France?" }, metadata: { component: "router" } });
  const attributes = { name: "rich-trace", userId: USER, sessionId: SESSION, tags: ["tag-a", "tag-b"], metadata: { tenant: "acme" } };
  await withTraceAttributes(attributes, async () => {
    await richChildren(root);
    langfuse.score.activeTrace({ name: "user-feedback", value: 1, dataType: "BOOLEAN" });
  });
  root.update({ output: { answer: "Paris" } });
});

for (let number = 1; number <= 20; number++) {
  const message = `user message ${number}`;
  const reply = `assistant reply ${number}`;
  const name = `turn-${String(number).padStart(2, "0")}`;
  await startActiveObservation(name, async (span) => {
    span.update({ input: { turn: number, message } });
    await withTraceAttributes({ userId: USER, sessionId: SESSION }, async () => {
      span
        .startObservation("chat-llm", { model: "gpt-4o", input: [{ role: "user", content: message }] }, { asType: "generation" })
        .update({ output: { role: "assistant", content: reply }, usageDetails: { input: 10 + number, output: 5 + number } })
        .end();
    });
    span.update({ output: reply });
  });
}

langfuse.score.create({ name: "session-rating", value: 4, sessionId: SESSION, dataType: "NUMERIC" });
await langfuse.flush();
await langfuseSdk.shutdown();
await langfuse.shutdown();
