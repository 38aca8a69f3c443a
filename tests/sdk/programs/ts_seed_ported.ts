// The user document's three TypeScript blocks ported to @langfuse/tracing 5.x, which removed
// updateActiveTrace and span.updateTrace: the session id is set with propagateAttributes.
import { NodeSDK } from "@opentelemetry/sdk-node";
import { LangfuseSpanProcessor } from "@langfuse/otel";
import { observe, propagateAttributes, startActiveObservation, startObservation } from "@langfuse/tracing";

const langfuseSdk = new NodeSDK({ spanProcessors: [new LangfuseSpanProcessor()] });
langfuseSdk.start();

// Block 1: the context manager.
await startActiveObservation("context-manager", async (span) => {
  span.update({ input: { query: "What is the capital of France?" } });
  await propagateAttributes({ sessionId: "session-123" }, async () => {});
});

// Block 2: observe() around a function.
async function fetchData(source: string) {
  return propagateAttributes({ sessionId: "session-123" }, async () => ({
    data: `some data from ${source}`,
  }));
}
const tracedFetchData = observe(fetchData, { name: "observe-wrapper" });
await tracedFetchData("API");

// Block 3: a manual span.
propagateAttributes({ sessionId: "session-123" }, () => {
  const span = startObservation("manual-observation", {
    input: { query: "What is the capital of France?" },
  });
  span.update({ output: "Paris" }).end();
});

await langfuseSdk.shutdown();
