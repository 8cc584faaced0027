//! A [`CacheKvStore`] in a folder of the file system.

use super::CacheKvStore;
use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};
use std::path::{Path, PathBuf};

/// A cache in a folder: one file per key, named by the key's 64 hex digits. An entry is
/// written to a temporary file of a unique name and renamed into place, so a crash or
/// two writers (threads or processes) never leave a torn entry; a reader sees the old
/// file or the new one. Failures to read or write are logged (`log`) and cost a miss.
#[derive(Clone, Debug)]
pub struct FileStore {
    dir: PathBuf,
}

/// Makes temporary names unique among the threads of one process.
static NEXT_TMP: AtomicU64 = AtomicU64::new(0);

impl FileStore {
    /// The store in folder `dir`, created (with its parents) if missing.
    ///
    /// # Errors
    /// The folder cannot be created: a message naming it and the reason.
    pub fn new(dir: impl Into<PathBuf>) -> Result<FileStore, String> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(FileStore { dir })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of `key`.
    pub fn path(&self, key: &[u8]) -> PathBuf {
        let name: String = key.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(name)
    }
}

impl CacheKvStore for FileStore {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        let path = self.path(key);
        match std::fs::read(&path) {
            Ok(bytes) => Some(Cow::Owned(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                log::warn!("cache: cannot read {}: {e}", path.display());
                None
            }
        }
    }

    fn insert(&mut self, key: &[u8], value: Vec<u8>) {
        let path = self.path(key);
        let n = NEXT_TMP.fetch_add(1, Ordering::Relaxed);
        let tmp = path.with_extension(format!("tmp-{}-{n}", std::process::id()));
        let written = std::fs::write(&tmp, value).and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = written {
            log::warn!("cache: cannot write {}: {e}", path.display());
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
