//! Request counts and latency histograms by route and status, in the
//! Prometheus text format.
//!
//! Every label value comes from a closed set chosen here, never from the
//! request as sent: a series is kept forever, so a label a client could vary
//! (a made-up method name, a raw path) would let anyone grow `/metrics` and the
//! server's memory without bound. [`Labels`] is the one place that bounds them.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Methods that get a label of their own; any other method is `other`.
const KNOWN_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// The label values of one request, each from a closed set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Labels {
    method: &'static str,
    route: String,
    status: u16,
}

impl Labels {
    /// Bounds the labels: a known method or `other`; the matched route
    /// pattern (from the application's own route table) or `unmatched`; the
    /// status the server itself answered.
    pub fn new(method: &str, route: Option<String>, status: u16) -> Self {
        let method = KNOWN_METHODS
            .iter()
            .find(|m| **m == method)
            .copied()
            .unwrap_or("other");
        Self {
            method,
            route: route.unwrap_or_else(|| "unmatched".to_owned()),
            status,
        }
    }
}

/// In-process registry of HTTP metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<Labels, Series>>,
}

impl Metrics {
    /// Records one finished request under its bounded labels.
    pub fn observe(&self, labels: Labels, seconds: f64) {
        let Ok(mut series) = self.series.lock() else {
            return;
        };
        let s = series.entry(labels).or_default();
        s.count += 1;
        s.sum += seconds;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                s.buckets[i] += 1;
            }
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let snapshot = self.series.lock().map(|s| s.clone()).unwrap_or_default();
        let mut out = String::new();
        out.push_str("# HELP http_requests_total Requests handled, by method, route and status.\n");
        out.push_str("# TYPE http_requests_total counter\n");
        for (
            Labels {
                method,
                route,
                status,
            },
            s,
        ) in &snapshot
        {
            let _ = writeln!(
                out,
                "http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                s.count
            );
        }
        out.push_str(
            "# HELP http_request_duration_seconds Request latency, by method, route and status.\n",
        );
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for (
            Labels {
                method,
                route,
                status,
            },
            s,
        ) in &snapshot
        {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
            for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative() {
        let m = Metrics::default();
        let labels = || Labels::new("GET", Some("/api/v1/services".into()), 200);
        m.observe(labels(), 0.003);
        m.observe(labels(), 0.3);
        let text = m.render();
        assert!(text.contains(
            "http_requests_total{method=\"GET\",route=\"/api/v1/services\",status=\"200\"} 2"
        ));
        assert!(text.contains("route=\"/api/v1/services\",status=\"200\",le=\"0.005\"} 1"));
        assert!(text.contains("route=\"/api/v1/services\",status=\"200\",le=\"0.5\"} 2"));
        assert!(text.contains("le=\"+Inf\"} 2"));
    }

    #[test]
    fn unknown_methods_and_routes_share_one_label() {
        let m = Metrics::default();
        for i in 0..100 {
            let method = format!("{}{i}", "X".repeat(1000));
            m.observe(Labels::new(&method, None, 405), 0.001);
        }
        let text = m.render();
        assert!(text.contains(
            "http_requests_total{method=\"other\",route=\"unmatched\",status=\"405\"} 100"
        ));
        assert!(!text.contains("XXXX"));
        assert!(text.len() < 4096, "{}", text.len());
    }
}
