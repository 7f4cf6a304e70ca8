/**
 * Imported first by the Functions entry point (src/index.ts): the SDK must be registered before the first
 * invocation records anything. Top-level await holds the function modules back until it is.
 */
import { registerAzureMonitor } from "./azureMonitor.js";

await registerAzureMonitor(process.env);
