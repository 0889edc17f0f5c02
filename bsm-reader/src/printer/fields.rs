//! The field values that the text and XML forms share: ids as names or
//! numbers, events, times, return statuses, strings. Each writes into the
//! record's output buffer as praudit's `print_*` helpers do.

use std::net::{IpAddr, Ipv4Addr};

use bsm_format::tables::errno;
use bsm_format::{Arbitrary, DataUnit, PrintFormat};

use super::PrintOptions;
use super::context::PrintContext;
use super::escape::push_escaped;
use super::scalars::{
    push_hex, push_hex_byte, push_ip, push_ipv4, push_memory, push_octal, push_signed,
    push_unsigned,
};
use super::time::Clock;

/// One output buffer with what it takes to fill it.
pub(super) struct Fields<'a> {
    pub(super) buf: &'a mut Vec<u8>,
    pub(super) options: &'a PrintOptions,
    pub(super) context: &'a PrintContext,
    pub(super) clock: &'a mut Clock,
    /// Strings are XML-escaped (and names too, as they come from files).
    pub(super) xml: bool,
}

impl Fields<'_> {
    pub(super) fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub(super) fn delimiter(&mut self) {
        self.buf
            .extend_from_slice(self.options.delimiter.as_bytes());
    }

    pub(super) fn unsigned(&mut self, value: impl Into<u64>) {
        push_unsigned(self.buf, value.into());
    }

    pub(super) fn signed(&mut self, value: i64) {
        push_signed(self.buf, value);
    }

    pub(super) fn ipv4(&mut self, addr: Ipv4Addr) {
        push_ipv4(self.buf, addr);
    }

    pub(super) fn ip(&mut self, addr: IpAddr) {
        push_ip(self.buf, addr);
    }

    /// Names and descriptions from tables and account files.
    fn name(&mut self, name: &str) {
        if self.xml {
            push_escaped(self.buf, name.as_bytes(), false, false);
        } else {
            self.buf.extend_from_slice(name.as_bytes());
        }
    }

    /// A string field of a token, as written: NUL bytes pass through in
    /// text (as praudit's `%c` writes them) and are replaced in XML.
    pub(super) fn string(&mut self, bytes: &[u8]) {
        if self.xml {
            push_escaped(self.buf, bytes, false, false);
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// A string OpenBSM writes through its XML escaper (exec args and env):
    /// `'` as `&apos;` too, as there.
    pub(super) fn escaped_string(&mut self, bytes: &[u8]) {
        if self.xml {
            push_escaped(self.buf, bytes, false, true);
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// A counted string field (path, text, argument text, …): praudit's
    /// `print_string` prints every byte of the field except NULs, so text
    /// after an embedded NUL still shows.
    pub(super) fn counted_text(&mut self, raw: &[u8]) {
        if self.xml {
            push_escaped(self.buf, raw, true, false);
        } else {
            for piece in raw.split(|&byte| byte == 0) {
                self.buf.extend_from_slice(piece);
            }
        }
    }

    /// The token's praudit name, or its id under `-r`.
    #[inline(always)]
    pub(super) fn kind(&mut self, id: u8, name: &str) {
        if self.options.raw {
            self.unsigned(id);
        } else {
            self.push(name.as_bytes());
        }
    }

    /// A user id: its name, or under `-n`/`-r` (or with no name) the id
    /// as a signed number, as praudit's `%d`.
    pub(super) fn user(&mut self, uid: u32) {
        let context = self.context;
        let name = if self.numeric_ids() {
            None
        } else {
            context.user_name(uid)
        };
        match name {
            Some(name) => self.name(name),
            // The cast reinterprets the id as praudit's `%d` does.
            None => self.signed(i64::from(uid as i32)),
        }
    }

    pub(super) fn group(&mut self, gid: u32) {
        let context = self.context;
        let name = if self.numeric_ids() {
            None
        } else {
            context.group_name(gid)
        };
        match name {
            Some(name) => self.name(name),
            None => self.signed(i64::from(gid as i32)),
        }
    }

    fn numeric_ids(&self) -> bool {
        self.options.numeric || self.options.raw
    }

    /// The event's description, its `AUE_` name under `-s`, or its number
    /// under `-r` or when the table lacks it.
    pub(super) fn event(&mut self, number: u16) {
        let context = self.context;
        match context.event(number).filter(|_| !self.options.raw) {
            Some(event) if self.options.short => self.name(&event.name),
            Some(event) => self.name(&event.description),
            None => self.unsigned(number),
        }
    }

    /// Seconds since the epoch: ctime text, or the number under `-r`.
    pub(super) fn seconds(&mut self, seconds: u64) {
        if self.options.raw {
            self.unsigned(seconds);
        } else {
            self.clock.push_ctime(self.buf, seconds);
        }
    }

    /// ` + 123 msec`, or the number under `-r`.
    pub(super) fn milliseconds(&mut self, milliseconds: u64) {
        if self.options.raw {
            self.unsigned(milliseconds);
        } else {
            self.push(b" + ");
            self.unsigned(milliseconds);
            self.push(b" msec");
        }
    }

    /// A return token's status: `success`, `failure : <strerror text>` for a
    /// BSM errno the host (Linux) has, else `failure: Unknown error: N` (what
    /// praudit prints when `au_bsm_to_errno` fails); the number under `-r`.
    pub(super) fn return_status(&mut self, status: u8) {
        if self.options.raw {
            self.unsigned(status);
            return;
        }
        match errno::by_bsm(status).filter(|known| known.linux.is_some()) {
            Some(known) if known.bsm == 0 => self.push(b"success"),
            Some(known) => {
                self.push(b"failure : ");
                self.push(known.description.as_bytes());
            }
            None => {
                self.push(b"failure: Unknown error: ");
                self.unsigned(status);
            }
        }
    }

    /// An IPC token's object type, by name unless `-r`.
    pub(super) fn ipc_type(&mut self, ipc_type: u8) {
        let name: Option<&[u8]> = match ipc_type {
            _ if self.options.raw => None,
            1 => Some(b"Message IPC"),
            2 => Some(b"Semaphore IPC"),
            3 => Some(b"Shared Memory IPC"),
            _ => None,
        };
        match name {
            Some(name) => self.push(name),
            None => self.unsigned(ipc_type),
        }
    }

    /// The items of an arbitrary-data token, each behind a space (a string
    /// is one run of characters). Deviation 2 of bsm-format.md: items are
    /// read big-endian at full width, where praudit reads host order and
    /// cuts int64 to 32 bits; so `binary` (praudit's ` %c`) shows every
    /// byte of an item and `string` every byte of the data, and `decimal`
    /// reads int32 and int64 items as signed (praudit's `%d`).
    pub(super) fn arbitrary_items(&mut self, data: &Arbitrary<'_>) {
        let bytes = data.data.as_slice();
        match data.format {
            PrintFormat::Binary => {
                for item in bytes.chunks_exact(data.unit.size()) {
                    self.push(b" ");
                    self.string(item);
                }
            }
            PrintFormat::String => self.string(bytes),
            PrintFormat::Octal => data.values().for_each(|value| {
                self.push(b" ");
                push_octal(self.buf, value);
            }),
            PrintFormat::Hex => data.values().for_each(|value| {
                self.push(b" ");
                push_hex(self.buf, value);
            }),
            PrintFormat::Decimal => data.values().for_each(|value| {
                self.push(b" ");
                match data.unit {
                    // The casts reinterpret the item's bits as two's complement.
                    DataUnit::Int32 => self.signed(i64::from(value as u32 as i32)),
                    DataUnit::Int64 => self.signed(value as i64),
                    DataUnit::Byte | DataUnit::Short => self.unsigned(value),
                }
            }),
            // praudit prints nothing for a format it does not know; we show the bytes.
            PrintFormat::Other(_) => push_memory(self.buf, bytes),
        }
    }

    /// The use-of-privilege token's outcome.
    pub(super) fn privilege_outcome(&mut self, success: u8) {
        self.push(if success != 0 {
            b"successful use of priv"
        } else {
            b"failed use of priv"
        });
    }
}

/// The names praudit gives an arbitrary-data token's print format and unit.
pub(super) fn print_format_name(format: PrintFormat) -> Option<&'static str> {
    match format {
        PrintFormat::Binary => Some("binary"),
        PrintFormat::Octal => Some("octal"),
        PrintFormat::Decimal => Some("decimal"),
        PrintFormat::Hex => Some("hex"),
        PrintFormat::String => Some("string"),
        PrintFormat::Other(_) => None,
    }
}

pub(super) fn data_unit_name(unit: DataUnit) -> &'static str {
    match unit {
        DataUnit::Byte => "byte",
        DataUnit::Short => "short",
        DataUnit::Int32 => "int",
        DataUnit::Int64 => "int64",
    }
}

/// The attribute fields that every attribute form has.
#[derive(Clone, Copy)]
pub(super) struct Attribute {
    pub(super) mode: u32,
    pub(super) uid: u32,
    pub(super) gid: u32,
    pub(super) fsid: u32,
    pub(super) node_id: u64,
}

impl Attribute {
    pub(super) fn new(mode: u32, uid: u32, gid: u32, fsid: u32, node_id: u64) -> Self {
        Attribute {
            mode,
            uid,
            gid,
            fsid,
            node_id,
        }
    }
}

/// An IP header field: praudit shows the one-byte fields as `0x%02x`.
#[derive(Clone, Copy)]
pub(super) enum IpField {
    Byte(u8),
    Number(u16),
}

impl IpField {
    pub(super) fn write(self, s: &mut Fields<'_>) {
        match self {
            IpField::Byte(byte) => {
                s.push(b"0x");
                push_hex_byte(s.buf, byte);
            }
            IpField::Number(number) => s.unsigned(number),
        }
    }
}
