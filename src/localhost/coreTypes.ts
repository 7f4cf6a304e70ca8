/**
 * The slice of the `@azure/functions-core` contract that `@azure/functions` 4.x uses (its src/app.ts,
 * ProgrammingModel.ts, InvocationModel.ts). The real module is provided by the Node.js language worker inside
 * the Functions host; src/localhost/virtualCore.ts provides it here so the library registers for real.
 */
export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  int?: number | null;
  double?: number | null;
  http?: RpcHttpData | null;
}

export interface RpcHttpData {
  method?: string | null;
  url?: string | null;
  headers?: Record<string, string> | null;
  query?: Record<string, string> | null;
  params?: Record<string, string> | null;
  body?: RpcTypedData | null;
  statusCode?: string | null;
}

/** One binding as `@azure/functions` describes it (toCoreFunctionMetadata): trigger, inputs and outputs. */
export interface BindingInfo {
  readonly type: string;
  readonly direction: "in" | "out";
  readonly [setting: string]: unknown;
}

export interface FunctionMetadata {
  readonly name: string;
  readonly bindings: Readonly<Record<string, BindingInfo>>;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export interface CoreInvocationContext {
  readonly invocationId: string;
  readonly request: {
    readonly inputData: { name: string; data: RpcTypedData }[];
    readonly triggerMetadata: Record<string, RpcTypedData>;
  };
  readonly metadata: FunctionMetadata;
  state?: string;
  log(level: string, category: string, message: string): void;
}

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: FunctionCallback): Promise<unknown>;
  getResponse(
    context: unknown,
    result: unknown,
  ): Promise<{ returnValue?: RpcTypedData | null; outputData?: { name: string; data: RpcTypedData }[] }>;
}

export interface ProgrammingModel {
  readonly name: string;
  readonly version: string;
  getInvocationModel(context: CoreInvocationContext): InvocationModel;
  getCapabilities(capabilities: Record<string, string>): Promise<Record<string, string>>;
}
