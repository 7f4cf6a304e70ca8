/**
 * The built-in local Functions host, for machines without Azure Functions Core Tools (docs/platform.md: Core Tools
 * cannot be installed everywhere). It runs the very registrations Azure runs: the app's compiled entry points
 * (package.json `main`) are loaded with a virtual `@azure/functions-core` in place, so every `app.http`,
 * `app.storageQueue` and `app.timer` call registers here exactly as in the Node.js worker, and invocations go
 * through the app's own programming model. Then it serves HTTP triggers, polls queues with host.json semantics
 * and fires timers; `POST /admin/functions/{name}` runs a timer function once (the host's admin API).
 */
import { pathToFileURL } from "node:url";
import { entryPoints } from "./entryPoints.js";
import { readHostSettings } from "./hostJson.js";
import { type HttpTriggerServer, serveHttpTriggers } from "./httpTriggers.js";
import { type HostLog, triggerBinding } from "./invoke.js";
import { type OutputWriter, unsupportedOutputs, writeQueueOutputs } from "./outputBindings.js";
import { listenToQueue, type QueueListener, type QueueListenerOptions } from "./queueTriggers.js";
import { QueueClients } from "./storageConnections.js";
import { scheduleTimer, type TimerSchedule } from "./timerTriggers.js";
import { installVirtualCore, type Registration } from "./virtualCore.js";

export interface LocalHostOptions {
  /** The app folder: package.json, host.json and the compiled entry points. */
  readonly appDir: string;
  /** The app settings; the app itself reads process.env, so this is normally process.env. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly port: number;
  readonly host?: string;
  readonly log?: HostLog;
  /** How long a received queue message stays invisible while its function runs (renewed). */
  readonly messageLeaseMs?: number;
  /** x-ms-client-principal the host sets on every HTTP request (LOCAL_DEV_PRINCIPAL); else it strips any. */
  readonly devPrincipalHeader?: string;
}

export interface RunningLocalHost {
  readonly http: HttpTriggerServer;
  readonly queues: readonly QueueListener[];
  readonly timers: readonly TimerSchedule[];
  /** A human-readable list of what runs where. */
  describe(): string;
  close(): Promise<void>;
}

const defaultLog: HostLog = (level, message) => {
  const line = `[localhost] ${level}: ${message}\n`;
  if (level === "error" || level === "warning") process.stderr.write(line);
  else process.stdout.write(line);
};

export async function startLocalHost(options: LocalHostOptions): Promise<RunningLocalHost> {
  const log = options.log ?? defaultLog;
  const core = installVirtualCore(log);
  for (const file of await entryPoints(options.appDir)) await import(pathToFileURL(file).href);
  const model = core.programmingModel();
  // As the worker does after loading the app: this locks app.setup() and starts the HTTP stream proxy if asked.
  const capabilities = await model.getCapabilities({});
  const settings = await readHostSettings(options.appDir);
  const registrations = [...core.registrations];
  for (const unsupported of registrations.flatMap(unsupportedOutputs))
    log("warning", `output binding ${unsupported} is not supported by the local host and is ignored`);

  const clients = new QueueClients(options.env);
  const queues: QueueListener[] = [];
  const timers: TimerSchedule[] = [];
  // An output binding that writes to a queue this host listens on wakes that listener at once.
  const onQueueWritten = (key: string) => {
    for (const listener of queues) if (listener.key === key) listener.wake();
  };
  const writeOutputs: OutputWriter = (registration, output) =>
    writeQueueOutputs(
      registration,
      output,
      clients,
      options.env,
      settings.queues.messageEncoding,
      onQueueWritten,
    );
  const http = await serveHttpTriggers({
    registrations,
    model,
    streamProxyUri: capabilities.HttpUri,
    routePrefix: settings.routePrefix,
    port: options.port,
    host: options.host ?? "127.0.0.1",
    log,
    runFunction: adminRunner(registrations, timers, log),
    writeOutputs,
    ...(options.devPrincipalHeader ? { devPrincipalHeader: options.devPrincipalHeader } : {}),
  });
  try {
    const triggers = { model, clients, settings: settings.queues, log, writeOutputs };
    await startTriggers(registrations, triggers, options, { queues, timers });
  } catch (err: unknown) {
    await Promise.allSettled([http.close(), ...queues.map((q) => q.stop()), ...timers.map((t) => t.stop())]);
    throw err;
  }
  return runningHost(http, queues, timers);
}

/** `POST /admin/functions/{name}`: runs a timer function once (202); 400 for another function, 404 for none. */
function adminRunner(
  registrations: readonly Registration[],
  timers: readonly TimerSchedule[],
  log: HostLog,
): (name: string) => number {
  return (name) => {
    const timer = timers.find((t) => t.functionName.toLowerCase() === name.toLowerCase());
    if (timer) {
      log("information", `${timer.functionName}: run requested through the admin API`);
      void timer.runNow();
      return 202;
    }
    return registrations.some((r) => r.metadata.name.toLowerCase() === name.toLowerCase()) ? 400 : 404;
  };
}

/** Starts the queue listeners and timers of the registrations (HTTP triggers are served already). */
async function startTriggers(
  registrations: readonly Registration[],
  triggers: Omit<QueueListenerOptions, "env" | "messageLeaseMs">,
  options: LocalHostOptions,
  started: { readonly queues: QueueListener[]; readonly timers: TimerSchedule[] },
): Promise<void> {
  const { model, log, writeOutputs } = triggers;
  for (const registration of registrations) {
    const type = triggerBinding(registration)[1].type.toLowerCase();
    if (type === "queuetrigger")
      started.queues.push(
        await listenToQueue(registration, {
          ...triggers,
          env: options.env,
          ...(options.messageLeaseMs ? { messageLeaseMs: options.messageLeaseMs } : {}),
        }),
      );
    else if (type === "timertrigger")
      started.timers.push(scheduleTimer(registration, { model, env: options.env, log, writeOutputs }));
    else if (type !== "httptrigger")
      log(
        "warning",
        `function ${registration.metadata.name}: trigger ${type} is not supported by the local host`,
      );
  }
}

function runningHost(
  http: HttpTriggerServer,
  queues: readonly QueueListener[],
  timers: readonly TimerSchedule[],
): RunningLocalHost {
  return {
    http,
    queues,
    timers,
    describe: () =>
      [
        ...http.routes.map(
          (r) => `  ${r.name}: [${(r.methods ?? ["ALL"]).join(",")}] ${r.url} (authLevel ${r.authLevel})`,
        ),
        ...queues.map((q) => `  ${q.functionName}: queueTrigger on ${q.queueName}`),
        ...timers.map(
          (t) => `  ${t.functionName}: timerTrigger "${t.schedule}" (next ${t.next().toISOString()})`,
        ),
      ].join("\n"),
    close: async () => {
      await http.close();
      await Promise.allSettled([...queues.map((q) => q.stop()), ...timers.map((t) => t.stop())]);
    },
  };
}
