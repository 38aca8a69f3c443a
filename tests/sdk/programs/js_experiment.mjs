// Datasets and experiments on @langfuse/client 5.x: a dataset of two capitals,
// `dataset.runExperiment` with an item evaluator (exact match) and a run evaluator
// (accuracy), then `langfuse.experiment.run` on local data. The task gets Japan wrong on
// purpose, so the scores tell the items apart. Prints one JSON line of what it returned.
import { NodeSDK } from "@opentelemetry/sdk-node";
import { LangfuseSpanProcessor } from "@langfuse/otel";
import { LangfuseClient } from "@langfuse/client";

const NAME = process.argv[2];
const CAPITALS = { France: "Paris", Japan: "Tokyo" };
const ANSWERS = { France: "Paris", Japan: "Kyoto" };

const processor = new LangfuseSpanProcessor();
const sdk = new NodeSDK({ spanProcessors: [processor] });
sdk.start();
const langfuse = new LangfuseClient();

await langfuse.api.datasets.create({
  name: NAME,
  description: "capitals",
  metadata: { suite: "geo" },
});
for (const [country, capital] of Object.entries(CAPITALS)) {
  await langfuse.dataset.createItem({
    datasetName: NAME,
    id: `${NAME}-${country}`,
    input: { country },
    expectedOutput: capital,
    metadata: { country },
  });
}
const dataset = await langfuse.dataset.get(NAME);

const task = async (item) => ANSWERS[item.input.country];
const exact = async ({ output, expectedOutput }) => ({
  name: "exact",
  value: output === expectedOutput ? 1 : 0,
});
const accuracy = async ({ itemResults }) => {
  const values = itemResults.flatMap((r) => r.evaluations.filter((e) => e.name === "exact"));
  return { name: "accuracy", value: values.reduce((s, e) => s + e.value, 0) / values.length };
};

const result = await dataset.runExperiment({
  name: "capitals",
  runName: `${NAME}-run`,
  description: "first model",
  task,
  evaluators: [exact],
  runEvaluators: [accuracy],
});
const local = await langfuse.experiment.run({
  name: "local",
  data: [{ input: { country: "France" }, expectedOutput: "Paris" }],
  task,
  evaluators: [exact],
});
await processor.forceFlush();
await langfuse.flush();
const itemTraces = {};
for (const r of result.itemResults) itemTraces[r.item.id] = r.traceId;
console.log(
  JSON.stringify({
    runId: result.datasetRunId,
    itemTraces,
    localTrace: local.itemResults[0].traceId,
    itemRunTrace: null,
  }),
);
await langfuse.shutdown();
await sdk.shutdown();
