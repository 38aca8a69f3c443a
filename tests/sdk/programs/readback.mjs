// Reads sessions, their traces and session scores back through @langfuse/client's API client.
// Runs inside an SDK environment: `node readback.mjs OUT_FILE [--scores] SESSION_ID...`.
import { writeFileSync } from "node:fs";
import { LangfuseClient } from "@langfuse/client";

const [outFile, ...rest] = process.argv.slice(2);
const withScores = rest[0] === "--scores";
const sessionIds = withScores ? rest.slice(1) : rest;
const api = new LangfuseClient().api;

async function sessionScores(sessionId) {
  // 4.x names the v2 scores resource scoreV2 (get); 5.x names it scores (getMany).
  const page = api.scoreV2
    ? await api.scoreV2.get({ sessionId, limit: 100 })
    : await api.scores.getMany({ sessionId, limit: 100 });
  return page.data;
}

const result = { sessions: {}, traces: {}, sessionScores: {} };
for (const sessionId of sessionIds) {
  const session = await api.sessions.get(sessionId);
  result.sessions[sessionId] = session;
  for (const trace of session.traces) {
    result.traces[trace.id] = await api.trace.get(trace.id);
  }
  if (withScores) result.sessionScores[sessionId] = await sessionScores(sessionId);
}
writeFileSync(outFile, JSON.stringify(result));
