//! The currencies Paydesk accepts: ISO 4217 codes of currencies in circulation, lower
//! case (SPEC §11 contract details). Precious metals, fund units and test codes are out.

pub const CODES: &[&str] = &[
    "aed", "afn", "all", "amd", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd", "bdt", "bgn",
    "bhd", "bif", "bmd", "bnd", "bob", "brl", "bsd", "btn", "bwp", "byn", "bzd", "cad", "cdf",
    "chf", "clp", "cny", "cop", "crc", "cup", "cve", "czk", "djf", "dkk", "dop", "dzd", "egp",
    "ern", "etb", "eur", "fjd", "fkp", "gbp", "gel", "ghs", "gip", "gmd", "gnf", "gtq", "gyd",
    "hkd", "hnl", "htg", "huf", "idr", "ils", "inr", "iqd", "irr", "isk", "jmd", "jod", "jpy",
    "kes", "kgs", "khr", "kmf", "kpw", "krw", "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd",
    "lsl", "lyd", "mad", "mdl", "mga", "mkd", "mmk", "mnt", "mop", "mru", "mur", "mvr", "mwk",
    "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok", "npr", "nzd", "omr", "pab", "pen", "pgk",
    "php", "pkr", "pln", "pyg", "qar", "ron", "rsd", "rub", "rwf", "sar", "sbd", "scr", "sdg",
    "sek", "sgd", "shp", "sle", "sos", "srd", "ssp", "stn", "svc", "syp", "szl", "thb", "tjs",
    "tmt", "tnd", "top", "try", "ttd", "twd", "tzs", "uah", "ugx", "usd", "uyu", "uzs", "ves",
    "vnd", "vuv", "wst", "xaf", "xcd", "xcg", "xof", "xpf", "yer", "zar", "zmw", "zwg",
];

/// True for a lower-case ISO 4217 code Paydesk accepts.
pub fn is_supported(code: &str) -> bool {
    CODES.binary_search(&code).is_ok()
}

/// Digits after the decimal point of the currency's minor unit (ISO 4217): 0 for the
/// yen and others, 3 for the dinars, 2 for most.
pub fn exponent(code: &str) -> u32 {
    const ZERO: &[&str] = &[
        "bif", "clp", "djf", "gnf", "isk", "jpy", "kmf", "krw", "pyg", "rwf", "ugx", "vnd", "vuv",
        "xaf", "xof", "xpf",
    ];
    const THREE: &[&str] = &["bhd", "iqd", "jod", "kwd", "lyd", "omr", "tnd"];
    if ZERO.contains(&code) {
        0
    } else if THREE.contains(&code) {
        3
    } else {
        2
    }
}

/// An amount in minor units as people read it: `12.34 USD`, `1200 JPY`.
pub fn display(amount: i64, code: &str) -> String {
    format!("{} {}", major(amount, code), code.to_uppercase())
}

/// An amount in minor units as a figure in the major unit, as a form takes it back:
/// `12.34`, `1200`.
pub fn major(amount: i64, code: &str) -> String {
    let e = exponent(code);
    let unit = 10_i64.pow(e);
    let sign = if amount < 0 { "-" } else { "" };
    let (whole, part) = (amount.abs() / unit, amount.abs() % unit);
    if e == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{part:0width$}", width = e as usize)
    }
}

/// `"12.3"` in the currency's major unit → minor units (1230 for USD); None when it is
/// not a positive amount with at most the currency's digits after the point.
pub fn parse_major(text: &str, code: &str) -> Option<i64> {
    let e = exponent(code) as usize;
    let text = text.trim();
    let (whole, part) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && part.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !part.bytes().all(|b| b.is_ascii_digit())
        || part.len() > e
        || whole.len() > 15
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let part: i64 = if part.is_empty() {
        0
    } else {
        format!("{part:0<e$}").parse().ok()?
    };
    let amount = whole.checked_mul(10_i64.pow(e as u32))?.checked_add(part)?;
    (amount > 0).then_some(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_in_the_currencys_own_unit() {
        assert_eq!(display(1234, "usd"), "12.34 USD");
        assert_eq!(display(5, "eur"), "0.05 EUR");
        assert_eq!(display(1200, "jpy"), "1200 JPY");
        assert_eq!(display(1234, "kwd"), "1.234 KWD");
        assert_eq!(major(4200, "usd"), "42.00");
        assert_eq!(parse_major(&major(4205, "usd"), "usd"), Some(4205));
        assert_eq!(parse_major("12.3", "usd"), Some(1230));
        assert_eq!(parse_major("12", "usd"), Some(1200));
        assert_eq!(parse_major(".5", "usd"), Some(50));
        assert_eq!(parse_major("1200", "jpy"), Some(1200));
        for bad in ["", "0", "1.234", "-1", "1e3", "abc", "1.5"] {
            let code = if bad == "1.5" { "jpy" } else { "usd" };
            assert_eq!(parse_major(bad, code), None, "{bad}");
        }
    }

    #[test]
    fn the_list_is_sorted_lower_case_and_knows_real_codes_only() {
        assert!(
            CODES.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
        assert!(
            CODES
                .iter()
                .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_lowercase()))
        );
        for good in ["usd", "eur", "jpy", "gbp"] {
            assert!(is_supported(good), "{good}");
        }
        for bad in ["abc", "xau", "xxx", "USD", "us", ""] {
            assert!(!is_supported(bad), "{bad}");
        }
    }
}
