//! Input rules for people: emails, passwords, merchant names. Each returns the message
//! shown beside the field.

/// Lower-cased, trimmed email with one `@`, something on each side and a dot in the domain.
pub fn email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err("Enter an email address.".into());
    }
    if email.len() > 254 || email.chars().any(char::is_whitespace) {
        return Err("Enter a valid email address, like name@example.com.".into());
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.') =>
        {
            Ok(email)
        }
        _ => Err("Enter a valid email address, like name@example.com.".into()),
    }
}

pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 256;

pub fn password(raw: &str) -> Result<(), String> {
    let n = raw.chars().count();
    if n < PASSWORD_MIN {
        return Err(format!("Use at least {PASSWORD_MIN} characters."));
    }
    if n > PASSWORD_MAX {
        return Err(format!("Use at most {PASSWORD_MAX} characters."));
    }
    Ok(())
}

pub fn merchant_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("Enter the business name.".into());
    }
    if name.chars().count() > 100 {
        return Err("Use at most 100 characters.".into());
    }
    Ok(name.to_owned())
}

/// The email shape the API takes for customers, as sent (no trimming or lower-casing):
/// one `@`, no white space or control characters, and a dot inside the domain.
/// `EMAIL_PATTERN` says the same for the OpenAPI document.
pub fn email_shape(s: &str) -> bool {
    let bad = |c: char| c == '@' || c.is_whitespace() || c.is_control();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.chars().any(bad)
        && !domain.chars().any(bad)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

pub const EMAIL_PATTERN: &str = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f.][^@\s\x00-\x1f\x7f-\x9f]*\.[^@\s\x00-\x1f\x7f-\x9f]*[^@\s\x00-\x1f\x7f-\x9f.]$";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(email("  Ada@Example.COM ").unwrap(), "ada@example.com");
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@c.d",
            "a@b@c.d",
        ] {
            assert!(email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn passwords_are_12_to_256_characters() {
        assert!(password("short").is_err());
        assert!(password(&"x".repeat(12)).is_ok());
        assert!(password(&"x".repeat(256)).is_ok());
        assert!(password(&"x".repeat(257)).is_err());
    }
}
