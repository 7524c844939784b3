// TypeScript declarations of the `geppetto` module (SPEC §4) and of what the script
// environment adds to the web platform and Node globals (SPEC §3). Editors use them for
// completion in plain .js scripts (`// @ts-check`, or `checkJs`); `cmake --install` puts
// this file in share/geppetto/. The web globals (fetch, URL, AbortSignal, ...) are the
// standard ones of TypeScript's "dom" library; Node's modules those of @types/node.

declare module "geppetto" {
  // ---- §4.1 data model ------------------------------------------------------------
  export type BlockKind = "user" | "llm_text" | "tool_call" | "tool_use" | "system" | "reasoning" | "other";
  export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

  export interface TextPayload { text: string }
  export interface ToolCallPayload { id: string; name: string; args: any }
  export interface ToolUsePayload { id: string; result: any; error?: string }

  export interface Block {
    id?: string;
    kind: BlockKind;
    role?: string;
    payload: any;
    metadata?: Record<string, any>;
  }
  export interface Usage { inputTokens: number; outputTokens: number; cachedTokens?: number }
  export interface TurnMetadata {
    provider?: string;
    model?: string;
    usage?: Usage;
    stop_reason?: string;
    session_id?: string;
    inference_id?: string;
    [key: string]: any;
  }
  export interface Turn {
    id?: string;
    blocks: Block[];
    metadata?: TurnMetadata;
    /** `output`: the validated structured output of the run (§4.10). */
    data?: { output?: any; [key: string]: any };
  }

  export const turns: {
    newTurn(partial?: Partial<Turn>): Turn;
    normalize(turn: Turn): Turn;
    appendBlock(turn: Turn, block: Block): Turn;
    newUserBlock(text: string): Block;
    newSystemBlock(text: string): Block;
    newAssistantBlock(text: string): Block;
    newToolCallBlock(id: string, name: string, args?: any): Block;
    newToolUseBlock(id: string, result: any, error?: string | Error | null): Block;
  };

  export type EventTypeName =
    | "start" | "partial" | "partial-thinking" | "partial-object" | "final" | "tool-call"
    | "tool-call-execute" | "tool-progress" | "tool-call-execution-result" | "tool-result"
    | "error" | "interrupt" | "log" | "info";

  export const consts: {
    readonly BlockKind: {
      readonly USER: "user"; readonly LLM_TEXT: "llm_text"; readonly TOOL_CALL: "tool_call";
      readonly TOOL_USE: "tool_use"; readonly SYSTEM: "system"; readonly REASONING: "reasoning";
      readonly OTHER: "other";
    };
    readonly EventType: { readonly [name: string]: EventTypeName };
  };

  // ---- errors -----------------------------------------------------------------------
  /** Every failure of the module: an Error with a string code (SPEC §4.7). */
  export interface GeppettoError extends Error {
    code: string;
    partialTurn?: Turn;
  }

  // ---- §4.2 engines -----------------------------------------------------------------
  export interface Engine { readonly __engine?: never }
  export interface EngineContext {
    sessionId: string;
    inferenceId: string;
    tags: Record<string, any>;
    deadlineMs: number;
    signal: AbortSignal;
  }
  export interface ProviderConfig {
    apiType: "openai" | "claude" | "anthropic" | "openai-responses" | "gemini";
    model: string;
    baseURL?: string;
    apiKey?: string;
    temperature?: number;
    topP?: number;
    maxTokens?: number;
    stop?: string[];
    timeoutMs?: number;
    idleTimeoutMs?: number;
    connectTimeoutMs?: number;
    maxRetries?: number;
    maxResponseBytes?: number;
    headers?: Record<string, string>;
  }
  export const engines: {
    /** Appends `reply` (else the last user text) word by word as partial events. */
    echo(opts?: { reply?: string; wordDelayMs?: number }): Engine;
    fromFunction(fn: (turn: Turn, ctx: EngineContext) => Turn | undefined | void | Promise<Turn | undefined | void>): Engine;
    fromConfig(cfg: ProviderConfig): Engine;
    fromProfile(name?: string, overrides?: Partial<ProviderConfig>): Engine;
  };

  // ---- §4.3 middlewares -------------------------------------------------------------
  export interface Middleware { readonly __middleware?: never }
  export interface MiddlewareContext {
    sessionId: string;
    inferenceId: string;
    tags: Record<string, any>;
    /** The tool-loop iteration this call belongs to (1 for the first). */
    iteration: number;
    signal: AbortSignal;
  }
  /** `next(turn?)` runs the rest of the chain and the engine: a Turn (await it in an
   * async middleware: under runAsync()/start() it may be a Promise of one). */
  export type MiddlewareFn = (turn: Turn, next: (turn?: Turn) => Turn,
                              ctx: MiddlewareContext) => Turn | undefined | void | Promise<Turn | undefined | void>;
  export const middlewares: {
    fromJS(fn: MiddlewareFn, name?: string): Middleware;
    native(name: "systemPrompt" | "reorderToolResults" | "turnLogging", options?: Record<string, any>): Middleware;
    go(name: "systemPrompt" | "reorderToolResults" | "turnLogging", options?: Record<string, any>): Middleware;
    readonly names: readonly string[];
  };

  // ---- §4.4 tools -------------------------------------------------------------------
  export type JSONSchema = Record<string, any>;
  export interface ToolContext {
    toolName: string;
    callId: string;
    sessionId: string;
    inferenceId: string;
    tags: Record<string, any>;
    deadlineMs: number;
    /** Aborts when the run is canceled or the call times out (§3.5). */
    signal: AbortSignal;
  }
  export interface ToolDefinition {
    name: string;
    description?: string;
    parameters?: JSONSchema;
    handler(args: any, ctx: ToolContext): any;
  }
  /** `new ToolRegistry()` is `tools.createRegistry()`. */
  export class ToolRegistry {
    constructor();
    register(def: ToolDefinition): ToolRegistry;
    useNativeTools(names?: string[]): ToolRegistry;
    useGoTools(names?: string[]): ToolRegistry;
    useMCP(client: MCPClient, opts?: { include?: string[]; exclude?: string[]; prefix?: string }): ToolRegistry;
    list(): { name: string; description: string }[];
    call(name: string, args?: any): any;
  }
  export const tools: { createRegistry(): ToolRegistry; ToolRegistry: typeof ToolRegistry };

  // ---- §4.5 tool loop, §4.6 hooks -------------------------------------------------------
  export interface ToolLoopSettings {
    enabled?: boolean;
    maxIterations?: number;
    maxParallelTools?: number;
    executionTimeoutMs?: number;
    toolChoice?: "auto" | "none" | "required";
    toolErrorHandling?: "continue" | "abort" | "retry";
    retryMaxRetries?: number;
    retryBackoffMs?: number;
    retryBackoffFactor?: number;
    allowedTools?: string[];
  }
  export interface HookInfo {
    phase: string;
    call: { id: string; name: string; args: any };
    timestampMs: number;
    sessionId: string;
    inferenceId: string;
    tags: Record<string, any>;
  }
  export interface ToolHooks {
    beforeToolCall?(info: HookInfo): any;
    afterToolCall?(info: HookInfo & { result: { value: any; error: string | null; durationMs: number } }): any;
    onToolError?(info: HookInfo & { attempt: number; error: string; defaultRetry: boolean; defaultBackoffMs: number }): any;
    /** "fail-closed" (default) or "fail-open". */
    hookErrorPolicy?: string;
  }

  // ---- §4.8 events ------------------------------------------------------------------
  export interface RunEvent {
    type: EventTypeName;
    timestampMs: number;
    sessionId: string;
    inferenceId: string;
    turnId: string;
    /** partial, partial-thinking */
    delta?: string;
    completion?: string;
    /** partial-object */
    object?: any;
    /** final */
    text?: string;
    usage?: Usage;
    stopReason?: string;
    output?: any;
    toolCall?: { id: string; name: string; input: any };
    toolResult?: { id: string; result: any; error?: string; durationMs?: number };
    /** tool-progress */
    callId?: string;
    progress?: number;
    total?: number;
    message?: string;
    error?: { code: string; message: string };
    level?: string;
    fields?: Record<string, any>;
    data?: any;
  }

  // ---- §4.7 sessions and runs, §4.10 output, §4.12 stores ---------------------------
  export interface OutputSpec { schema: JSONSchema; name?: string; strict?: boolean }
  export interface RunOptions {
    timeoutMs?: number;
    tags?: Record<string, any>;
    output?: OutputSpec;
  }
  export type Seed = string | Block | Block[] | Turn;
  export interface RunHandle {
    id: string;
    promise: Promise<Turn>;
    cancel(): boolean;
    on(type: EventTypeName | "*", listener: (ev: RunEvent) => void): RunHandle;
  }
  export interface SessionOptions {
    engine: Engine;
    middlewares?: (Middleware | MiddlewareFn)[];
    tools?: ToolRegistry;
    toolLoop?: ToolLoopSettings;
    toolHooks?: ToolHooks;
    eventSink?: (ev: RunEvent) => void;
    output?: OutputSpec;
    store?: Store;
    id?: string;
  }
  export class Session {
    constructor(opts: SessionOptions);
    readonly id: string;
    append(turn: Turn): Session;
    latest(): Turn | null;
    turnCount(): number;
    turns(): Turn[];
    getTurn(i: number): Turn | null;
    turnsRange(start?: number, end?: number): Turn[];
    isRunning(): boolean;
    cancelActive(): boolean;
    run(seed?: Seed, opts?: RunOptions): Turn;
    runAsync(seed?: Seed, opts?: RunOptions): Promise<Turn>;
    start(seed?: Seed, opts?: RunOptions): RunHandle;
    fork(newId?: string): Session;
    /** Resolves once a stored session's history is loaded (at once without a store). */
    readonly ready: Promise<Session | void>;
  }
  export function createSession(opts: SessionOptions): Session;

  export class Builder {
    constructor(opts?: Partial<SessionOptions>);
    withEngine(engine: Engine): Builder;
    useMiddleware(fnOrRef: Middleware | MiddlewareFn): Builder;
    useNativeMiddleware(name: string, options?: Record<string, any>): Builder;
    useGoMiddleware(name: string, options?: Record<string, any>): Builder;
    withTools(registry: ToolRegistry, settings?: ToolLoopSettings): Builder;
    withToolLoop(settings: ToolLoopSettings): Builder;
    withToolHooks(hooks: ToolHooks): Builder;
    withEventSink(fn: (ev: RunEvent) => void): Builder;
    withOutput(output: OutputSpec): Builder;
    withStore(store: Store, id?: string): Builder;
    buildSession(): Session;
  }
  export function createBuilder(opts?: Partial<SessionOptions>): Builder;

  export function runInference(engine: Engine, turn: Turn | string,
                               opts?: { timeoutMs?: number; tags?: Record<string, any>; middlewares?: (Middleware | MiddlewareFn)[] }): Promise<Turn>;

  export interface StoredSession { id: string; turnCount: number; updatedAt: string }
  export interface RunRecord { id: string; startedAt: string; endedAt: string; outcome: string; usage?: Usage; partialTurn?: Turn }
  /** Made by `stores.*`; the class is exported for `instanceof` (`new` throws). */
  export class Store {
    private constructor();
    readonly kind: "memory" | "sqlite" | "postgres";
    /** Sessions, most recent first. */
    list(opts?: { limit?: number; before?: string }): Promise<StoredSession[]>;
    /** A session's history; null when the store does not know the id. */
    load(id: string): Promise<Turn[] | null>;
    delete(id: string): Promise<any>;
    /** A session's run records. */
    runs(id: string): Promise<RunRecord[]>;
    close(): Promise<any>;
  }
  export const stores: {
    sqlite(path: string, opts?: { leaseMs?: number }): Store;
    postgres(url: string, opts?: { leaseMs?: number; connections?: number }): Store;
    memory(opts?: { leaseMs?: number }): Store;
    /** "sqlite:PATH", "postgres:CONNINFO", "postgresql://...", "memory" */
    fromSpec(spec: string, opts?: { leaseMs?: number }): Store;
    Store: typeof Store;
  };

  // ---- §4.11 MCP ----------------------------------------------------------------------
  export interface MCPTool { name: string; description?: string; inputSchema: JSONSchema; outputSchema?: JSONSchema }
  /** Made by `mcp.connect()`; the class is exported for `instanceof` (`new` throws). */
  export class MCPClient {
    private constructor();
    readonly serverInfo: { name: string; version: string; [key: string]: any };
    /** The protocol revision agreed ("2025-11-25", "2025-06-18" or "2025-03-26"). */
    readonly protocolVersion: string;
    /** The spec's `name`, else the command or the URL. */
    readonly name: string;
    tools(): Promise<MCPTool[]>;
    callTool(name: string, args?: any, opts?: { signal?: AbortSignal }): Promise<{ content: any[]; structuredContent?: any; isError?: boolean }>;
    close(): Promise<void>;
  }
  export type MCPSpec = ({ command: string; args?: string[]; env?: Record<string, string>; cwd?: string } |
                         { url: string; headers?: Record<string, string> }) &
                        { name?: string; timeoutMs?: number; restart?: boolean };
  export const mcp: { connect(spec: MCPSpec): Promise<MCPClient>; MCPClient: typeof MCPClient };

  // ---- §4.13 embeddings ------------------------------------------------------------
  export interface Embedder {
    model: string;
    embed(text: string): Promise<Float32Array>;
    embedBatch(texts: string[]): Promise<Float32Array[]>;
  }
  export const embeddings: {
    fromConfig(cfg: { apiType: "openai" | "ollama" | "gemini"; model: string; baseURL?: string; apiKey?: string; dimensions?: number;
                      apiKeyEnv?: string; batchSize?: number; maxParallel?: number; timeoutMs?: number; maxRetries?: number }): Embedder;
    fromProfile(name?: string): Embedder;
  };

  // ---- §4.9 runtime -------------------------------------------------------------------
  export interface Latency { p50: number; p95: number; p99: number; max: number }
  export const runtime: {
    stats(): {
      queueDepth: number; calls: number; posts: number; inline: number; canceled: number;
      failed: number; rejected: number; enqueueToStartUs: Latency; execUs: Latency;
      byOp: Record<string, { count: number; execUs: Latency }>; openFetches: number;
    };
  };
  export const version: string;
}

// ---- SPEC §2: the loop of `geppetto chat`, for scripts ------------------------------------
declare module "geppetto/chat" {
  /** Reads lines from process.stdin and streams answers to process.stdout until the end
   * of input, /exit or Ctrl-C at the prompt (/reset, /save FILE, /help too). */
  function chat(opts?: chat.Options): Promise<void>;
  namespace chat {
    interface Options {
      /** The engine's profile; its system/tools/mcp/store keys fill what is not given. */
      profile?: string;
      /** The system prompt. */
      system?: string;
      /** An id to persist and resume (with a store). */
      session?: string;
      /** A store spec: "sqlite:PATH", "postgres:CONNINFO", "postgresql://...", "memory". */
      store?: string;
      /** The path of a module exporting a tool registry. */
      tools?: string;
      /** MCP servers, each 'COMMAND ARGS'. */
      mcp?: string[];
    }
  }
  export = chat;
}

// ---- §3.1 what the script environment adds to the standard globals -----------------
/** A Promise that resolves after `ms` milliseconds. */
declare function sleep(ms: number): Promise<void>;
/** Throws an AssertionError when `cond` is falsy; its methods compare strictly. */
declare function assert(cond: any, message?: string): asserts cond;
declare namespace assert {
  function ok(cond: any, message?: string): asserts cond;
  function equal(actual: any, expected: any, message?: string): void;
  function strictEqual(actual: any, expected: any, message?: string): void;
  function notEqual(actual: any, expected: any, message?: string): void;
  function deepEqual(actual: any, expected: any, message?: string): void;
  function deepStrictEqual(actual: any, expected: any, message?: string): void;
  function throws(fn: () => any, expected?: any, message?: string): any;
  function rejects(p: Promise<any> | (() => Promise<any>), expected?: any, message?: string): Promise<any>;
  function fail(message?: string): never;
}
interface RequestInit {
  /** Milliseconds to connect before failing with cause.code ETIMEDOUT (default 10 000). */
  connectTimeoutMs?: number;
  /** Milliseconds of silence from the server before failing (default 300 000). */
  idleTimeoutMs?: number;
}
