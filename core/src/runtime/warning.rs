use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::Location;

/// Something worth knowing that did not stop the evaluation (an unknown
/// decline code, a rule's own `warn(...)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Machine-readable code.
    pub code: String,
    /// Explanation.
    pub message: String,
    /// Where, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// Per-evaluation collector that native functions reach through the Rhai
/// call tag. The mutex is for the `Sync` bound only; one evaluation is one thread.
#[derive(Debug, Clone, Default)]
pub(crate) struct WarningSink(Arc<Mutex<Vec<Warning>>>);

impl WarningSink {
    pub(crate) fn push(&self, warning: Warning) {
        if let Ok(mut w) = self.0.lock() {
            // Bounded: a rule warning in a loop must not grow memory without limit.
            if w.len() < 100 && !w.contains(&warning) {
                w.push(warning);
            }
        }
    }

    pub(crate) fn take(&self) -> Vec<Warning> {
        self.0
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }
}
