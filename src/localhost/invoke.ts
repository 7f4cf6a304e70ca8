/**
 * Runs one invocation the way the Node.js language worker does: the app's programming model builds the
 * InvocationContext and trigger input from RPC data (`getArguments`), calls the handler (`invokeFunction`) and
 * converts its result and extra outputs back to RPC data (`getResponse`). So triggers, metadata and outputs
 * reach the handler exactly as `@azure/functions` shapes them inside Azure.
 */
import { randomUUID } from "node:crypto";
import type { CoreInvocationContext, ProgrammingModel, RpcTypedData } from "./coreTypes.js";
import type { Registration } from "./virtualCore.js";

export interface InvocationInput {
  readonly invocationId?: string;
  readonly triggerData: RpcTypedData;
  readonly triggerMetadata: Record<string, RpcTypedData>;
}

export interface InvocationOutput {
  readonly invocationId: string;
  readonly returnValue: RpcTypedData | null | undefined;
  readonly outputs: ReadonlyMap<string, RpcTypedData>;
}

export type HostLog = (level: string, message: string) => void;

export function triggerBinding(registration: Registration): [string, { type: string; [k: string]: unknown }] {
  const entry = Object.entries(registration.metadata.bindings).find(
    ([, binding]) => binding.direction === "in" && /trigger$/i.test(binding.type),
  );
  if (!entry) throw new Error(`function ${registration.metadata.name} has no trigger binding`);
  return entry;
}

export async function invoke(
  model: ProgrammingModel,
  registration: Registration,
  input: InvocationInput,
  log: HostLog,
): Promise<InvocationOutput> {
  const invocationId = input.invocationId ?? randomUUID();
  const [triggerName] = triggerBinding(registration);
  const coreContext: CoreInvocationContext = {
    invocationId,
    request: {
      inputData: [{ name: triggerName, data: input.triggerData }],
      triggerMetadata: input.triggerMetadata,
    },
    metadata: registration.metadata,
    state: "invocation",
    log: (level, category, message) => log(level, `${registration.metadata.name} [${category}] ${message}`),
  };
  const invocation = model.getInvocationModel(coreContext);
  const { context, inputs } = await invocation.getArguments();
  const result = await invocation.invokeFunction(context, inputs, registration.handler);
  const response = await invocation.getResponse(context, result);
  const outputs = new Map<string, RpcTypedData>();
  for (const output of response.outputData ?? []) outputs.set(output.name, output.data);
  return { invocationId, returnValue: response.returnValue, outputs };
}
