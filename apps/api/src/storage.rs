//! Attachment bytes in object storage (the `object_store` crate): a folder
//! under the data directory by default, an S3-compatible bucket when
//! configured. Uploads are streamed: bytes go out in parts as they arrive, so
//! at most a few parts are in memory however large the file (see
//! docs/attachments.md).

use std::sync::Arc;

use actix_web::web::Bytes;
use attachments::ports::StoredObject;
use futures_util::TryStreamExt;
use futures_util::stream::BoxStream;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};

use crate::config::{StorageBackend, StorageSettings};
use crate::startup::BoxError;

/// Part size for a local folder: small, since parts are only a write buffer.
const LOCAL_PART_BYTES: usize = 1024 * 1024;
/// Part size for S3: its minimum for every part but the last.
const S3_PART_BYTES: usize = 5 * 1024 * 1024;
/// Parts in flight at once before a write waits (memory ≈ parts × part size).
const PARTS_IN_FLIGHT: usize = 2;

/// Where attachment bytes are read and written.
#[derive(Debug, Clone)]
pub struct AttachmentStore {
    store: Arc<dyn ObjectStore>,
    part_bytes: usize,
}

impl AttachmentStore {
    /// The store the settings name; invalid ones stop the start naming the key.
    pub fn from_settings(settings: &StorageSettings) -> Result<Self, BoxError> {
        match settings.backend {
            StorageBackend::Local => Self::local(&settings.data_dir),
            StorageBackend::S3 => Self::s3(settings),
        }
    }

    /// Files under `<data_dir>/attachments` (keys are `attachments/<id>`).
    pub fn local(data_dir: &std::path::Path) -> Result<Self, BoxError> {
        let folder = data_dir.join("attachments");
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("cannot create `storage.data_dir` {}: {e}", folder.display()))?;
        let store = LocalFileSystem::new_with_prefix(data_dir)
            .map_err(|e| format!("`storage.data_dir` {}: {e}", data_dir.display()))?;
        Ok(Self {
            store: Arc::new(store),
            part_bytes: LOCAL_PART_BYTES,
        })
    }

    /// An S3-compatible bucket.
    fn s3(settings: &StorageSettings) -> Result<Self, BoxError> {
        // rustls' `ring` provider: the process-wide one reqwest's rustls uses
        // (no aws-lc-rs, no OpenSSL). Already installed is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(settings.bucket.clone().unwrap_or_default())
            .with_region(settings.region.clone())
            .with_allow_http(settings.allow_http);
        if let Some(endpoint) = &settings.endpoint {
            builder = builder.with_endpoint(endpoint.clone());
        }
        if let (Some(id), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
            builder = builder
                .with_access_key_id(id.clone())
                .with_secret_access_key(secret.expose().to_owned());
        }
        let store = builder.build().map_err(|e| {
            format!("invalid `storage` S3 settings (`storage.bucket`, `storage.endpoint`): {e}")
        })?;
        Ok(Self {
            store: Arc::new(store),
            part_bytes: S3_PART_BYTES,
        })
    }

    /// Starts writing `key`; nothing is visible under it until [`Upload::finish`].
    pub async fn begin(&self, key: &str) -> Result<Upload, object_store::Error> {
        let path = Path::from(key);
        let upload = self.store.put_multipart(&path).await?;
        Ok(Upload {
            writer: WriteMultipart::new_with_chunk_size(upload, self.part_bytes),
        })
    }

    /// The bytes under `key`, as a stream.
    pub async fn open(
        &self,
        key: &str,
    ) -> Result<BoxStream<'static, Result<Bytes, object_store::Error>>, object_store::Error> {
        Ok(self.store.get(&Path::from(key)).await?.into_stream())
    }

    /// Removes `key` (a file whose metadata could not be recorded).
    pub async fn delete(&self, key: &str) -> Result<(), object_store::Error> {
        self.store.delete(&Path::from(key)).await
    }
}

/// The sweeper's view of the store (`attachments::sweep`).
#[async_trait::async_trait]
impl attachments::ports::BlobStore for AttachmentStore {
    async fn list(&self, prefix: &str) -> Result<Vec<StoredObject>, String> {
        let prefix = Path::from(prefix.trim_end_matches('/'));
        self.store
            .list(Some(&prefix))
            .map_ok(|meta| StoredObject {
                key: meta.location.to_string(),
                last_modified: meta.last_modified,
            })
            .try_collect()
            .await
            .map_err(|e| e.to_string())
    }

    async fn delete(&self, key: &str) -> Result<(), String> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// One object being written, part by part.
#[derive(Debug)]
pub struct Upload {
    writer: WriteMultipart,
}

impl Upload {
    /// Appends bytes; waits while [`PARTS_IN_FLIGHT`] parts are still being
    /// stored, so a fast client cannot fill memory ahead of the store.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), object_store::Error> {
        self.writer.wait_for_capacity(PARTS_IN_FLIGHT).await?;
        self.writer.write(bytes);
        Ok(())
    }

    /// Completes the object.
    pub async fn finish(self) -> Result<(), object_store::Error> {
        self.writer.finish().await.map(|_| ())
    }

    /// Abandons the object; nothing stays under its key.
    pub async fn abort(self) {
        if let Err(e) = self.writer.abort().await {
            tracing::warn!(error = %e, "aborting an attachment upload failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_disk(dir: &std::path::Path) -> u64 {
        std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|e| e.unwrap_or_else(|e| panic!("{e}")))
            .map(|e| {
                let meta = e.metadata().unwrap_or_else(|e| panic!("{e}"));
                if meta.is_dir() {
                    on_disk(&e.path())
                } else {
                    meta.len()
                }
            })
            .sum()
    }

    #[tokio::test]
    async fn a_large_upload_goes_out_in_parts_and_reads_back_whole() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = AttachmentStore::local(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let mut upload = store
            .begin("attachments/big")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let chunk = vec![7u8; 64 * 1024];
        for _ in 0..160 {
            upload.write(&chunk).await.unwrap_or_else(|e| panic!("{e}"));
        }
        // 10 MiB in 1 MiB parts with at most two in flight: at least eight
        // are on disk before the upload ends, so memory held only the rest.
        assert!(
            on_disk(dir.path()) >= 8 * 1024 * 1024,
            "{}",
            on_disk(dir.path())
        );
        assert!(
            !dir.path().join("attachments/big").exists(),
            "invisible until finished"
        );
        upload.finish().await.unwrap_or_else(|e| panic!("{e}"));
        let stream = store
            .open("attachments/big")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let parts: Vec<Bytes> = stream.try_collect().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            parts.iter().map(Bytes::len).sum::<usize>(),
            10 * 1024 * 1024
        );
    }

    #[tokio::test]
    async fn an_aborted_upload_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = AttachmentStore::local(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let mut upload = store
            .begin("attachments/gone")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        upload
            .write(&[1u8; 2 * 1024 * 1024])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        upload.abort().await;
        let left = std::fs::read_dir(dir.path().join("attachments"))
            .unwrap_or_else(|e| panic!("{e}"))
            .count();
        assert_eq!(left, 0);
    }
}
