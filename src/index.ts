/**
 * The Functions app's entry point (package.json `main` also lists dist/src/functions/*.js, the convention the
 * host documents). Importing the function modules runs their `app.*` registrations; nothing else lives here.
 *
 * HTTP streaming: `POST /api/uploads?to=...` streams its body into a staging blob, so the host must hand the
 * body over as a stream rather than one buffer (Microsoft docs, "HTTP streams" in the Node.js developer guide;
 * host 4.28 or later). The setting only has to be made before the host asks for capabilities, after loading.
 */
// First: OpenTelemetry with the Azure Monitor exporter when APPLICATIONINSIGHTS_CONNECTION_STRING is set.
import "./telemetry/register.js";
import { app } from "@azure/functions";
import "./functions/health.js";
import "./functions/mirrors.js";
import "./functions/mirrorTimer.js";
import "./functions/poison.js";
import "./functions/wakeQueue.js";
import "./functions/sweeper.js";
import "./functions/uploads.js";

app.setup({ enableHttpStream: true });
