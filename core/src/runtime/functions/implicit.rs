//! What built-in functions read from the pack without the rule naming it:
//! `intent(text)` uses the `intents` model, `risk_score(order, customer, ctx)`
//! the `risk` model and `[params.usd_rates]`, and so on. Cutting a pack down
//! to some entries ([`crate::runtime::Bundle::subset`]) keeps these when the
//! function is called; keep this list in step with the functions themselves.

/// A model or parameter a built-in reads on its own.
pub(crate) struct ImplicitUse {
    /// The built-in function's name.
    pub function: &'static str,
    /// Models under `[models]` it reads.
    pub models: &'static [&'static str],
    /// Top-level keys of `[params]` it reads (through `ctx.params`).
    pub params: &'static [&'static str],
}

/// Every built-in that reads models or parameters by itself.
pub(crate) const IMPLICIT_USES: &[ImplicitUse] = &[
    ImplicitUse {
        function: "intent",
        models: &["intents"],
        params: &[],
    },
    ImplicitUse {
        function: "carrier_note",
        models: &["carrier_notes"],
        params: &[],
    },
    ImplicitUse {
        function: "risk_score",
        models: &["risk"],
        params: &["usd_rates"],
    },
    ImplicitUse {
        function: "entities",
        models: &[],
        params: &["order_number_prefixes"],
    },
    ImplicitUse {
        function: "network_retry",
        models: &[],
        params: &["network"],
    },
];
