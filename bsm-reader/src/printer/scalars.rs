//! Numbers and addresses written straight into a byte buffer, the way
//! OpenBSM's `printf` formats and glibc's `inet_ntop` write them, without the
//! `fmt` machinery or an allocation per value.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// `%u`.
#[inline]
pub(super) fn push_unsigned(buf: &mut Vec<u8>, value: u64) {
    if value < 10 {
        // Below 10, so the cast cannot truncate.
        buf.push(b'0' + value as u8);
        return;
    }
    // Two digits at a time from the right end of a stack buffer, as itoa.
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = value;
    while rest >= 100 {
        let pair = (rest % 100) as usize * 2;
        rest /= 100;
        start -= 2;
        digits[start] = DIGIT_PAIRS[pair];
        digits[start + 1] = DIGIT_PAIRS[pair + 1];
    }
    if rest >= 10 {
        let pair = rest as usize * 2;
        start -= 2;
        digits[start] = DIGIT_PAIRS[pair];
        digits[start + 1] = DIGIT_PAIRS[pair + 1];
    } else {
        start -= 1;
        digits[start] = b'0' + rest as u8;
    }
    buf.extend_from_slice(&digits[start..]);
}

/// "00", "01", … "99".
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// `%d` / `%lld`.
#[inline]
pub(super) fn push_signed(buf: &mut Vec<u8>, value: i64) {
    if value < 0 {
        buf.push(b'-');
    }
    push_unsigned(buf, value.unsigned_abs());
}

/// `%x` (`bits_per_digit` 4) or `%o` (3): no prefix, no padding.
fn push_power_of_two_radix(buf: &mut Vec<u8>, mut value: u64, bits_per_digit: u32) {
    let mask = (1u64 << bits_per_digit) - 1;
    let start = buf.len();
    loop {
        buf.push(HEX_DIGITS[(value & mask) as usize]);
        value >>= bits_per_digit;
        if value == 0 {
            break;
        }
    }
    buf[start..].reverse();
}

/// `%x`.
pub(super) fn push_hex(buf: &mut Vec<u8>, value: u64) {
    push_power_of_two_radix(buf, value, 4);
}

/// `%o`.
pub(super) fn push_octal(buf: &mut Vec<u8>, value: u64) {
    push_power_of_two_radix(buf, value, 3);
}

/// `0x%x`.
pub(super) fn push_prefixed_hex(buf: &mut Vec<u8>, value: u64) {
    buf.extend_from_slice(b"0x");
    push_hex(buf, value);
}

/// `%#x`: C leaves zero without the `0x` prefix.
pub(super) fn push_alternate_hex(buf: &mut Vec<u8>, value: u64) {
    if value == 0 {
        buf.push(b'0');
    } else {
        push_prefixed_hex(buf, value);
    }
}

/// `%016llx` behind `0x`: a fixed-width bit mask.
pub(super) fn push_hex_word(buf: &mut Vec<u8>, value: u64) {
    buf.extend_from_slice(b"0x");
    for shift in (0..16).rev() {
        buf.push(HEX_DIGITS[((value >> (shift * 4)) & 0xf) as usize]);
    }
}

/// `%02x`.
#[inline]
pub(super) fn push_hex_byte(buf: &mut Vec<u8>, byte: u8) {
    buf.push(HEX_DIGITS[usize::from(byte >> 4)]);
    buf.push(HEX_DIGITS[usize::from(byte & 0xf)]);
}

/// libbsm's `print_mem`: `0x` and two hex digits a byte; nothing at all for no bytes.
pub(super) fn push_memory(buf: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    buf.extend_from_slice(b"0x");
    for &byte in bytes {
        push_hex_byte(buf, byte);
    }
}

/// A UUID in its 8-4-4-4-12 form, bytes in wire order.
pub(super) fn push_uuid(buf: &mut Vec<u8>, uuid: &[u8; 16]) {
    for (index, &byte) in uuid.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            buf.push(b'-');
        }
        push_hex_byte(buf, byte);
    }
}

/// Dotted quad, as `inet_ntoa`.
pub(super) fn push_ipv4(buf: &mut Vec<u8>, addr: Ipv4Addr) {
    for (index, octet) in addr.octets().into_iter().enumerate() {
        if index > 0 {
            buf.push(b'.');
        }
        push_octet(buf, octet);
    }
}

/// `%u` of one byte, without the general loop: addresses are four of these.
#[inline]
fn push_octet(buf: &mut Vec<u8>, octet: u8) {
    if octet >= 100 {
        buf.push(b'0' + octet / 100);
    }
    if octet >= 10 {
        buf.push(b'0' + octet / 10 % 10);
    }
    buf.push(b'0' + octet % 10);
}

/// As glibc's `inet_ntop(AF_INET6)`: the longest run of two or more zero
/// groups (the first of equals) becomes `::`, and an address whose first 96
/// bits are zero, or that is IPv4-mapped, ends in a dotted quad. (Rust's own
/// `Display` differs for the `::a.b.c.d` form.)
pub(super) fn push_ipv6(buf: &mut Vec<u8>, addr: Ipv6Addr) {
    let groups = addr.segments();
    let (run_start, run_len) = longest_zero_run(&groups);
    let embeds_ipv4 =
        run_start == Some(0) && (run_len == 6 || (run_len == 5 && groups[5] == 0xffff));
    let mut index = 0;
    while index < groups.len() {
        if Some(index) == run_start {
            buf.extend_from_slice(if index == 0 { b"::" } else { b":" });
            index += run_len;
            continue;
        }
        if embeds_ipv4 && index == 6 {
            let octets = addr.octets();
            push_ipv4(
                buf,
                Ipv4Addr::new(octets[12], octets[13], octets[14], octets[15]),
            );
            return;
        }
        push_hex(buf, u64::from(groups[index]));
        if index + 1 < groups.len() {
            buf.push(b':');
        }
        index += 1;
    }
}

/// Where the first longest run of at least two zero groups starts, and its length.
fn longest_zero_run(groups: &[u16; 8]) -> (Option<usize>, usize) {
    let (mut best_start, mut best_len) = (None, 0);
    let mut index = 0;
    while index < groups.len() {
        if groups[index] != 0 {
            index += 1;
            continue;
        }
        let start = index;
        while index < groups.len() && groups[index] == 0 {
            index += 1;
        }
        let len = index - start;
        if len >= 2 && len > best_len {
            best_start = Some(start);
            best_len = len;
        }
    }
    (best_start, best_len)
}

pub(super) fn push_ip(buf: &mut Vec<u8>, addr: IpAddr) {
    match addr {
        IpAddr::V4(v4) => push_ipv4(buf, v4),
        IpAddr::V6(v6) => push_ipv6(buf, v6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(write: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut buf = Vec::new();
        write(&mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }

    #[test]
    fn integers_as_printf() {
        assert_eq!(text(|b| push_unsigned(b, 0)), "0");
        assert_eq!(text(|b| push_unsigned(b, u64::MAX)), "18446744073709551615");
        assert_eq!(text(|b| push_signed(b, i64::MIN)), "-9223372036854775808");
        assert_eq!(text(|b| push_signed(b, -1)), "-1");
        assert_eq!(text(|b| push_hex(b, 0xabcdef00)), "abcdef00");
        assert_eq!(text(|b| push_octal(b, 0o100644)), "100644");
        assert_eq!(text(|b| push_octal(b, u64::MAX)), "1777777777777777777777");
        assert_eq!(text(|b| push_alternate_hex(b, 0)), "0");
        assert_eq!(text(|b| push_alternate_hex(b, 0x5000)), "0x5000");
        assert_eq!(text(|b| push_hex_word(b, 0x200)), "0x0000000000000200");
        assert_eq!(text(|b| push_memory(b, &[0xaa, 0x0b])), "0xaa0b");
        assert_eq!(text(|b| push_memory(b, &[])), "");
    }

    #[test]
    fn ipv6_as_glibc_inet_ntop() {
        let cases = [
            ("::", "::"),
            ("::1", "::1"),
            ("fe80::1", "fe80::1"),
            ("2001:db8::42", "2001:db8::42"),
            ("1:0:2:0:0:3:0:0", "1:0:2::3:0:0"),
            ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
            ("1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8"),
            ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
            ("::10.0.0.1", "::10.0.0.1"),
            ("::1:2", "::0.1.0.2"),
            ("2001:db8::", "2001:db8::"),
        ];
        for (input, expected) in cases {
            let addr: Ipv6Addr = input.parse().unwrap_or(Ipv6Addr::UNSPECIFIED);
            assert_eq!(text(|b| push_ipv6(b, addr)), expected, "{input}");
        }
    }
}
