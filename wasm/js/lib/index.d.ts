// The ordex npm package: the same rules and decisions in browsers, Node and
// edge workers. Input and output types are generated from the Rust types
// (types.d.ts); this file types the API around them.
import type {
  CheckoutDecision,
  CheckoutRequest,
  ExceptionEvent,
  PaymentAttempt,
  RetryPlan,
  TriageContext,
  TriageDecision,
} from "./types.js";

export * from "./types.js";

/** Where a problem is: a rule file position, or an input JSON path. */
export type Location = { file: string; line: number; col: number } | { path: string };

/** One problem of a failed call. */
export interface ErrorInfo {
  code: string;
  message: string;
  location?: Location;
  hint?: string;
  /** For a rule that failed: the rule functions that were running, innermost first. */
  stack?: StackFrame[];
}

/** A rule function that was running when a rule failed, and where in it. */
export interface StackFrame {
  /** `module::function` for a library function. */
  function: string;
  location: Location;
}

/** What the rules did on the way to an answer (`"trace": true` in `evaluateJson`). */
export interface Trace {
  steps: TraceStep[];
  /** Steps left out past the size limit. */
  dropped?: number;
}

/** One step of a trace: a rule function's call, a table's answer, or a fired rule. */
export type TraceStep =
  | {
      step: "call";
      function: string;
      location: Location;
      called_at?: Location;
      args?: unknown[];
      steps?: TraceStep[];
      returned?: unknown;
      error?: string;
    }
  | { step: "table"; table: string; lines: number[]; output: unknown }
  | { step: "fired"; rule: string; message: string; facts: unknown };

/** A non-fatal finding (for example an unknown decline code). */
export interface Warning {
  code: string;
  message: string;
  [k: string]: unknown;
}

/** A successful call: the decision and the warnings gathered on the way. */
export interface Evaluation<T> {
  ok: T;
  warnings: Warning[];
}

/** Evaluation time: a Date or an RFC 3339 string. There is no default clock. */
export type Now = Date | string;

/** A rule bundle, as written by `ordex bundle` (or its JSON text). */
export interface Bundle {
  format: string;
  id: string;
  manifest: string;
  files: Record<string, string>;
}

export class OrdexError extends Error {
  /** Stable machine-readable code of the first problem (`input_invalid`, `limit_exceeded`, …). */
  readonly code: string;
  readonly location: Location | null;
  readonly hint: string | null;
  /** For a rule that failed: the rule functions that were running, innermost first. */
  readonly ruleStack: StackFrame[];
  /** Every problem. */
  readonly errors: ErrorInfo[];
  readonly warnings: Warning[];
}
/** The input or `now` is invalid; `location.path` names the field. */
export class OrdexInputError extends OrdexError {}
/** A rule failed or returned a malformed decision; `location` is file:line:col. */
export class OrdexRuleError extends OrdexError {}
/** A rule ran past a limit. */
export class OrdexLimitError extends OrdexError {}
/** The bundle does not load or its rules do not compile. */
export class OrdexBundleError extends OrdexError {}

/** Options of `retry`. */
export interface RetryOptions {
  /** A subscription or other recurring charge (merchant-initiated). */
  recurring?: boolean;
  /** No attempt is planned after this time. */
  collect_by?: string;
}

/** One test case's result. */
export interface CaseOutcome {
  file: string;
  name: string;
  entry: string;
  passed: boolean;
  /** Each difference from the expectation (`at .route: expected "agent", got "self_heal"`). */
  mismatches: string[];
  /** The whole answer. */
  answer: unknown;
}

/** What `runTests` found: every case, or the test files that could not be read. */
export interface TestRun {
  cases: CaseOutcome[];
  file_errors: { file: string; message: string }[];
}

export class Engine {
  private constructor();
  /** Compiles a bundle. Throws OrdexBundleError with file:line:col diagnostics. */
  static fromBundle(bundle: Bundle | string): Engine;
  /** The bundle's content id (`sha256:…`). */
  readonly bundleId: string;
  /** The bundle's entry points. */
  readonly entries: string[];
  /** What compiling the bundle warned about (a table row that never answers, an unused function). */
  readonly warnings: { code: string; message: string; location?: { file: string; line: number; col: number } | null; hint?: string | null }[];
  /** Findings for a cart before the order is placed. */
  checkout(cart: CheckoutRequest, now: Now): Evaluation<CheckoutDecision>;
  /** What an order exception is, how urgent, who handles it, what to do next. */
  triage(event: ExceptionEvent, context: TriageContext | null | undefined, now: Now): Evaluation<TriageDecision>;
  /** A payment-retry plan within card-network rules. */
  retry(failure: PaymentAttempt, history: PaymentAttempt[] | null | undefined, now: Now, options?: RetryOptions): Evaluation<RetryPlan>;
  /** Any entry point by name (custom entries take and return JSON). */
  evaluate(entry: string, input: unknown, now: Now, context?: unknown): Evaluation<unknown>;
  /**
   * The call-envelope API on JSON text (`{"entry","now","input","context"?,"trace"?}`);
   * answers JSON text, never throws. With `"trace": true` the answer has a
   * `trace` member (a {@link Trace}) beside `ok` or `errors`.
   */
  evaluateJson(call: string): string;
  /** Runs the bundle's own test cases as `ordex test` does (the core's runner and matcher). */
  runTests(): TestRun;
  /** Frees the engine's Wasm memory. */
  free(): void;
}

/** The package version. */
export function version(): string;

/**
 * The checkout findings a shopper may see: every `block` and `warn`, and an
 * `info` only when it offers a correction. Other `info` findings are risk
 * signals for the merchant and are left out.
 */
export function shopperFindings<F extends { severity: string; suggestion?: unknown }>(findings: F[]): F[];

/** One field of a country's address form, named as the address schema names it. */
export interface AddressFormField {
  field: "name" | "organization" | "lines" | "district" | "city" | "region" | "postal_code" | "sorting_code";
  /** English label in the country's terms: "ZIP code", "Postal code", "Prefecture", "Post town". */
  label: string;
  /** The address checks refuse an address without it. */
  required: boolean;
  /** Written in capitals there. */
  upper: boolean;
  /** Row of the printed address (0-based), for laying out the form. */
  row: number;
}

/** The address form a country expects, from the metadata the address rules use. */
export interface AddressFormat {
  country: string;
  name: string;
  fields: AddressFormField[];
  postal_examples: string[];
  regions: { key: string; name: string }[];
}

/** The form for an ISO 3166-1 alpha-2 code, or null when the code is unknown. */
export function addressFormat(country: string): AddressFormat | null;
/** Every country the address metadata knows, by code. */
export function countries(): { code: string; name: string }[];
/** Browsers: fetches and instantiates the Wasm (pass a URL, Response or bytes to override). No-op on Node and bundlers. */
export default function init(input?: unknown): Promise<unknown>;
/** Workers: instantiates from a compiled `WebAssembly.Module` or bytes. No-op on Node and bundlers. */
export function initSync(input?: unknown): unknown;
