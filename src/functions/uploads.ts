/**
 * POST /api/uploads, GET /api/uploads/{id}, DELETE /api/uploads/{id}: thin adapters over src/api.
 * Function-level keys in Azure (issue 4); the local host serves the same registrations (src/localhost).
 */
import { app, type HttpRequest, type HttpResponse, type InvocationContext } from "@azure/functions";
import { deleteUpload, getUpload, postUpload } from "../api/uploadHandlers.js";
import { uploadApiDeps } from "./httpApiWiring.js";

export async function createUploadFunction(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponse> {
  return postUpload(await uploadApiDeps())(request, context);
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
