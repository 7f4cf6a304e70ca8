/**
 * POST /api/uploads, GET /api/uploads/{id}, DELETE /api/uploads/{id}: thin adapters over src/api.
 * Function-level keys in Azure (issue 4); the local host serves the same registrations (src/localhost).
 * POST hands its jobs' first wakes to the wake queue's output binding, so the host starts their first steps at
 * once instead of at its next poll (src/functions/wakeOutput.ts).
 */
import { app, type HttpRequest, type HttpResponse, type InvocationContext } from "@azure/functions";
import { deleteUpload, getUpload, postUpload } from "../api/uploadHandlers.js";
import { uploadApiDeps } from "./httpApiWiring.js";
import { wakeQueueOutput, wakesForOutputBinding } from "./wakeOutput.js";

export async function createUploadFunction(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponse> {
  const deps = await uploadApiDeps();
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
  return getUpload(await uploadApiDeps())(request, context);
}

export async function cancelUploadFunction(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponse> {
  return deleteUpload(await uploadApiDeps())(request, context);
}

app.http("createUpload", {
  route: "uploads",
  methods: ["POST"],
  authLevel: "function",
  extraOutputs: [wakeQueueOutput],
  handler: createUploadFunction,
});
app.http("getUpload", {
  route: "uploads/{id}",
  methods: ["GET"],
  authLevel: "function",
  handler: getUploadFunction,
});
app.http("cancelUpload", {
  route: "uploads/{id}",
  methods: ["DELETE"],
  authLevel: "function",
  handler: cancelUploadFunction,
});
