//! The key form shared by create and edit: the permission matrix, and reading a
//! submitted form into a draft.

use crate::keys::config::KeyDraft;
use crate::keys::permissions::{GROUPS, Level, RESOURCES};
use crate::keys::{Access, Resource};
use crate::web::form::FormState;

pub struct MatrixGroup {
    pub name: &'static str,
    pub rows: Vec<MatrixRow>,
}

pub struct MatrixRow {
    pub field: String,
    pub name: &'static str,
    pub label: &'static str,
    pub cells: Vec<MatrixCell>,
}

pub struct MatrixCell {
    pub level: &'static str,
    pub label: &'static str,
    pub offered: bool,
    pub checked: bool,
}

pub(super) fn matrix(selected: impl Fn(Resource) -> Level) -> Vec<MatrixGroup> {
    GROUPS
        .iter()
        .map(|group| MatrixGroup {
            name: group,
            rows: RESOURCES
                .iter()
                .filter(|r| r.group == *group)
                .map(|r| {
                    let current = selected(r.resource);
                    MatrixRow {
                        field: format!("perm_{}", r.name),
                        name: r.name,
                        label: r.label,
                        cells: [Level::None, Level::Read, Level::Write]
                            .into_iter()
                            .map(|level| MatrixCell {
                                level: level.as_str(),
                                label: level.label(),
                                offered: r.levels.contains(&level),
                                checked: level == current,
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// A submitted key form, read from its raw pairs (the matrix has a field per resource).
pub struct KeyForm(pub(super) Vec<(String, String)>);

impl KeyForm {
    pub(super) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub(super) fn full_access(&self) -> bool {
        self.get("access") == "full"
    }

    pub(super) fn level(&self, r: Resource) -> Level {
        Level::parse(self.get(&format!("perm_{}", r.name()))).unwrap_or(Level::None)
    }

    fn access(&self) -> Result<Access, String> {
        if self.full_access() {
            return Ok(Access::Full);
        }
        let mut map = std::collections::BTreeMap::new();
        for info in RESOURCES {
            let raw = self.get(&format!("perm_{}", info.name));
            let level = if raw.is_empty() {
                Level::None
            } else {
                Level::parse(raw)
                    .ok_or_else(|| format!("{}: choose None, Read or Write", info.label))?
            };
            if !info.levels.contains(&level) {
                return Err(format!("{} has no {} level.", info.label, level.label()));
            }
            map.insert(info.resource, level);
        }
        Ok(Access::Scoped(map))
    }

    /// The text box, split on commas and whitespace; empty pieces are no entries.
    fn allowed_ips(&self) -> Vec<String> {
        self.get("allowed_ips")
            .split([',', '\n', '\r', ' ', '\t'])
            .filter(|piece| !piece.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub(super) fn draft(&self) -> KeyDraft {
        KeyDraft {
            name: self.get("name").into(),
            mode: self.get("mode").into(),
            permissions: self.access(),
            allowed_ips: self.allowed_ips(),
            rate_limit: self.get("rate_limit").into(),
            expires_in_days: self.get("expires_in_days").into(),
            api_version: self.get("api_version").into(),
            require_signature: self.get("require_signature") == "on",
            canary: self.get("canary") == "on",
        }
    }

    /// What the person typed, to show again beside the errors.
    pub(super) fn kept(&self) -> FormState {
        [
            "name",
            "mode",
            "allowed_ips",
            "rate_limit",
            "expires_in_days",
            "api_version",
            "form_token",
            "canary",
            "require_signature",
            "webhook_url",
        ]
        .into_iter()
        .fold(FormState::default(), |f, name| f.with(name, self.get(name)))
    }
}
