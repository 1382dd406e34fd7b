//! The key form shared by create and edit: the permission matrix, and reading a
//! submitted form into a draft.

use crate::currencies;
use crate::db::models::spend::SpendLimit;
use crate::keys::config::KeyDraft;
use crate::keys::permissions::{GROUPS, Level, RESOURCES};
use crate::keys::spend::{MAX_LIMITS, SpendLimitDraft};
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

/// The form's spend-limit rows (SPEC §17): four fields each, numbered from 1.
const SPEND_FIELDS: [[&str; 4]; MAX_LIMITS] = [
    [
        "spend_resource_1",
        "spend_currency_1",
        "spend_amount_1",
        "spend_period_1",
    ],
    [
        "spend_resource_2",
        "spend_currency_2",
        "spend_amount_2",
        "spend_period_2",
    ],
    [
        "spend_resource_3",
        "spend_currency_3",
        "spend_amount_3",
        "spend_period_3",
    ],
    [
        "spend_resource_4",
        "spend_currency_4",
        "spend_amount_4",
        "spend_period_4",
    ],
    [
        "spend_resource_5",
        "spend_currency_5",
        "spend_amount_5",
        "spend_period_5",
    ],
    [
        "spend_resource_6",
        "spend_currency_6",
        "spend_amount_6",
        "spend_period_6",
    ],
    [
        "spend_resource_7",
        "spend_currency_7",
        "spend_amount_7",
        "spend_period_7",
    ],
    [
        "spend_resource_8",
        "spend_currency_8",
        "spend_amount_8",
        "spend_period_8",
    ],
    [
        "spend_resource_9",
        "spend_currency_9",
        "spend_amount_9",
        "spend_period_9",
    ],
    [
        "spend_resource_10",
        "spend_currency_10",
        "spend_amount_10",
        "spend_period_10",
    ],
];

/// One spend-limit row of the key form: its number and its fields' names.
pub struct SpendRow {
    pub n: usize,
    pub resource: &'static str,
    pub currency: &'static str,
    pub amount: &'static str,
    pub period: &'static str,
}

/// The rows to show: every filled one and one empty (at least two), at most the limit.
pub(super) fn spend_rows(form: &FormState) -> Vec<SpendRow> {
    let filled = SPEND_FIELDS
        .iter()
        .rposition(|f| !form.value(f[1]).is_empty() || !form.value(f[2]).is_empty())
        .map_or(0, |i| i + 1);
    SPEND_FIELDS
        .iter()
        .take((filled + 1).clamp(2, MAX_LIMITS))
        .enumerate()
        .map(|(i, f)| SpendRow {
            n: i + 1,
            resource: f[0],
            currency: f[1],
            amount: f[2],
            period: f[3],
        })
        .collect()
}

/// A key's limits in the form's rows, for its edit page: amounts in the currency's major
/// unit, as the form takes them.
pub(super) fn with_spend_limits(mut form: FormState, limits: &[SpendLimit]) -> FormState {
    for (limit, f) in limits.iter().zip(SPEND_FIELDS.iter()) {
        form = form
            .with(f[0], limit.resource.as_str())
            .with(f[1], &limit.currency)
            .with(f[2], &currencies::major(limit.amount, &limit.currency))
            .with(f[3], limit.period.as_str());
    }
    form
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
            spend_limits: self.spend_limits(),
        }
    }

    /// The filled spend-limit rows (a row without currency and amount is no limit).
    pub(super) fn spend_limits(&self) -> Vec<SpendLimitDraft> {
        SPEND_FIELDS
            .iter()
            .filter(|f| !self.get(f[1]).trim().is_empty() || !self.get(f[2]).trim().is_empty())
            .map(|f| SpendLimitDraft {
                resource: self.get(f[0]).into(),
                currency: self.get(f[1]).into(),
                amount: self.get(f[2]).into(),
                period: self.get(f[3]).into(),
                in_major_units: true,
            })
            .collect()
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
        .chain(SPEND_FIELDS.iter().flatten().copied())
        .fold(FormState::default(), |f, name| f.with(name, self.get(name)))
    }
}
