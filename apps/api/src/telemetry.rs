//! Logging: text or JSON lines, filtered by `RUST_LOG` or `server.log_level`.
//!
//! A request actix-http cannot parse (a malformed header, a bad request line)
//! is the client's fault: it gets its 400 and the server is fine. actix-http
//! logs it at ERROR (`stream error: request parse error: ...`); here it is
//! written at INFO instead, so ERROR stays for what an operator must act on.

use std::fmt;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields, JsonFields, Writer};
use tracing_subscriber::registry::LookupSpan;

/// Installs the global subscriber (once; later calls are no-ops).
pub fn init(level: &str, json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if json {
        builder
            .fmt_fields(JsonFields::new())
            .event_format(Demote {
                inner: format().json().flatten_event(true).with_target(false),
                json: true,
            })
            .try_init()
    } else {
        builder
            .event_format(Demote {
                inner: format().with_target(false),
                json: false,
            })
            .try_init()
    };
}

fn format() -> format::Format {
    format::Format::default()
}

/// Writes a client's malformed request at INFO; everything else as `inner` does.
struct Demote<F> {
    inner: F,
    json: bool,
}

impl<S, N, F> FormatEvent<S, N> for Demote<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let Some(why) = client_fault(event) else {
            return self.inner.format_event(ctx, writer, event);
        };
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let message = format!("malformed request from a client: {why}");
        if self.json {
            let line = serde_json::json!({"timestamp": now, "level": "INFO", "message": message});
            writeln!(writer, "{line}")
        } else {
            writeln!(writer, "{now}  INFO {message}")
        }
    }
}

/// The parse error of an ERROR event actix-http logs for a request it could
/// not read.
fn client_fault(event: &Event<'_>) -> Option<String> {
    let meta = event.metadata();
    if *meta.level() != Level::ERROR || !meta.target().starts_with("actix_http::h1") {
        return None;
    }
    let mut message = Message(String::new());
    event.record(&mut message);
    message
        .0
        .strip_prefix("stream error: ")
        .filter(|rest| rest.starts_with("request parse error"))
        .map(str::to_owned)
}

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::Demote;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_clients_malformed_request_is_not_an_error() {
        let buffer = Buffer::default();
        let out = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .event_format(Demote {
                inner: super::format().with_target(false),
                json: false,
            })
            .with_writer(move || out.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::error!(
                target: "actix_http::h1::dispatcher",
                "stream error: request parse error: invalid Header provided"
            );
            tracing::error!(target: "actix_http::h1::dispatcher", "Response payload stream error: x");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].ends_with(
                "INFO malformed request from a client: request parse error: invalid Header provided"
            ),
            "{text}"
        );
        assert!(
            lines[1].contains("ERROR") && lines[1].contains("Response payload"),
            "{text}"
        );
    }
}

/// The request span without the query string: a query may carry a secret
/// (the calendar feed's token), and logs must never hold one.
#[derive(Debug)]
pub struct PathOnlySpan;

impl tracing_actix_web::RootSpanBuilder for PathOnlySpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        let route = request.match_pattern().unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %request.path(),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
