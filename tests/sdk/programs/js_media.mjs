// Media on @langfuse/tracing 5.x: an OpenAI-style generation whose input holds a base64 PNG
// data URI (the span processor uploads it and puts a reference in its place). Prints one
// JSON line: the ids, and how long forceFlush() took (it waits for the media uploads).
import { NodeSDK } from "@opentelemetry/sdk-node";
import { LangfuseSpanProcessor } from "@langfuse/otel";
import { startObservation } from "@langfuse/tracing";

// The 1x1 PNG of tests/data/sdk-traffic/python-langfuse-5.0.4-media.jsonl.
const PNG_B64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const MESSAGES = [
  {
    role: "user",
    content: [
      { type: "text", text: "What is in this image?" },
      { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_B64}` } },
    ],
  },
];

const processor = new LangfuseSpanProcessor();
const sdk = new NodeSDK({ spanProcessors: [processor] });
sdk.start();

const generation = startObservation(
  "vision-call",
  { model: "gpt-4o", input: MESSAGES },
  { asType: "generation" },
);
generation.update({ output: { role: "assistant", content: "A pixel." } }).end();
const started = performance.now();
await processor.forceFlush();
const flushSeconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({ traceId: generation.traceId, observationId: generation.id, flushSeconds }),
);
await sdk.shutdown();
