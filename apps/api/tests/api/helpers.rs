//! `spawn_app()`: the real server on port 0 over its own fresh database, and
//! typed request helpers.

use actix_web::http::StatusCode;
use awc::http::header::HeaderMap;
use persistence::testing::TestDatabase;
use persistence::{Backend, Database};
use serde_json::{Value, json};
use stm_api::config::{Secret, Settings};
use stm_api::startup::{self, Application};

/// A running server and what it runs on.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// Direct database access, for arranging what the API cannot (e.g. suspending a user).
    pub db: Database,
    /// The database this server created (none when it shares another's).
    _database: Option<TestDatabase>,
    database_url: String,
    _data_dir: tempfile::TempDir,
}

/// A response: status, headers and the body parsed as JSON (`Null` when empty).
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `field` of each entry of a problem's `errors[]`, in order.
    pub fn error_fields(&self) -> Vec<&str> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default()
    }
}

/// Settings for tests: any port, a private data folder, a fixed key.
pub fn test_settings(data_dir: &std::path::Path) -> Settings {
    let mut settings = Settings::default();
    settings.server.port = 0;
    settings.storage.data_dir = data_dir.to_path_buf();
    settings.auth.jwt_secret = Some(Secret::new("test-secret-test-secret-test-secret!"));
    // Tests register many users from 127.0.0.1; flood.rs tests the limit itself.
    settings.auth.registrations_per_minute_per_ip = 10_000;
    settings
}

/// The app on SQLite.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Backend::Sqlite, |_| {}).await
}

/// The app on `backend`, with settings adjusted by `tweak`.
pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut settings = test_settings(data_dir.path());
    tweak(&mut settings);
    let database = TestDatabase::new(backend).await;
    settings.database.url = Some(Secret::new(database.url.clone()));
    let db = database.db.clone();
    startup::seed(&db)
        .await
        .unwrap_or_else(|e| panic!("seed: {e}"));
    let state = startup::build_state(&settings, db.clone())
        .await
        .unwrap_or_else(|e| panic!("state: {e}"));
    let app = Application::bind(settings, state).unwrap_or_else(|e| panic!("bind: {e}"));
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address,
        db,
        database_url: database.url.clone(),
        _database: Some(database),
        _data_dir: data_dir,
    }
}

/// Another server over an existing database at `url` (a second instance of
/// the same deployment, or a cluster a test runs itself); the database is not
/// dropped with it.
pub async fn spawn_app_on(url: &str, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut settings = test_settings(data_dir.path());
    tweak(&mut settings);
    settings.database.url = Some(Secret::new(url.to_owned()));
    let db = startup::connect(&settings)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    startup::seed(&db)
        .await
        .unwrap_or_else(|e| panic!("seed: {e}"));
    let state = startup::build_state(&settings, db.clone())
        .await
        .unwrap_or_else(|e| panic!("state: {e}"));
    let app = Application::bind(settings, state).unwrap_or_else(|e| panic!("bind: {e}"));
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address,
        db,
        database_url: url.to_owned(),
        _database: None,
        _data_dir: data_dir,
    }
}

async fn reply(
    res: Result<
        awc::ClientResponse<
            impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
            + Unpin,
        >,
        awc::error::SendRequestError,
    >,
) -> Reply {
    let mut res = res.unwrap_or_else(|e| panic!("request failed: {e}"));
    let bytes = res
        .body()
        .limit(10 * 1024 * 1024)
        .await
        .unwrap_or_else(|e| panic!("body: {e}"));
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Reply {
        status: res.status(),
        headers: res.headers().clone(),
        body,
    }
}

impl TestApp {
    /// The server's data folder (local attachments live in `attachments/` under it).
    pub fn data_dir(&self) -> &std::path::Path {
        self._data_dir.path()
    }

    /// The URL of the database this server runs on.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    fn client() -> awc::Client {
        awc::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .finish()
    }

    /// GET, optionally with a bearer token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut req = Self::client().get(format!("{}{path}", self.address));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        reply(req.send().await).await
    }

    /// POST a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        reply(
            Self::client()
                .post(format!("{}{path}", self.address))
                .send_json(body)
                .await,
        )
        .await
    }

    /// [`TestApp::send`] without extra headers.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        self.send(method, path, token, body, &[]).await
    }

    /// A request with a raw body and content type.
    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let method =
            awc::http::Method::from_bytes(method.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let req = Self::client()
            .request(method, format!("{}{path}", self.address))
            .insert_header(("content-type", content_type));
        reply(req.send_body(body).await).await
    }

    /// Registers a user; returns the session reply body.
    pub async fn register(&self, email: &str, role: &str) -> Value {
        let r = self
            .post("/api/v1/auth/register", &registration(email, role))
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "register {email}: {}",
            r.body
        );
        r.body
    }
}

/// A valid registration body.
pub fn registration(email: &str, role: &str) -> Value {
    json!({
        "email": email,
        "password": "correct horse battery",
        "first_name": "Ann",
        "last_name": "Lee",
        "role": role,
        "zipcode": "10001",
    })
}

/// A string field of a JSON body.
pub fn text<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` missing in {body}"))
}

impl TestApp {
    /// Any request with an optional bearer token, JSON body and extra headers.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let method =
            awc::http::Method::from_bytes(method.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let mut req = Self::client().request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        match body {
            Some(body) => reply(req.send_json(body).await).await,
            None => reply(req.send().await).await,
        }
    }

    /// A provider who owns a fresh tenant; returns their access token.
    pub async fn tenant_owner(&self, email: &str, slug: &str) -> String {
        let session = self.register(email, "provider").await;
        let token = text(&session, "access_token").to_owned();
        let r = self
            .send(
                "POST",
                "/api/v1/tenants",
                Some(&token),
                Some(&json!({"name": "Acme", "slug": slug})),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        token
    }

    /// POST with a token; asserts the status and returns the body.
    pub async fn create(&self, token: &str, path: &str, body: Value) -> Value {
        let r = self.send("POST", path, Some(token), Some(&body), &[]).await;
        assert!(
            r.status.is_success(),
            "POST {path}: {} {}",
            r.status,
            r.body
        );
        r.body
    }
}

/// The `id` of a JSON body.
pub fn id(body: &Value) -> i64 {
    body["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {body}"))
}
