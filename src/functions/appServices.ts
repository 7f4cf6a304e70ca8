/**
 * The Functions app's one services object (src/app/services.ts), built from process.env when the first
 * function module registers. The host loads src/index.ts and every src/functions/*.js (package.json main), so
 * the registrations share this module's instance; each reads what it needs at registration (the queue name,
 * the schedule, API_AUTH) through {@link appServices}. That first call runs loadConfig over every
 * configuration area, so a bad setting (CHUNK_SIZE=abc) throws a ConfigError naming it while the host loads
 * the app: the worker fails to start and says why, instead of failing the first upload (docs/design.md
 * "Composition root"). Only process.env is read here; the libraries take their settings from the config.
 *
 * Tests install their own services with {@link installServices} (createServices with overrides: in-memory
 * stores, a scripted engine, a manual clock).
 */

import { createServices, type Services } from "../app/services.js";
import { loadConfig } from "../config/index.js";

let current: Services | undefined;

/** The instance's services, built from process.env on first use (at registration). */
export function appServices(): Services {
  current ??= createServices(loadConfig(process.env));
  return current;
}

/** Installs services (tests); `undefined` returns to the default built from process.env. */
export function installServices(next: Services | undefined): void {
  current = next;
}
