/**
 * POST /api/uploads, GET /api/uploads/{id}, DELETE /api/uploads/{id}: thin adapters over src/api.
 * Function-level keys in Azure (issue 4) under API_AUTH=functionKey (the default). Under API_AUTH=entra the
 * platform's built-in authentication (Easy Auth, configured with it by infra/main.bicep) is the gate and the
 * handlers check the caller's app role (src/api/authorize.ts), so the routes are anonymous at the Functions
 * level: a caller needs a token, not a token and a key. The local host serves the same registrations.
 * POST hands its jobs' first wakes to the wake queue's output binding, so the host starts their first steps at
 * once instead of at its next poll (src/functions/wakeOutput.ts).
 */
import { app, type HttpRequest, type HttpResponse, type InvocationContext } from "@azure/functions";
import { deleteUpload, getUpload, postUpload } from "../api/uploadHandlers.js";
import { appServices } from "./appServices.js";
import { wakeQueueOutput, wakesForOutputBinding } from "./wakeOutput.js";

/** Read when the worker loads the app, as the host reads authLevel only at registration. */
const uploadsAuthLevel = appServices().config.httpApi.apiAuth === "entra" ? "anonymous" : "function";

export async function createUploadFunction(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponse> {
  const deps = await appServices().uploadApi();
  const wakes = wakesForOutputBinding(deps.wake);
  const response = await postUpload({ ...deps, wake: wakes })(request, context);
  // Only a request that created jobs has wakes; the host writes them only because the handler succeeded.
  if (wakes.immediate.length > 0) context.extraOutputs.set(wakeQueueOutput, wakes.immediate);
  return response;
}

export async function getUploadFunction(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponse> {
  return getUpload(await appServices().uploadApi())(request, context);
}

export async function cancelUploadFunction(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponse> {
  return deleteUpload(await appServices().uploadApi())(request, context);
}

app.http("createUpload", {
  route: "uploads",
  methods: ["POST"],
  authLevel: uploadsAuthLevel,
  extraOutputs: [wakeQueueOutput],
  handler: createUploadFunction,
});
app.http("getUpload", {
  route: "uploads/{id}",
  methods: ["GET"],
  authLevel: uploadsAuthLevel,
  handler: getUploadFunction,
});
app.http("cancelUpload", {
  route: "uploads/{id}",
  methods: ["DELETE"],
  authLevel: uploadsAuthLevel,
  handler: cancelUploadFunction,
});
