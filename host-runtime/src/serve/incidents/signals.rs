//! Which series an event counts in: the policy of what the service watches.
//! Pure, so it is tested without a store.

use ordex_core::knowledge::decline::classify;
use ordex_core::model::{Exception, ExceptionEvent};

/// One watched series: what is counted, and for what.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SeriesKey {
    /// `declines`, `carrier_exceptions`, `shortages`, `address_failures` or `volume`.
    pub metric: &'static str,
    /// `gateway=adyen`, `gateway=adyen,category=issuer_unavailable`,
    /// `carrier=ups`, `node=dc-1`, `sku=SKU-1`, `country=DE`, `source=stripe`.
    pub scope: String,
}

impl SeriesKey {
    fn new(metric: &'static str, scope: String) -> Self {
        SeriesKey { metric, scope }
    }

    /// The incident kind an alarm on this series opens, by direction.
    pub fn incident_kind(&self, direction: &str) -> String {
        match (self.metric, direction) {
            ("volume", "down") => "source_silent".into(),
            (m, "down") => format!("{m}_drop"),
            (m, _) => format!("{m}_surge"),
        }
    }

    /// Whether a drop in this series is worth an incident: only the event
    /// volume per source (a source going silent); fewer declines is good news.
    pub fn watches_drops(&self) -> bool {
        self.metric == "volume"
    }

    /// Whether a surge is worth an incident: not for the event volume (a
    /// burst of traffic is not trouble by itself; what it carries is watched
    /// in the other series).
    pub fn watches_surges(&self) -> bool {
        self.metric != "volume"
    }

    /// The coarser scope this one narrows (`gateway=adyen` for
    /// `gateway=adyen,category=generic`), if any.
    pub fn coarser(&self) -> Option<&str> {
        self.scope.split_once(',').map(|(c, _)| c)
    }
}

/// Keeps scope values short and free of the separators.
fn clean(v: &str) -> String {
    v.chars()
        .filter(|c| !matches!(c, ',' | '=') && !c.is_control())
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The series `event`, arriving from `source`, counts in.
pub fn series_of(event: &ExceptionEvent, source: &str) -> Vec<SeriesKey> {
    let mut keys = vec![SeriesKey::new(
        "volume",
        format!("source={}", clean(source)),
    )];
    match &event.exception {
        Exception::PaymentDeclined(p) => {
            let pay = &p.payment;
            let gateway = serde_json::to_value(pay.gateway)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "other".into());
            let category = classify(pay.gateway, pay.decline_code.as_deref().unwrap_or(""))
                .category
                .as_str();
            keys.push(SeriesKey::new(
                "declines",
                format!("gateway={}", clean(&gateway)),
            ));
            keys.push(SeriesKey::new(
                "declines",
                format!("gateway={},category={}", clean(&gateway), clean(category)),
            ));
        }
        Exception::CarrierException(c) => {
            keys.push(SeriesKey::new(
                "carrier_exceptions",
                format!("carrier={}", clean(&c.shipment.carrier)),
            ));
        }
        Exception::InventoryShortage(s) => {
            keys.push(SeriesKey::new(
                "shortages",
                format!("sku={}", clean(&s.sku)),
            ));
            if let Some(node) = &s.node {
                keys.push(SeriesKey::new("shortages", format!("node={}", clean(node))));
            }
        }
        Exception::AddressInvalid(a) => {
            keys.push(SeriesKey::new(
                "address_failures",
                format!("country={}", clean(&a.address.country)),
            ));
        }
        _ => {}
    }
    keys
}

/// Whether an incident on `metric`/`scope` concerns `event` (so its case
/// links to the incident): the event counts in the series, or in a finer
/// series of the same metric (`gateway=adyen` covers its categories).
pub fn concerns(keys: &[SeriesKey], metric: &str, scope: &str) -> bool {
    keys.iter().any(|k| {
        k.metric == metric && (k.scope == scope || k.scope.starts_with(&format!("{scope},")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decline_counts_for_its_gateway_its_category_and_its_source() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../rules/examples/payment_declined.json"
        ))
        .unwrap();
        let event: ExceptionEvent = serde_json::from_str(&text).unwrap();
        let keys = series_of(&event, "stripe");
        let scopes: Vec<String> = keys
            .iter()
            .map(|k| format!("{}:{}", k.metric, k.scope))
            .collect();
        assert_eq!(
            scopes,
            [
                "volume:source=stripe",
                "declines:gateway=stripe",
                "declines:gateway=stripe,category=insufficient_funds"
            ]
        );
        assert_eq!(keys[2].coarser(), Some("gateway=stripe"));
        assert!(concerns(&keys, "declines", "gateway=stripe"));
        assert!(!concerns(&keys, "declines", "gateway=adyen"));
        assert!(!keys[0].watches_surges() && keys[0].watches_drops());
        assert_eq!(keys[1].incident_kind("up"), "declines_surge");
        assert_eq!(keys[0].incident_kind("down"), "source_silent");
    }
}
