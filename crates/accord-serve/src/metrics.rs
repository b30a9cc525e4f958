//! Prometheus text (`/metrics`): requests and their latency by route,
//! events appended, decisions, SLA breaches, webhook deliveries, retries,
//! dead letters and the outbox's depth. Counters only go up; a
//! histogram's buckets are cumulative, as the text format wants.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use accord_core::event::{Event, EventKind};
use accord_decide::Decided;
use accord_engine::live::Summary;

/// Latency buckets, in seconds.
pub const BUCKETS: [f64; 12] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → requests.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// (method, route) → latency.
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
    events_appended: AtomicU64,
    duplicates: AtomicU64,
    refused: AtomicU64,
    decisions: AtomicU64,
    breaches: AtomicU64,
    escalations: AtomicU64,
    step_failures: AtomicU64,
    hooks_queued: AtomicU64,
    hooks_delivered: AtomicU64,
    hooks_retried: AtomicU64,
    hooks_dead: AtomicU64,
    hook_round_failures: AtomicU64,
}

impl Metrics {
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let key = (method.to_owned(), route.to_owned());
        *self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((key.0.clone(), key.1.clone(), status))
            .or_default() += 1;
        let secs = took.as_secs_f64();
        let mut lat = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let h = lat.entry(key).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// An ingest's totals (its breaches counted from the fired decisions by [`Metrics::fired`]).
    pub fn ingested(&self, s: &Summary) {
        self.events_appended
            .fetch_add(s.stored + s.decisions, Ordering::Relaxed);
        self.duplicates.fetch_add(s.duplicates, Ordering::Relaxed);
        self.refused.fetch_add(s.refused, Ordering::Relaxed);
        self.decisions.fetch_add(s.decisions, Ordering::Relaxed);
    }

    /// Decisions a clock step stored.
    pub fn fired(&self, fired: &[Decided]) {
        let n = fired.len() as u64;
        self.events_appended.fetch_add(n, Ordering::Relaxed);
        self.decisions.fetch_add(n, Ordering::Relaxed);
        self.count_sla(fired.iter().map(|(e, _)| e));
    }

    /// Breaches and escalations among decisions.
    pub fn count_sla<'a>(&self, events: impl Iterator<Item = &'a Event>) {
        for e in events {
            match e.kind() {
                EventKind::ClockBreached => {
                    self.breaches.fetch_add(1, Ordering::Relaxed);
                }
                EventKind::Escalated => {
                    self.escalations.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
        }
    }

    pub fn step_failed(&self, _e: &accord_engine::Error) {
        self.step_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// A webhook delivery round.
    pub fn hooks(&self, r: &accord_hooks::worker::Round) {
        self.hooks_queued
            .fetch_add(r.fanned.deliveries as u64, Ordering::Relaxed);
        self.hooks_delivered
            .fetch_add(r.delivered as u64, Ordering::Relaxed);
        self.hooks_retried
            .fetch_add(r.retried as u64, Ordering::Relaxed);
        self.hooks_dead.fetch_add(r.dead as u64, Ordering::Relaxed);
    }

    pub fn hook_round_failed(&self) {
        self.hook_round_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// The text format; `outbox`: the pending deliveries, when they could be counted.
    pub fn render(&self, outbox: Option<u64>) -> String {
        let mut o = String::new();
        o.push_str("# HELP accord_http_requests_total HTTP requests answered, by method, route and status.\n# TYPE accord_http_requests_total counter\n");
        for ((m, r, s), n) in self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                o,
                "accord_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{s}\"}} {n}",
                escape(r)
            );
        }
        o.push_str("# HELP accord_http_request_duration_seconds Time to answer a request, by method and route.\n# TYPE accord_http_request_duration_seconds histogram\n");
        for ((m, r), h) in self
            .latency
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let r = escape(r);
            for (b, c) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    o,
                    "accord_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"{b}\"}} {c}"
                );
            }
            let _ = writeln!(o, "accord_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(
                o,
                "accord_http_request_duration_seconds_sum{{method=\"{m}\",route=\"{r}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                o,
                "accord_http_request_duration_seconds_count{{method=\"{m}\",route=\"{r}\"}} {}",
                h.count
            );
        }
        let counters = [
            (
                "accord_events_appended_total",
                "Events this server stored (inputs and the engine's decisions).",
                &self.events_appended,
            ),
            (
                "accord_events_duplicate_total",
                "Inputs already stored (retries).",
                &self.duplicates,
            ),
            (
                "accord_events_refused_total",
                "Inputs refused (invalid, conflicting, or refused by the agreement).",
                &self.refused,
            ),
            (
                "accord_decisions_total",
                "Decisions the engine made and stored.",
                &self.decisions,
            ),
            (
                "accord_sla_breaches_total",
                "SLA clock breaches fired.",
                &self.breaches,
            ),
            (
                "accord_sla_escalations_total",
                "Escalation steps fired.",
                &self.escalations,
            ),
            (
                "accord_clock_step_failures_total",
                "Clock steps that failed (a busy database, retried).",
                &self.step_failures,
            ),
            (
                "accord_webhook_deliveries_queued_total",
                "Webhook deliveries put in the outbox (one per subscription and event).",
                &self.hooks_queued,
            ),
            (
                "accord_webhook_deliveries_total",
                "Webhook deliveries a receiver took (answered 2xx).",
                &self.hooks_delivered,
            ),
            (
                "accord_webhook_retries_total",
                "Webhook attempts that failed and will be tried again.",
                &self.hooks_retried,
            ),
            (
                "accord_webhook_dead_letters_total",
                "Webhook deliveries whose last attempt failed (dead letters).",
                &self.hooks_dead,
            ),
            (
                "accord_webhook_round_failures_total",
                "Delivery rounds that failed (a busy database, retried).",
                &self.hook_round_failures,
            ),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(
                o,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                v.load(Ordering::Relaxed)
            );
        }
        if let Some(n) = outbox {
            let _ = writeln!(
                o,
                "# HELP accord_webhook_outbox_pending Webhook deliveries not yet delivered (the outbox's depth).\n# TYPE accord_webhook_outbox_pending gauge\naccord_webhook_outbox_pending {n}"
            );
        }
        o
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
