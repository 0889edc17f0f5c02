//! audit_control(5) value syntax: sizes (`filesz`, `expire-after`) and the
//! `expire-after` rule.
//!
//! As OpenBSM's libbsm reads them: a size is a number with an optional
//! upper-case unit `B`, `K`, `M` or `G` (powers of 1024; none means bytes);
//! an age is a number with a lower-case unit `s`, `h`, `d` or `y`; an
//! `expire-after` value is one of them, or an age and a size joined by
//! `AND` or `OR` (any case), e.g. `60d OR 5G`.

use crate::error::ValueError;
use std::str::FromStr;
use std::time::Duration;

const DAY: u64 = 24 * 60 * 60;

/// A size in bytes written as in audit_control, e.g. `2M`.
pub fn parse_size(value: &str) -> Result<u64, ValueError> {
    let fail = |problem| ValueError {
        what: "size",
        value: value.to_owned(),
        problem,
    };
    match parse_quantity(value.trim()).map_err(fail)? {
        (Quantity::Bytes(bytes), "") => Ok(bytes),
        (Quantity::Age(_), _) => Err(fail("a size takes the unit B, K, M or G")),
        (Quantity::Bytes(_), _) => Err(fail("unexpected text after the size")),
    }
}

/// How the two conditions of an `expire-after` rule combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Join {
    /// Both must hold.
    And,
    /// Either suffices.
    Or,
}

/// When closed trails expire: after an age since they were closed, when all
/// trails together exceed a size, or a combination of both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExpireAfter {
    pub age: Option<Duration>,
    pub total_size: Option<u64>,
    pub join: Join,
}

impl ExpireAfter {
    /// Whether a trail closed `age` ago expires while all trails take
    /// `total` bytes. A condition the rule lacks never holds (as in OpenBSM).
    pub fn expires(&self, age: Duration, total: u64) -> bool {
        let old = self.age.is_some_and(|limit| age > limit);
        let large = self.total_size.is_some_and(|limit| total > limit);
        match self.join {
            Join::And => old && large,
            Join::Or => old || large,
        }
    }

    fn set(&mut self, quantity: Quantity) {
        match quantity {
            Quantity::Age(age) => self.age = Some(age),
            Quantity::Bytes(bytes) => self.total_size = Some(bytes),
        }
    }
}

impl FromStr for ExpireAfter {
    type Err = ValueError;

    fn from_str(value: &str) -> Result<Self, ValueError> {
        let fail = |problem| ValueError {
            what: "expire-after",
            value: value.to_owned(),
            problem,
        };
        let (first, rest) = parse_quantity(value.trim()).map_err(fail)?;
        let mut rule = ExpireAfter {
            age: None,
            total_size: None,
            join: Join::Or,
        };
        rule.set(first);
        if rest.is_empty() {
            return Ok(rule);
        }
        let (join, rest) = split_join(rest).ok_or_else(|| fail("expected AND or OR"))?;
        let (second, rest) = parse_quantity(rest).map_err(fail)?;
        if !rest.is_empty() {
            return Err(fail("unexpected text after the second condition"));
        }
        if matches!(
            (first, second),
            (Quantity::Age(_), Quantity::Age(_)) | (Quantity::Bytes(_), Quantity::Bytes(_))
        ) {
            return Err(fail("two conditions must be one age and one size"));
        }
        rule.set(second);
        rule.join = join;
        Ok(rule)
    }
}

#[derive(Debug, Clone, Copy)]
enum Quantity {
    Age(Duration),
    Bytes(u64),
}

/// A number and its unit at the start of `text`, and the text after them.
fn parse_quantity(text: &str) -> Result<(Quantity, &str), &'static str> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err("expected a number");
    }
    let number: u64 = text[..digits].parse().map_err(|_| "number too large")?;
    let rest = &text[digits..];
    let (unit, rest) = match rest.chars().next() {
        Some(unit) if unit.is_ascii_alphabetic() => (Some(unit), &rest[1..]),
        _ => (None, rest),
    };
    let scaled = |factor: u64| number.checked_mul(factor).ok_or("number too large");
    let quantity = match unit {
        None | Some('B') => Quantity::Bytes(number),
        Some('K') => Quantity::Bytes(scaled(1 << 10)?),
        Some('M') => Quantity::Bytes(scaled(1 << 20)?),
        Some('G') => Quantity::Bytes(scaled(1 << 30)?),
        Some('s') => Quantity::Age(Duration::from_secs(number)),
        Some('h') => Quantity::Age(Duration::from_secs(scaled(60 * 60)?)),
        Some('d') => Quantity::Age(Duration::from_secs(scaled(DAY)?)),
        // A leap day every fourth year.
        Some('y') => Quantity::Age(Duration::from_secs(
            scaled(365 * DAY)?
                .checked_add(number / 4 * DAY)
                .ok_or("number too large")?,
        )),
        Some(_) => return Err("unknown unit: sizes take B, K, M or G, ages s, h, d or y"),
    };
    Ok((quantity, rest))
}

/// `AND` or `OR` (any case) between blanks, and the text after it.
fn split_join(text: &str) -> Option<(Join, &str)> {
    let text = text.trim_start();
    let word_len = text.bytes().take_while(u8::is_ascii_alphabetic).count();
    let join = match text[..word_len].to_ascii_lowercase().as_str() {
        "and" => Join::And,
        "or" => Join::Or,
        _ => return None,
    };
    Some((join, text[word_len..].trim_start()))
}
