use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::decision::{
    CheckoutDecision, CheckoutRuleOutput, RetryPlan, RetryRuleOutput, TriageDecision,
    TriageRuleOutput,
};
use crate::model::{CheckoutRequest, ExceptionEvent, RetryRequest, TriageContext};
use crate::runtime::{
    Bundle, BundleError, CompiledPack, EntryKind, EvalError, Location, TraceSlot, View, Warning,
    json_to_dynamic,
};
use rhai::Dynamic;

/// A decision and the warnings gathered while making it.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated<T> {
    /// The decision.
    pub value: T,
    /// Non-fatal findings.
    pub warnings: Vec<Warning>,
}

/// A loaded rule bundle: the single object hosts evaluate against.
/// Cheap to clone and safe to share between threads.
#[derive(Debug, Clone)]
pub struct Engine {
    pack: CompiledPack,
    /// Set on an engine from [`Engine::traced`]: its calls record a trace.
    trace: Option<TraceSlot>,
}

impl Engine {
    /// Compiles a bundle.
    pub fn from_bundle(bundle: Bundle) -> Result<Self, BundleError> {
        Ok(Self {
            pack: CompiledPack::compile(bundle)?,
            trace: None,
        })
    }

    /// Compiles a bundle and checks its calls statically (see
    /// [`CompiledPack::compile_checked`]): for authoring tools and uploads.
    pub fn from_bundle_checked(bundle: Bundle) -> Result<Self, BundleError> {
        Ok(Self {
            pack: CompiledPack::compile_checked(bundle)?,
            trace: None,
        })
    }

    /// Reads, verifies and compiles a bundle document.
    pub fn from_bundle_json(text: &str) -> Result<Self, BundleError> {
        Self::from_bundle(Bundle::from_json(text)?)
    }

    /// This engine, tracing: its calls give the same answers and record
    /// what the rules did into the returned slot (take it after the call;
    /// it holds the trace of a failed call too). Traced calls run on a
    /// second engine the pack builds on first use, so untraced calls pay
    /// nothing for tracing.
    pub fn traced(&self) -> (Self, TraceSlot) {
        let slot = TraceSlot::default();
        (
            Self {
                pack: self.pack.clone(),
                trace: Some(slot.clone()),
            },
            slot,
        )
    }

    /// The bundle's content id; recorded in every decision.
    pub fn bundle_id(&self) -> &str {
        self.pack.bundle_id()
    }

    /// The compiled pack (manifest, entries, bundle).
    pub fn pack(&self) -> &CompiledPack {
        &self.pack
    }

    /// `ctx` for a rule: `now`, `entry`, `bundle_id`, `params` (a shared view
    /// of the manifest's parameters, never copied) and the context's members.
    fn ctx(&self, entry: &str, now: DateTime<Utc>, extra: Option<Value>) -> Dynamic {
        let mut ctx = rhai::Map::new();
        if let Some(Value::Object(members)) = extra {
            for (k, v) in &members {
                ctx.insert(k.as_str().into(), json_to_dynamic(v));
            }
        } else if let Some(other) = extra.filter(|v| !v.is_null()) {
            ctx.insert("context".into(), json_to_dynamic(&other));
        }
        ctx.insert("now".into(), crate::runtime::format_time(now).into());
        ctx.insert("entry".into(), entry.into());
        ctx.insert("bundle_id".into(), self.bundle_id().into());
        ctx.insert(
            "params".into(),
            Dynamic::from(View::new(self.pack.params_shared())),
        );
        Dynamic::from_map(ctx)
    }

    fn run<T: DeserializeOwned>(
        &self,
        entry: &str,
        kind: EntryKind,
        contract: &'static str,
        input: Value,
        ctx: Dynamic,
    ) -> Result<(T, Vec<Warning>), EvalError> {
        let input = Dynamic::from(View::new(Arc::new(input)));
        let (raw, warnings) =
            self.pack
                .call_values_traced(entry, kind, (input, ctx), self.trace.as_ref())?;
        let out = serde_path_to_error::deserialize::<_, T>(&raw).map_err(|e| {
            self.bad_return(entry, contract, e.path().to_string(), e.inner().to_string())
        })?;
        Ok((out, warnings))
    }

    fn bad_return(
        &self,
        entry: &str,
        contract: &'static str,
        path: String,
        message: String,
    ) -> EvalError {
        let e = &self.pack.entries()[entry];
        EvalError::BadReturn(Box::new(crate::runtime::BadReturn {
            function: e.function.clone(),
            contract,
            path,
            message,
            location: Location::Source {
                file: e.file.clone(),
                line: e.line,
                col: 1,
            },
        }))
    }

    /// Checks a cart before the order is placed (entry `checkout`).
    pub fn checkout(
        &self,
        cart: &CheckoutRequest,
        now: DateTime<Utc>,
    ) -> Result<Evaluated<CheckoutDecision>, EvalError> {
        self.checkout_entry("checkout", cart, now)
    }

    /// Checks a cart with the checkout-kind entry point `entry` (a pack may
    /// have several, e.g. one per market).
    pub fn checkout_entry(
        &self,
        entry: &str,
        cart: &CheckoutRequest,
        now: DateTime<Utc>,
    ) -> Result<Evaluated<CheckoutDecision>, EvalError> {
        let input = serde_json::to_value(cart).unwrap_or(Value::Null);
        let ctx = self.ctx(entry, now, None);
        let (out, warnings): (CheckoutRuleOutput, _) =
            self.run(entry, EntryKind::Checkout, "checkout result", input, ctx)?;
        let mut findings = out.findings;
        // Most severe first; the sort is stable so rule order survives within a severity.
        findings.sort_by_key(|f| f.severity);
        let blocked = findings
            .iter()
            .any(|f| f.severity == crate::decision::Severity::Block);
        Ok(Evaluated {
            value: CheckoutDecision {
                blocked,
                findings,
                reasons: out.reasons,
                rules_fired: out.rules_fired,
                bundle_id: self.bundle_id().to_owned(),
            },
            warnings,
        })
    }

    /// Triages an exception event (entry `triage`).
    pub fn triage(
        &self,
        event: &ExceptionEvent,
        context: &TriageContext,
        now: DateTime<Utc>,
    ) -> Result<Evaluated<TriageDecision>, EvalError> {
        self.triage_entry("triage", event, context, now)
    }

    /// Triages with the triage-kind entry point `entry`.
    pub fn triage_entry(
        &self,
        entry: &str,
        event: &ExceptionEvent,
        context: &TriageContext,
        now: DateTime<Utc>,
    ) -> Result<Evaluated<TriageDecision>, EvalError> {
        let input = serde_json::to_value(event).unwrap_or(Value::Null);
        let ctx = self.ctx(entry, now, serde_json::to_value(context).ok());
        let (out, warnings): (TriageRuleOutput, _) =
            self.run(entry, EntryKind::Triage, "triage decision", input, ctx)?;
        let sla_due = match (out.sla_due, out.sla_minutes) {
            (Some(due), _) => due,
            (None, Some(m)) if (0..=525_600).contains(&m) => now + chrono::Duration::minutes(m),
            (None, Some(m)) => {
                return Err(self.bad_return(
                    entry,
                    "triage decision",
                    "sla_minutes".into(),
                    format!("{m} is outside 0..=525600 (one year)"),
                ));
            }
            (None, None) => {
                return Err(self.bad_return(
                    entry,
                    "triage decision",
                    "sla_minutes".into(),
                    "either `sla_minutes` or `sla_due` is required".into(),
                ));
            }
        };
        if out.priority_score > 1000 {
            return Err(self.bad_return(
                entry,
                "triage decision",
                "priority_score".into(),
                format!("{} is above 1000", out.priority_score),
            ));
        }
        Ok(Evaluated {
            value: TriageDecision {
                event_id: event.id.clone(),
                kind: event.exception.kind(),
                category: out.category,
                urgency: out.urgency,
                priority_score: out.priority_score,
                customer_value_tier: out.customer_value_tier,
                route: out.route,
                workflow: out.workflow,
                actions: out.actions,
                sla_due,
                reasons: out.reasons,
                rules_fired: out.rules_fired,
                bundle_id: self.bundle_id().to_owned(),
            },
            warnings,
        })
    }

    /// Plans payment retries for a declined charge (entry `retry`).
    pub fn retry(
        &self,
        request: &RetryRequest,
        now: DateTime<Utc>,
    ) -> Result<Evaluated<RetryPlan>, EvalError> {
        self.retry_entry("retry", request, now)
    }

    /// Plans retries with the retry-kind entry point `entry`.
    pub fn retry_entry(
        &self,
        entry: &str,
        request: &RetryRequest,
        now: DateTime<Utc>,
    ) -> Result<Evaluated<RetryPlan>, EvalError> {
        let input = serde_json::to_value(request).unwrap_or(Value::Null);
        let ctx = self.ctx(entry, now, None);
        let (out, warnings): (RetryRuleOutput, _) =
            self.run(entry, EntryKind::Retry, "retry plan", input, ctx)?;
        let bad =
            |path: &str, msg: String| self.bad_return(entry, "retry plan", path.to_owned(), msg);
        if out.retry && out.next_attempts.is_empty() {
            return Err(bad(
                "next_attempts",
                "`retry` is true but no attempt is planned".into(),
            ));
        }
        if !out.retry && !out.next_attempts.is_empty() {
            return Err(bad(
                "next_attempts",
                "`retry` is false but attempts are planned".into(),
            ));
        }
        for (i, t) in out.next_attempts.iter().enumerate() {
            if *t <= now {
                return Err(bad(
                    &format!("next_attempts[{i}]"),
                    format!(
                        "{} is not after now ({})",
                        crate::runtime::format_time(*t),
                        crate::runtime::format_time(now)
                    ),
                ));
            }
            if i > 0 && out.next_attempts[i - 1] >= *t {
                return Err(bad(
                    &format!("next_attempts[{i}]"),
                    "attempt times must be strictly ascending".into(),
                ));
            }
        }
        Ok(Evaluated {
            value: RetryPlan {
                retry: out.retry,
                next_attempts: out.next_attempts,
                max_attempts: out.max_attempts,
                stop_conditions: out.stop_conditions,
                customer_action: out.customer_action,
                compliance_notes: out.compliance_notes,
                reasons: out.reasons,
                rules_fired: out.rules_fired,
                plan_source: out.plan_source,
                learned: out.learned,
                bundle_id: self.bundle_id().to_owned(),
            },
            warnings,
        })
    }

    /// Evaluates a generic entry point: any JSON in, any JSON out.
    pub fn evaluate(
        &self,
        entry: &str,
        input: Value,
        context: Option<Value>,
        now: DateTime<Utc>,
    ) -> Result<Evaluated<Value>, EvalError> {
        let ctx = self.ctx(entry, now, context);
        let input = Dynamic::from(View::new(Arc::new(input)));
        let (value, warnings) = self.pack.call_values_traced(
            entry,
            EntryKind::Generic,
            (input, ctx),
            self.trace.as_ref(),
        )?;
        Ok(Evaluated { value, warnings })
    }
}
