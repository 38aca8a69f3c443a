// Prompt management through @langfuse/client 5.x: `node js_prompts.mjs PREFIX OUT`.
// The same steps as py_prompts.py; writes what the SDK answered to OUT as JSON.
import { writeFileSync } from "node:fs";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { LangfuseSpanProcessor } from "@langfuse/otel";
import { startActiveObservation } from "@langfuse/tracing";
import { LangfuseClient } from "@langfuse/client";

const [prefix, out] = process.argv.slice(2);
const name = `${prefix}/qa/answer`;
const chatName = `${prefix}/qa/chat`;
const otel = new NodeSDK({ spanProcessors: [new LangfuseSpanProcessor()] });
otel.start();
const langfuse = new LangfuseClient();

await langfuse.prompt.create({
  name,
  prompt: "Answer {{question}} briefly.",
  labels: ["production"],
  tags: ["qa"],
  config: { temperature: 0 },
  commitMessage: "first",
});
await langfuse.prompt.create({ name, prompt: "Answer {{question}} in detail.", labels: ["staging"] });
await langfuse.prompt.create({
  name: chatName,
  type: "chat",
  prompt: [
    { role: "system", content: "You help with {{topic}}." },
    { type: "placeholder", name: "history" },
    { role: "user", content: "{{question}}" },
  ],
  labels: ["production"],
});
const production = await langfuse.prompt.get(name);
const byVersion = await langfuse.prompt.get(name, { version: 2 });
const staging = await langfuse.prompt.get(name, { label: "staging" });
await langfuse.prompt.update({ name, version: 2, newLabels: ["production"] });
const moved = await langfuse.prompt.get(name, { cacheTtlSeconds: 0 });
const withFallback = await langfuse.prompt.get(name, {
  label: "staging",
  fallback: "FALLBACK {{question}}",
  cacheTtlSeconds: 0,
});
const chat = await langfuse.prompt.get(chatName, { type: "chat" });
const history = [
  { role: "user", content: "Hi" },
  { role: "assistant", content: "Hello" },
];
let traceId;
let generationId;
await startActiveObservation(`${prefix}-turn`, async (root) => {
  root.update({ input: "Why?" });
  const generation = root.startObservation(
    "answer",
    { model: "gpt-4o-mini", input: moved.compile({ question: "Why?" }), prompt: moved },
    { asType: "generation" },
  );
  generation.update({ output: "Because." }).end();
  traceId = root.traceId;
  generationId = generation.id;
});
await otel.shutdown();

const seen = (p) => ({
  version: p.version,
  prompt: p.prompt,
  labels: [...p.labels].sort(),
  config: p.config,
  fallback: p.isFallback,
});
writeFileSync(
  out,
  JSON.stringify({
    production: seen(production),
    byVersion: seen(byVersion),
    staging: seen(staging),
    moved: seen(moved),
    withFallback: seen(withFallback),
    compiled: production.compile({ question: "Why?" }),
    chatCompiled: chat.compile({ topic: "billing", question: "Why?" }, { history }),
    traceId,
    generationId,
  }),
);
