import {
  startActiveObservation,
  startObservation,
  updateActiveTrace,
} from "@langfuse/tracing";

await startActiveObservation("context-manager", async (span) => {
  span.update({
    input: { query: "What is the capital of France?" },
  });

  // 为 Trace 设置 sessionId
  updateActiveTrace({
    sessionId: "session-123",
  });
});
