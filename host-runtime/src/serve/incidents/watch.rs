//! Feeding the detectors: each accepted event counts in its series' current
//! bucket; when a bucket ends (at the next event of the series, or at the
//! ticker for series that went quiet) its count goes through the series'
//! Poisson CUSUM. An alarm opens an incident; the run returning to zero
//! resolves it. All of it inside the caller's write transaction.

use chrono::{DateTime, Duration, Utc};
use ordex_core::learn::anomaly::{CountState, CusumSpec};
use rusqlite::Connection;
use serde_json::json;

use super::signals::SeriesKey;
use crate::serve::store::StoreError;
use crate::serve::store::incidents::{
    HISTORY, NewIncident, Point, SeriesRow, bucket_of, bump, load_series, open_incident,
    raise_peak, resolve, series_count, series_due, unresolved_on,
};

/// How the service watches its streams.
#[derive(Debug, Clone)]
pub struct WatchSettings {
    /// Length of a bucket.
    pub bucket: Duration,
    /// The detector's settings for every series.
    pub spec: CusumSpec,
    /// Series watched at most (new ones beyond it are not tracked).
    pub max_series: usize,
    /// Empty buckets replayed at most after a gap (a longer gap restarts
    /// the bucket clock without scoring the gap).
    pub catch_up: u32,
}

impl Default for WatchSettings {
    fn default() -> Self {
        WatchSettings {
            bucket: Duration::minutes(5),
            spec: CusumSpec {
                ratio: 3.0,
                threshold: 10.0,
                forget: 0.003,
                warmup: 24,
                floor: 0.05,
            },
            max_series: 20_000,
            catch_up: 288,
        }
    }
}

/// What changed while watching.
#[derive(Debug, Default, Clone)]
pub struct Changes {
    /// Incidents opened: (id, kind).
    pub opened: Vec<(i64, String)>,
    /// Incidents resolved by their detector.
    pub resolved: Vec<i64>,
}

fn floor_bucket(t: DateTime<Utc>, bucket: Duration) -> DateTime<Utc> {
    let b = bucket.num_seconds().max(1);
    let s = t.timestamp().div_euclid(b) * b;
    DateTime::from_timestamp(s, 0).unwrap_or(t)
}

fn state_of(row: &SeriesRow) -> CountState {
    serde_json::from_value(row.state.clone()).unwrap_or_default()
}

/// Closes every ended bucket of `row` up to `now`, scoring each.
fn advance(
    conn: &Connection,
    row: &mut SeriesRow,
    now: DateTime<Utc>,
    s: &WatchSettings,
    out: &mut Changes,
) -> Result<(), StoreError> {
    let key = SeriesKey {
        metric: metric_name(&row.metric),
        scope: row.scope.clone(),
    };
    let mut state = state_of(row);
    let mut replayed = 0u32;
    while row.bucket_start + s.bucket <= now {
        if replayed >= s.catch_up {
            // A long gap (the service was down): restart the bucket clock.
            row.bucket_start = floor_bucket(now, s.bucket);
            row.count = 0;
            break;
        }
        let baseline = state.baseline(&s.spec);
        let (up, down) = state.step(&s.spec, row.count);
        row.history.push(Point {
            at: crate::serve::store::ts(row.bucket_start),
            count: row.count,
            baseline,
            up: up.min(1.0),
            down: down.min(1.0),
        });
        if row.history.len() > HISTORY {
            let extra = row.history.len() - HISTORY;
            row.history.drain(..extra);
        }
        let bucket_end = row.bucket_start + s.bucket;
        judge(
            conn,
            row,
            &key,
            &state,
            (up, down),
            baseline,
            bucket_end,
            s,
            out,
        )?;
        row.bucket_start = bucket_end;
        row.count = 0;
        replayed += 1;
    }
    row.state = serde_json::to_value(&state).unwrap_or_default();
    Ok(())
}

/// Opens or resolves the series' incident after one bucket.
#[allow(clippy::too_many_arguments)]
fn judge(
    conn: &Connection,
    row: &SeriesRow,
    key: &SeriesKey,
    state: &CountState,
    (up, down): (f64, f64),
    baseline: f64,
    at: DateTime<Utc>,
    s: &WatchSettings,
    out: &mut Changes,
) -> Result<(), StoreError> {
    match unresolved_on(conn, &row.metric, &row.scope)? {
        Some((id, direction)) => {
            let run = if direction == "down" {
                &state.down
            } else {
                &state.up
            };
            if run.sum <= 0.0 {
                resolve(conn, id, "detector", at)?;
                out.resolved.push(id);
            } else {
                raise_peak(conn, id, if direction == "down" { down } else { up })?;
            }
        }
        None => {
            let (direction, level, run) = if up >= 1.0 && key.watches_surges() {
                ("up", up, &state.up)
            } else if down >= 1.0 && key.watches_drops() {
                ("down", down, &state.down)
            } else {
                return Ok(());
            };
            // One incident per trouble: a category's surge inside a
            // gateway's open incident belongs to that incident.
            if let Some(coarser) = key.coarser()
                && unresolved_on(conn, &row.metric, coarser)?.is_some()
            {
                return Ok(());
            }
            let buckets_ago = state.steps.saturating_sub(run.since.unwrap_or(state.steps));
            let started_at = at - s.bucket * (i32::try_from(buckets_ago).unwrap_or(0) + 1);
            let kind = key.incident_kind(direction);
            let tail = row.history.len().saturating_sub(48);
            let evidence = json!({
                "bucket_seconds": s.bucket.num_seconds(),
                "detector": {"kind": "count_cusum", "ratio": s.spec.ratio, "threshold": s.spec.threshold},
                "change_point": crate::serve::store::ts(started_at),
                "series": row.history[tail..],
            });
            let id = open_incident(
                conn,
                &NewIncident {
                    kind: &kind,
                    metric: &row.metric,
                    scope: &row.scope,
                    direction,
                    started_at,
                    score: level.min(1.0),
                    baseline,
                    evidence,
                },
                at,
            )?;
            out.opened.push((id, kind));
        }
    }
    Ok(())
}

/// The static name of a stored metric (unknown names are kept as `other`).
fn metric_name(m: &str) -> &'static str {
    match m {
        "declines" => "declines",
        "carrier_exceptions" => "carrier_exceptions",
        "shortages" => "shortages",
        "address_failures" => "address_failures",
        "volume" => "volume",
        _ => "other",
    }
}

/// Counts one event in each of `keys` at `now`.
pub fn count(
    conn: &Connection,
    keys: &[SeriesKey],
    now: DateTime<Utc>,
    s: &WatchSettings,
    out: &mut Changes,
) -> Result<(), StoreError> {
    for key in keys {
        // Most events land in a bucket that is still open: one UPDATE.
        if let Some(start) = bucket_of(conn, key.metric, &key.scope)?
            && start + s.bucket > now
        {
            bump(conn, key.metric, &key.scope)?;
            continue;
        }
        let mut row = match load_series(conn, key.metric, &key.scope)? {
            Some(r) => r,
            None => {
                if series_count(conn)? >= s.max_series {
                    continue;
                }
                SeriesRow {
                    metric: key.metric.to_owned(),
                    scope: key.scope.clone(),
                    bucket_start: floor_bucket(now, s.bucket),
                    count: 0,
                    state: serde_json::to_value(CountState::default()).unwrap_or_default(),
                    history: Vec::new(),
                }
            }
        };
        advance(conn, &mut row, now, s, out)?;
        row.count = row.count.saturating_add(1);
        crate::serve::store::incidents::save_series(conn, &row)?;
    }
    Ok(())
}

/// Closes the ended buckets of every series (quiet ones included, so a
/// source that stops sending is noticed); at most `limit` series per call.
pub fn tick(
    conn: &Connection,
    now: DateTime<Utc>,
    s: &WatchSettings,
    limit: usize,
) -> Result<Changes, StoreError> {
    let mut out = Changes::default();
    let before = now - s.bucket;
    for mut row in series_due(conn, before + Duration::microseconds(1), limit)? {
        advance(conn, &mut row, now, s, &mut out)?;
        crate::serve::store::incidents::save_series(conn, &row)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_start_on_whole_multiples() {
        let t = DateTime::parse_from_rfc3339("2026-11-29T10:07:31Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            floor_bucket(t, Duration::minutes(5)).to_rfc3339(),
            "2026-11-29T10:05:00+00:00"
        );
    }
}
