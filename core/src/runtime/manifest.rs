use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Limits;

/// `ordex.toml`: what a rule pack is called, which functions are its entry
/// points, the limits its rules run under and the parameters they read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Pack name.
    pub name: String,
    /// Pack version (free text, semver recommended).
    pub version: String,
    /// One-line description.
    #[serde(default)]
    pub description: Option<String>,
    /// Entry points by name (`checkout`, `triage`, `retry`, or any custom name).
    pub entries: BTreeMap<String, EntryPoint>,
    /// Evaluation limits; unset fields keep the safe defaults.
    #[serde(default)]
    pub limits: Limits,
    /// Tunable parameters rules read as `ctx.params` (thresholds, windows).
    #[serde(default)]
    pub params: toml::Table,
    /// Where the pack's test cases live, relative to the pack root.
    #[serde(default = "default_tests")]
    pub tests: String,
    /// The author's word that most test cases are meant to end in
    /// `limit_exceeded` (a pack that tests its own limits). Without it, a
    /// service refuses a bundle whose cases mostly run into limits, as the
    /// sign of rules that loop.
    #[serde(default)]
    pub allow_limit_tests: bool,
    /// Trained models by name (`intents`, `carrier_notes`, or any name
    /// `classify(name, text)` uses) and the pack file holding each
    /// (`ordex train` output). They travel in the bundle, so the bundle id
    /// names the model that made a decision.
    #[serde(default)]
    pub models: BTreeMap<String, String>,
    /// Decision tables by name (what `table("name", input)` calls): a CSV
    /// file in the pack and its hit policy. Parsed and checked when the pack
    /// compiles; evaluated by the core, not by Rhai.
    #[serde(default)]
    pub tables: BTreeMap<String, TableDecl>,
}

/// One decision table the manifest declares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDecl {
    /// The `.csv` file, relative to the pack root.
    pub file: String,
    /// Which rows answer when several match; `first` when unset.
    #[serde(default)]
    pub hit: crate::table::HitPolicy,
}

fn default_tests() -> String {
    "tests".to_owned()
}

/// The typed contract an entry point fulfils.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// `checkout(cart, ctx)` → findings.
    Checkout,
    /// `triage(event, ctx)` → decision.
    Triage,
    /// `retry(request, ctx)` → plan.
    Retry,
    /// Any JSON in, any JSON out (custom decisions, ports of other engines).
    Generic,
}

/// One entry point: a function in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryPoint {
    /// The `.rhai` file, relative to the pack root.
    pub file: String,
    /// Function to call; defaults to the entry's name.
    #[serde(default)]
    pub function: Option<String>,
    /// Contract; defaults to the entry's name when that is checkout, triage or retry, else generic.
    #[serde(default)]
    pub kind: Option<EntryKind>,
    /// For a triage entry: a directory of one handler file per exception
    /// kind (`triage/<kind>.rhai`), dispatched by `triage::handle` (see
    /// [`super::kind_handlers`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handlers: Option<String>,
}

impl Manifest {
    /// The contract of entry `name` (explicit, or implied by the name).
    pub fn entry_kind(&self, name: &str) -> Option<EntryKind> {
        let entry = self.entries.get(name)?;
        Some(entry.kind.unwrap_or(match name {
            "checkout" => EntryKind::Checkout,
            "triage" => EntryKind::Triage,
            "retry" => EntryKind::Retry,
            _ => EntryKind::Generic,
        }))
    }
}

impl EntryPoint {
    /// The function name to call for entry `entry_name`.
    pub fn function_name<'a>(&'a self, entry_name: &'a str) -> &'a str {
        self.function.as_deref().unwrap_or(entry_name)
    }
}
