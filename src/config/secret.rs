//! The signing secret every instance shares: PAYDESK_SECRET, or on SQLite a generated
//! `./data/secret` readable by its owner only.

use std::io::Write;
use std::path::Path;

pub(super) const SECRET_FILE: &str = "./data/secret";
pub(super) const SECRET_MIN_BYTES: usize = 64;

/// PAYDESK_SECRET as given (at least 64 bytes); else, on SQLite, `./data/secret`, made
/// when missing if `create`. PostgreSQL needs it given.
pub fn resolve_secret(
    database_url: &str,
    given: Option<String>,
    create: bool,
) -> Result<Vec<u8>, String> {
    Ok(match given {
        Some(s) if s.len() >= SECRET_MIN_BYTES => s.into_bytes(),
        Some(s) => {
            return Err(format!(
                "PAYDESK_SECRET is {} bytes; it must be at least {SECRET_MIN_BYTES}",
                s.len()
            ));
        }
        // Every instance on a shared database must read the others' sessions and
        // tokens: a secret generated into one machine's ./data would not do.
        None if matches!(
            crate::db::DatabaseUrl::parse(database_url),
            Ok(crate::db::DatabaseUrl::Postgres(_))
        ) =>
        {
            return Err(
                "PAYDESK_SECRET is required with a postgres:// database: set the same \
                 value (at least 64 bytes) on every instance"
                    .into(),
            );
        }
        None if !create && !Path::new(SECRET_FILE).exists() => {
            return Err(format!(
                "PAYDESK_SECRET is not set and {SECRET_FILE} does not exist: give the \
                 secret the database was served with"
            ));
        }
        None => load_or_create_secret(Path::new(SECRET_FILE))?,
    })
}

/// Reads the generated secret, or makes one (86 base62 characters ≈ 512 bits) readable
/// by the owner only.
fn load_or_create_secret(path: &Path) -> Result<Vec<u8>, String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let trimmed = existing.trim();
        if trimmed.len() >= SECRET_MIN_BYTES {
            return Ok(trimmed.as_bytes().to_vec());
        }
        return Err(format!(
            "{} holds fewer than {SECRET_MIN_BYTES} bytes",
            path.display()
        ));
    }
    if let Some(dir) = path.parent().filter(|d| !d.exists()) {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let secret = crate::ids::random_base62(86);
    let mut file = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?
    };
    file.write_all(secret.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(secret.into_bytes())
}
