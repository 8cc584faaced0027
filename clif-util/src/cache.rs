//! The file-system store of `clif-util compile --cache DIR`: one file per key (its hex
//! digits), written to a temporary file first and renamed into place, so a crash or two
//! processes at once never leave a torn entry. An unreadable entry is a miss.

use gantry_codegen::incremental_cache::CacheKvStore;
use std::borrow::Cow;
use std::path::PathBuf;

/// A cache folder.
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    /// The store in folder `dir`, created if missing.
    ///
    /// # Errors
    /// The folder cannot be created.
    pub fn new(dir: PathBuf) -> Result<FileStore, String> {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(FileStore { dir })
    }

    fn path(&self, key: &[u8]) -> PathBuf {
        let name: String = key.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(name)
    }
}

impl CacheKvStore for FileStore {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        std::fs::read(self.path(key)).ok().map(Cow::Owned)
    }

    fn insert(&mut self, key: &[u8], value: Vec<u8>) {
        let path = self.path(key);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        // A failed write only costs a later miss.
        if std::fs::write(&tmp, value).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
