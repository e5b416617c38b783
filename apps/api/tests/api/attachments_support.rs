//! Multipart uploads and raw downloads for the attachment tests, with real
//! file headers.

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use awc::http::header::HeaderMap;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value as SqlValue};
use serde_json::Value;

use crate::helpers::TestApp;

/// A PNG: signature, IHDR of a 1×1 image, then filler.
pub fn png() -> Vec<u8> {
    let mut file = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90\x77\x53\xde".to_vec();
    file.extend((0..4096u32).map(|i| (i % 251) as u8));
    file
}

/// A PDF 1.7 as a text editor would save it.
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
        .to_vec()
}

/// An x86-64 ELF executable header and some code bytes.
pub fn elf() -> Vec<u8> {
    let mut file =
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00\x01\x00\x00\x00"
            .to_vec();
    file.extend([0x90u8; 512]);
    file
}

/// A Windows PE executable (DOS header with its stub).
pub fn pe() -> Vec<u8> {
    let mut file = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    file.extend(b"This program cannot be run in DOS mode.\r\r\n$".iter());
    file
}

const BOUNDARY: &str = "stm-test-boundary-7MA4YWxkTrZu0gW";

/// One multipart part: field name, optional file name, declared type, bytes.
pub struct Part<'a> {
    pub name: &'a str,
    pub file_name: Option<&'a str>,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// A part named `file`.
pub fn file_part<'a>(file_name: &'a str, content_type: &'a str, bytes: &'a [u8]) -> Part<'a> {
    Part {
        name: "file",
        file_name: Some(file_name),
        content_type,
        bytes,
    }
}

/// A `multipart/form-data` body of `parts`.
pub fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for p in parts {
        body.extend(format!("--{BOUNDARY}\r\n").bytes());
        let file_name = p
            .file_name
            .map(|f| format!("; filename=\"{f}\""))
            .unwrap_or_default();
        body.extend(
            format!(
                "Content-Disposition: form-data; name=\"{}\"{file_name}\r\nContent-Type: {}\r\n\r\n",
                p.name, p.content_type
            )
            .bytes(),
        );
        body.extend_from_slice(p.bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").bytes());
    body
}

/// A raw response: status, headers, bytes.
pub struct Raw {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Bytes,
}

impl Raw {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .finish()
}

async fn raw(
    res: Result<
        awc::ClientResponse<
            impl futures_util::Stream<Item = Result<Bytes, awc::error::PayloadError>> + Unpin,
        >,
        awc::error::SendRequestError,
    >,
) -> Raw {
    let mut res = res.unwrap_or_else(|e| panic!("request failed: {e}"));
    let bytes = res
        .body()
        .limit(11 * 1024 * 1024)
        .await
        .unwrap_or_else(|e| panic!("body: {e}"));
    Raw {
        status: res.status(),
        headers: res.headers().clone(),
        bytes,
    }
}

/// POST /attachments with `body` as `content_type`.
pub async fn post_body(
    app: &TestApp,
    token: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> Raw {
    let mut req = client()
        .post(format!("{}/api/v1/attachments", app.address))
        .insert_header(("content-type", content_type));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    raw(req.send_body(body).await).await
}

/// POST /attachments with a multipart form of `parts`.
pub async fn upload(app: &TestApp, token: Option<&str>, parts: &[Part<'_>]) -> Raw {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    post_body(app, token, &content_type, form(parts)).await
}

/// Uploads one file as `token`; asserts 201 and returns the attachment id.
pub async fn uploaded(app: &TestApp, token: &str, file_name: &str, bytes: &[u8]) -> String {
    let r = upload(
        app,
        Some(token),
        &[file_part(file_name, "application/octet-stream", bytes)],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    r.json()["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id"))
        .to_owned()
}

/// GET /attachments/{id}.
pub async fn download(app: &TestApp, token: Option<&str>, id: &str) -> Raw {
    let mut req = client().get(format!("{}/api/v1/attachments/{id}", app.address));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    raw(req.send().await).await
}

/// Runs `sql` (with `?` placeholders) on the app's database.
pub async fn sql(app: &TestApp, sql: &str, values: Vec<SqlValue>) {
    let backend = app.db.conn().get_database_backend();
    let mut n = 0;
    let text: String = sql
        .chars()
        .map(|c| match (c, backend) {
            ('?', DbBackend::Postgres) => {
                n += 1;
                format!("${n}")
            }
            _ => c.to_string(),
        })
        .collect();
    app.db
        .conn()
        .execute_raw(Statement::from_sql_and_values(backend, text, values))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// How many rows `sql` counts.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let row = app
        .db
        .conn()
        .query_one_raw(Statement::from_string(
            app.db.conn().get_database_backend(),
            sql,
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap_or_else(|| panic!("{sql}: no row"));
    row.try_get_by_index(0).unwrap_or_else(|e| panic!("{e}"))
}

/// Files under the app's local attachment folder.
pub fn stored_files(app: &TestApp) -> usize {
    std::fs::read_dir(app.data_dir().join("attachments"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Raises a pending dispute on `job` (as its customer) and links `attachment`
/// to it, as the disputes routes will.
pub async fn dispute_with(app: &TestApp, job: i64, attachment: &str) {
    sql(
        app,
        "INSERT INTO disputes (job_id, raised_by_id, raised_by_type, description) \
         SELECT id, customer_id, 'customer', 'the walk never happened' FROM jobs WHERE id = ?",
        vec![job.into()],
    )
    .await;
    let id: uuid::Uuid = attachment.parse().unwrap_or_else(|e| panic!("{e}"));
    sql(
        app,
        "INSERT INTO dispute_attachments (dispute_id, attachment_id) \
         SELECT MAX(id), ? FROM disputes WHERE job_id = ?",
        vec![id.into(), job.into()],
    )
    .await;
}
