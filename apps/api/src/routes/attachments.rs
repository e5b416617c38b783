//! `/attachments`: dispute evidence uploaded as multipart (streamed to object
//! storage while counted, hashed and sniffed) and downloaded by those who may
//! see it.

use actix_multipart::{Field, Multipart};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use attachments::file_name::content_disposition;
use attachments::service::Slot;
use attachments::{
    AttachmentError, AttachmentService, Checked, Intake, MAX_BYTES, Refusal, Release,
};
use futures_util::StreamExt;
use kernel::{Ctx, FieldError};

use super::attachments_dto::{AttachmentDto, UploadForm};
use crate::auth::AuthUser;
use crate::http::{ApiError, Problem};
use crate::state::AppState;
use crate::storage::{AttachmentStore, Upload};

/// Room for the multipart envelope (boundaries, part headers) around the file
/// when refusing early by `Content-Length`.
const ENVELOPE_BYTES: u64 = 64 * 1024;
/// After a refusal, how much of the rest of the body is read and dropped so the
/// client sees the answer instead of a reset connection.
const DRAIN_BYTES: usize = 1024 * 1024;

fn form_error(message: &str) -> ApiError {
    ApiError::validation(vec![FieldError::new("file", message)])
}

fn bad_multipart(e: actix_multipart::MultipartError) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        kernel::Code::BadMultipart,
        format!("malformed multipart body: {e}"),
    )
}

fn storage_failed(e: object_store::Error) -> ApiError {
    ApiError::internal(&e)
}

/// 415 unless the body is `multipart/form-data`; 413 when its declared length
/// already exceeds the limit.
fn check_headers(req: &HttpRequest) -> Result<(), ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            kernel::Code::UnsupportedMediaType,
            "send multipart/form-data with one part named `file`",
        ));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BYTES + ENVELOPE_BYTES) {
        return Err(AttachmentError::Refused(Refusal::TooLarge).into());
    }
    Ok(())
}

/// Why receiving a file part stopped.
enum Stop {
    /// Refused while the part was still arriving (the rest is drained).
    Refused(Refusal),
    /// Refused once the whole part was read.
    RefusedAtEnd(Refusal),
    Client(actix_multipart::MultipartError),
    Store(object_store::Error),
}

impl From<object_store::Error> for Stop {
    fn from(e: object_store::Error) -> Self {
        Self::Store(e)
    }
}

async fn write(
    store: &AttachmentStore,
    key: &str,
    upload: &mut Option<Upload>,
    bytes: &[u8],
) -> Result<(), object_store::Error> {
    if upload.is_none() {
        *upload = Some(store.begin(key).await?);
    }
    match upload {
        Some(u) => u.write(bytes).await,
        None => Ok(()),
    }
}

/// Streams one `file` part into the store under `key`: counted, hashed and
/// sniffed as it arrives; nothing is written before the head is accepted.
async fn receive(store: &AttachmentStore, key: &str, field: &mut Field) -> Result<Checked, Stop> {
    let mut intake = Intake::new();
    let mut upload: Option<Upload> = None;
    let result = async {
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(Stop::Client)?;
            match intake.accept(&chunk).map_err(Stop::Refused)? {
                Release::Hold => {}
                Release::Head(head) => write(store, key, &mut upload, &head).await?,
                Release::Chunk => write(store, key, &mut upload, &chunk).await?,
            }
        }
        let (checked, rest) = std::mem::take(&mut intake)
            .finish()
            .map_err(Stop::RefusedAtEnd)?;
        if let Some(rest) = rest {
            write(store, key, &mut upload, &rest).await?;
        }
        Ok(checked)
    }
    .await;
    match (result, upload) {
        (Ok(checked), Some(upload)) => {
            upload.finish().await?;
            Ok(checked)
        }
        (Ok(_), None) => Err(Stop::RefusedAtEnd(Refusal::Unsupported)),
        (Err(stop), upload) => {
            if let Some(upload) = upload {
                upload.abort().await;
            }
            Err(stop)
        }
    }
}

/// Reads and drops what is left of a refused part, up to [`DRAIN_BYTES`].
async fn drain(field: &mut Field) {
    let mut dropped = 0;
    while dropped < DRAIN_BYTES {
        match field.next().await {
            Some(Ok(chunk)) => dropped += chunk.len(),
            _ => return,
        }
    }
}

/// The one stored `file` part: its slot, client name and checked content.
struct Stored {
    slot: Slot,
    file_name: String,
    checked: Checked,
}

async fn discard(store: &AttachmentStore, stored: Option<Stored>) {
    if let Some(s) = stored
        && let Err(e) = store.delete(&s.slot.storage_key).await
    {
        tracing::warn!(error = %e, key = %s.slot.storage_key, "removing a refused attachment failed");
    }
}

/// Reads every part; exactly one, named `file`, is stored.
async fn read_form(store: &AttachmentStore, mut form: Multipart) -> Result<Stored, ApiError> {
    let mut stored: Option<Stored> = None;
    while let Some(field) = form.next().await {
        let mut field = match field {
            Ok(field) => field,
            Err(e) => {
                discard(store, stored).await;
                return Err(bad_multipart(e));
            }
        };
        if field.name() != Some("file") || stored.is_some() {
            discard(store, stored).await;
            return Err(form_error("send exactly one part, named `file`"));
        }
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .unwrap_or_default()
            .to_owned();
        let slot = AttachmentService::slot();
        match receive(store, &slot.storage_key, &mut field).await {
            Ok(checked) => {
                stored = Some(Stored {
                    slot,
                    file_name,
                    checked,
                })
            }
            Err(Stop::Refused(r)) => {
                drain(&mut field).await;
                return Err(AttachmentError::Refused(r).into());
            }
            Err(Stop::RefusedAtEnd(r)) => return Err(AttachmentError::Refused(r).into()),
            Err(Stop::Client(e)) => return Err(bad_multipart(e)),
            Err(Stop::Store(e)) => return Err(storage_failed(e)),
        }
    }
    stored.ok_or_else(|| form_error("is required"))
}

/// Uploads a file (PNG, JPEG, WebP, HEIC or PDF, ≤ 10 MiB), e.g. dispute evidence.
///
/// Any signed-in user. A `multipart/form-data` body with exactly one part named
/// `file`. The type is sniffed from the bytes, never taken from the name or the
/// declared type, and must be PNG, JPEG, WebP, HEIC or PDF. The answer's id is
/// then cited, e.g. as evidence when raising a dispute. Anything else in the
/// body, or a file over 10 MiB, is refused.
#[utoipa::path(post, path = "/api/v1/attachments", tag = "disputes", security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
    (status = 201, description = "Stored: the kind is the one sniffed from the bytes", body = AttachmentDto),
    (status = 400, description = "Malformed multipart body", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Larger than 10 MiB (nothing is stored)", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not multipart, or the bytes are not an image or a PDF", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "No part named `file`, several, or another part", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "`quota_exceeded`: the caller's `upload_files_per_day`, `upload_bytes_per_day` (both over the last 24 h) or `upload_bytes_stored` is reached; nothing is stored", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until the oldest counted upload is a day old (daily quotas), or a day (stored bytes: uploads nobody cites are removed a day after their upload)"))),
))]
pub async fn upload(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check_headers(&req)?;
    // Before a byte is read: no room for one more file is refused at once
    // (the real size is checked again under the user's lock when recorded).
    state.attachments.check_quota(&ctx).await?;
    let form = Multipart::new(req.headers(), payload);
    let stored = read_form(&state.storage, form).await?;
    record(&state, &ctx, stored).await
}

async fn record(state: &AppState, ctx: &Ctx, s: Stored) -> Result<HttpResponse, ApiError> {
    let key = s.slot.storage_key.clone();
    match state
        .attachments
        .record(ctx, s.slot, &s.file_name, s.checked)
        .await
    {
        Ok(saved) => Ok(HttpResponse::Created().json(AttachmentDto::from(saved))),
        Err(e) => {
            if let Err(cleanup) = state.storage.delete(&key).await {
                tracing::warn!(error = %cleanup, %key, "removing an unrecorded attachment failed");
            }
            Err(e.into())
        }
    }
}

/// Downloads a file: to its owner, and to those who may see a dispute it is
/// evidence for (the job's customer and provider, the region's LSMs, admins).
///
/// Downloads always carry `Content-Disposition: attachment`, the sniffed
/// content type and `nosniff`, so a browser never renders them inline. Anyone
/// else gets 404, whether or not the id exists.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "disputes", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
    (status = 200, description = "The bytes, with their sniffed type and `Content-Disposition: attachment`", content(
        (Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/webp"), (Vec<u8> = "image/heic"), (Vec<u8> = "application/pdf"),
    )),
    (status = 404, description = "Absent or not visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
pub async fn download(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let found = state.attachments.find(&ctx, *id).await?;
    let bytes = state
        .storage
        .open(&found.storage_key)
        .await
        .map_err(storage_failed)?;
    let disposition = HeaderValue::from_str(&content_disposition(&found.file_name))
        .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .content_type(found.kind.mime())
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .no_chunking(found.size_bytes)
        .streaming(bytes))
}
