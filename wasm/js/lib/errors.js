// Failures of the ordex engine as Error subclasses. Every error carries the
// first problem's `code`, `location` ({file, line, col} for rules, {path}
// for inputs), `hint` and, for a rule that failed, `ruleStack` (the rule
// functions that were running, innermost first; not `stack`, which is the
// JavaScript one), plus every problem in `errors` and the `warnings`
// gathered before the failure.

/** Base class of every ordex failure. */
export class OrdexError extends Error {
  constructor(answer) {
    const errors = answer.errors ?? [];
    const first = errors[0] ?? { code: "internal", message: "unknown failure" };
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
    super(`${first.message}${more}`);
    this.name = new.target.name;
    this.code = first.code;
    this.location = first.location ?? null;
    this.hint = first.hint ?? null;
    this.ruleStack = first.stack ?? [];
    this.errors = errors;
    this.warnings = answer.warnings ?? [];
  }
}

/** The input (or `now`) is not a valid document: `location.path` names the field. */
export class OrdexInputError extends OrdexError {}
/** A rule failed at run time or returned a malformed decision: `location` is file:line:col. */
export class OrdexRuleError extends OrdexError {}
/** A rule ran past a limit (operations, depth, sizes). */
export class OrdexLimitError extends OrdexError {}
/** The bundle does not load or its rules do not compile. */
export class OrdexBundleError extends OrdexError {}

/** The Error subclass for a failed answer. */
export function errorFor(answer) {
  const code = answer.errors?.[0]?.code ?? "";
  if (code.startsWith("input_") || code === "unsupported_schema_version") return new OrdexInputError(answer);
  if (code === "limit_exceeded") return new OrdexLimitError(answer);
  if (code.startsWith("bundle_") || code === "manifest_invalid" || code === "rules_invalid") return new OrdexBundleError(answer);
  if (code.startsWith("rule_") || code === "unknown_entry") return new OrdexRuleError(answer);
  return new OrdexError(answer);
}
