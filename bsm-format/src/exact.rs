//! 64-bit values in human-readable serialisations (JSON): a number beyond
//! 2^53 - 1 is rounded by JavaScript and jq, so such values (a 64-bit -1,
//! a device number) are written as decimal strings there; smaller ones,
//! and every value in a binary format, as numbers.

use serde::{Serialize, Serializer};

/// The largest integer a JSON reader keeps exact (JavaScript's
/// `Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// For `#[serde(serialize_with)]` on a u64 field.
pub(crate) fn u64<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    Exact(*value).serialize(serializer)
}

/// A u64 serialised as the module says.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Exact(pub(crate) u64);

impl Serialize for Exact {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 > MAX_SAFE_INTEGER && serializer.is_human_readable() {
            serializer.collect_str(&self.0)
        } else {
            serializer.serialize_u64(self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Return64, Token};

    #[test]
    fn a_64_bit_minus_one_is_a_string_in_json_and_small_values_numbers() {
        let token =
            |value| serde_json::to_string(&Token::Return64(Return64 { status: 1, value })).unwrap();
        assert_eq!(
            token(u64::MAX),
            r#"{"token":"return64","status":1,"value":"18446744073709551615"}"#
        );
        assert_eq!(
            token(super::MAX_SAFE_INTEGER),
            r#"{"token":"return64","status":1,"value":9007199254740991}"#
        );
    }
}
