//! API versions (SPEC §5): the current one and the deprecated ones still served.

pub const CURRENT: &str = "2026-05-27";
pub const DEPRECATED: &[&str] = &["2025-06-01"];
/// Newest first.
pub const SUPPORTED: &[&str] = &["2026-05-27", "2025-06-01"];

pub fn is_supported(v: &str) -> bool {
    SUPPORTED.contains(&v)
}
