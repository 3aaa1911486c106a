//! Incidents from the stream: every accepted event counts in a few series
//! (declines per gateway and per decline category, carrier exceptions per
//! carrier, shortages per SKU and node, address failures per country, and
//! the event volume per source); each series runs the core's Poisson CUSUM
//! over fixed buckets, with its state in the store, updated in the event's
//! transaction. An alarm opens an incident (API, metrics, an outbox
//! notification, the console banner); rules see open incidents as
//! `ctx.incidents`; cases an incident explains link to it.

pub mod signals;
pub mod ticker;
pub mod watch;

pub use signals::{SeriesKey, concerns, series_of};
pub use watch::{Changes, WatchSettings, count, tick};
