// Epilogue for a TypeScript block: shutting the SDK down flushes every span.
await langfuseSdk.shutdown();
