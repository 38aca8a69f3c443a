// Prelude for a TypeScript block of the user's document: the OpenTelemetry set-up from the
// Langfuse TypeScript docs (NodeSDK + LangfuseSpanProcessor), which the blocks assume.
import { NodeSDK } from "@opentelemetry/sdk-node";
import { LangfuseSpanProcessor } from "@langfuse/otel";

const langfuseSdk = new NodeSDK({ spanProcessors: [new LangfuseSpanProcessor()] });
langfuseSdk.start();
