//! What a batch's earlier events change in what the store knows, so that a
//! batch can be evaluated on a read snapshot, outside the write transaction,
//! and each event still sees the ones before it: the order's payment
//! attempts, the customer's open cases and the agent queue's depth.

use std::collections::HashMap;

use rusqlite::Connection;
use serde_json::Value;

use super::store::StoreError;
use super::store::intake::{
    add_attempts, context_counts, open_case_route, prior_attempts, route_rank,
};

fn in_queue(route: &str) -> bool {
    matches!(route, "agent" | "escalate")
}

/// The case of one order as the batch leaves it.
#[derive(Debug, Clone)]
struct OrderCase {
    customer: Option<String>,
    /// Open-case route in the store before the batch.
    before: Option<String>,
    /// Open-case route after the batch's events so far (None: no open case).
    after: Option<String>,
}

/// The batch's effect so far.
#[derive(Debug, Default)]
pub struct BatchView {
    declines: HashMap<String, Vec<Value>>,
    cases: HashMap<String, OrderCase>,
}

impl BatchView {
    /// Payment attempts of `order`: the store's, then the batch's.
    pub fn prior_attempts(&self, conn: &Connection, order: &str) -> Result<Vec<Value>, StoreError> {
        let mut out = prior_attempts(conn, order)?;
        for event in self.declines.get(order).into_iter().flatten() {
            add_attempts(event, &mut out);
        }
        Ok(out)
    }

    /// The customer's other open cases and the agent queue's depth, as the
    /// store would count them with the batch's events so far committed.
    pub fn context_counts(
        &self,
        conn: &Connection,
        customer: Option<&str>,
        order: &str,
    ) -> Result<(u32, u32), StoreError> {
        let (mut open_for_customer, mut queue) = context_counts(conn, customer, order)?;
        for (o, case) in &self.cases {
            let opened = case.before.is_none() && case.after.is_some();
            if opened && o != order && customer.is_some() && case.customer.as_deref() == customer {
                open_for_customer = open_for_customer.saturating_add(1);
            }
            let was = case.before.as_deref().is_some_and(in_queue);
            let is = case.after.as_deref().is_some_and(in_queue);
            match (was, is) {
                (false, true) => queue = queue.saturating_add(1),
                (true, false) => queue = queue.saturating_sub(1),
                _ => {}
            }
        }
        Ok((open_for_customer, queue))
    }

    /// Records an evaluated event as the store's `record` will store it: a
    /// case is as urgent as its most urgent event, and a new case whose
    /// decision closes itself is not open.
    pub fn add(
        &mut self,
        conn: &Connection,
        order: &str,
        customer: Option<&str>,
        route: &str,
        declined_event: Option<&Value>,
    ) -> Result<(), StoreError> {
        if let Some(event) = declined_event {
            self.declines
                .entry(order.to_owned())
                .or_default()
                .push(event.clone());
        }
        let case = match self.cases.get_mut(order) {
            Some(c) => c,
            None => {
                let before = open_case_route(conn, order)?;
                self.cases.entry(order.to_owned()).or_insert(OrderCase {
                    customer: None,
                    after: before.clone(),
                    before,
                })
            }
        };
        if let Some(c) = customer {
            case.customer = Some(c.to_owned());
        }
        case.after = match case.after.take() {
            Some(open) if route_rank(route) > route_rank(&open) => Some(route.to_owned()),
            Some(open) => Some(open),
            None if route == "auto_close" => None,
            None => Some(route.to_owned()),
        };
        Ok(())
    }
}
