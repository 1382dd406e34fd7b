//! The built-in card simulator: three test card numbers and what they do.

/// The outcome of charging a card: `Ok(())` succeeds, `Err(code)` fails with a
/// `failure_code`.
pub type Outcome = Result<(), &'static str>;

pub const SUCCEEDS: &str = "4242424242424242";
pub const DECLINED: &str = "4000000000000002";
pub const INSUFFICIENT_FUNDS: &str = "4000000000009995";

/// What is kept of a card number: `************4242`. The full number is never stored,
/// logged or returned (SPEC §12).
pub fn mask(card: &str) -> String {
    let digits: Vec<char> = card.chars().collect();
    let keep = digits.len().min(4);
    let last4: String = digits[digits.len() - keep..].iter().collect();
    format!("{}{last4}", "*".repeat(digits.len() - keep))
}

/// None when the number is not one of the test cards.
pub fn charge(card: &str) -> Option<Outcome> {
    match card {
        SUCCEEDS => Some(Ok(())),
        DECLINED => Some(Err("card_declined")),
        INSUFFICIENT_FUNDS => Some(Err("insufficient_funds")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_test_cards() {
        assert_eq!(charge(SUCCEEDS), Some(Ok(())));
        assert_eq!(charge(DECLINED), Some(Err("card_declined")));
        assert_eq!(charge(INSUFFICIENT_FUNDS), Some(Err("insufficient_funds")));
        assert_eq!(charge("4111111111111111"), None);
    }
}
