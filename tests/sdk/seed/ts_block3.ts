import { startObservation } from "@langfuse/tracing";

const span = startObservation("manual-observation", {
  input: { query: "What is the capital of France?" },
});

// 为 Trace 设置 sessionId
span.updateTrace({
  sessionId: "session-123",
});

span.update({ output: "Paris" }).end();
