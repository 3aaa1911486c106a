//! The functions rule authors call, registered into every pack's engine,
//! one file per topic. Every function is registered through [`reg`] with
//! its parameter names, documentation and section, so that the rule-author
//! reference (`docs/rules-reference.md`) is generated from the engine itself
//! and cannot drift.
//!
//! Time values are RFC 3339 strings in UTC (`2026-11-27T10:00:00Z`): Rhai has
//! no date type, and strings round-trip through JSON unchanged.

mod address_fns;
mod decision_fns;
mod implicit;
mod inspect_fns;
mod model_fns;
mod number_fns;
mod payment_fns;
mod reference;
mod shipment_fns;
mod table_fns;
mod text_fns;
mod time_fns;
mod values;
mod view_fns;

use rhai::{Engine, EvalAltResult, FuncRegistration, RhaiNativeFunc};

pub(crate) use implicit::IMPLICIT_USES;
pub(crate) use model_fns::{Models, PackModels};
pub(crate) use number_fns::exact_division;
pub use reference::reference_markdown;
pub(crate) use table_fns::Tables;
pub use time_fns::format_time;

pub(super) type Res<T> = Result<T, Box<EvalAltResult>>;

/// Registers `func` as `name` with its documentation. `params` are
/// `"name: type"` strings followed by the return type, as Rhai's metadata
/// expects; `doc` may span several lines.
pub(super) fn reg<
    A: 'static,
    const N: usize,
    const X: bool,
    R: Clone + Send + Sync + 'static,
    const F: bool,
>(
    engine: &mut Engine,
    section: &str,
    name: &str,
    params: &[&str],
    doc: &str,
    func: impl RhaiNativeFunc<A, N, X, R, F> + Send + Sync + 'static,
) {
    let comments = [
        doc.lines()
            .map(|l| format!("/// {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        format!("/** section: {section} */"),
    ];
    FuncRegistration::new(name)
        .with_params_info(params)
        .with_comments(comments)
        .register_into_engine(engine, func);
}

/// Registers the read-only input view and every rule-author function;
/// model functions answer from `models` (the pack's trained models), table
/// functions from `tables` (its decision tables).
pub(crate) fn register(engine: &mut Engine, models: &Models, tables: &Tables) {
    model_fns::register(engine, models);
    table_fns::register(engine, tables);
    view_fns::register(engine);
    inspect_fns::register(engine);
    number_fns::register(engine);
    decision_fns::register(engine);
    time_fns::register(engine);
    payment_fns::register(engine);
    address_fns::register(engine);
    shipment_fns::register(engine);
    text_fns::register(engine);
}
