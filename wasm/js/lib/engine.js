// The public Engine, over the wasm-bindgen module of any target: answers
// come back as {ok, warnings}; failures are thrown as OrdexError subclasses.
import { OrdexBundleError, errorFor } from "./errors.js";

function unwrap(answer) {
  if (answer && Array.isArray(answer.errors)) throw errorFor(answer);
  return answer;
}

export function bind(raw) {
  class Engine {
    #inner;

    constructor(inner) {
      if (!(inner instanceof raw.Engine)) throw new TypeError("use Engine.fromBundle(bundle)");
      this.#inner = inner;
    }

    /** Compiles a bundle: the `ordex bundle` file as text, or parsed. */
    static fromBundle(bundle) {
      try {
        return new Engine(raw.Engine.compile(bundle));
      } catch (answer) {
        if (answer instanceof Error) throw answer;
        // Every diagnostic of a bundle that does not load is a bundle error,
        // whatever its own code (a rule's syntax error is `rule_syntax`).
        throw new OrdexBundleError(answer);
      }
    }

    /** The bundle's content id (`sha256:…`); every decision records it. */
    get bundleId() {
      return this.#inner.bundleId;
    }

    /** What compiling the bundle warned about: `[{code, message, location, hint}]`. */
    get warnings() {
      return this.#inner.warnings;
    }

    /** The bundle's entry points. */
    get entries() {
      return this.#inner.entries;
    }

    checkout(cart, now) {
      return unwrap(this.#inner.checkout(cart, now));
    }

    triage(event, context, now) {
      return unwrap(this.#inner.triage(event, context ?? null, now));
    }

    retry(failure, history, now, options) {
      return unwrap(this.#inner.retry(failure, history ?? null, now, options ?? null));
    }

    evaluate(entry, input, now, context) {
      return unwrap(this.#inner.evaluate(entry, input, now, context ?? null));
    }

    /** The bundle's own test cases, run as `ordex test` runs them: `{cases, file_errors}`. */
    runTests() {
      return this.#inner.runTests();
    }

    /** Envelope in, answer out, both JSON text; never throws (the host-ABI contract). */
    evaluateJson(call) {
      return this.#inner.evaluateJson(call);
    }

    /** Frees the Wasm memory this engine holds. */
    free() {
      this.#inner.free();
    }
  }
  return Engine;
}
