/**
 * The check the engine and the CLI make before writing anything: a token known to be unable to write is
 * refused before any Graph call, with what to do about it (docs/auth.md "Capability").
 */
import type { TokenProvider } from "../core/ports/common.js";
import { assessCapability, writeGuidance } from "./capability.js";
import { AuthError } from "./errors.js";
import type { AuthStatus, AuthTokenProvider } from "./status.js";

function isAuthTokenProvider(provider: TokenProvider): provider is AuthTokenProvider {
  return typeof (provider as Partial<AuthTokenProvider>).status === "function";
}

/** Resolves when writes may be attempted; throws AuthError `insufficient-permission` otherwise. */
export async function assertWriteAllowed(
  provider: TokenProvider,
  options?: { signal?: AbortSignal },
): Promise<void> {
  if (isAuthTokenProvider(provider)) {
    const status: AuthStatus = await provider.status(options);
    if (!status.mayWrite) throw refusal(status.source, status.explanation, status.guidance);
    return;
  }
  const description = await provider.describe?.();
  if (!description) return;
  const assessment = assessCapability(description.scopes);
  if (!assessment.mayWrite) {
    throw refusal(description.source, assessment.explanation, writeGuidance("unknown", description.source));
  }
}

function refusal(source: string, explanation: string, guidance: string): AuthError {
  return new AuthError(
    "insufficient-permission",
    `writes refused before any upload: ${source}: ${explanation}. To fix: ${guidance}`,
  );
}
