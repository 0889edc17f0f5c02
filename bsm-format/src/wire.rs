//! Fields read in place from a token's bytes (id byte first), for the
//! fields that every form of a token family keeps at the same offset: the
//! selector reads them without decoding the token, and the fixed-layout
//! decoder (`decode::fixed`) reads them at the same offsets.

use crate::bytes_view::Text;
use crate::token::ProcessIds;

/// Subject and process tokens, every form: auid, euid, egid, ruid, rgid,
/// pid, sid (u32 each) right after the id byte.
pub const PROCESS_IDS_AT: usize = 1;
/// Their length.
pub const PROCESS_IDS_LEN: usize = 7 * 4;

/// The seven ids of a subject or process token of any form.
pub fn process_ids(token: &[u8]) -> Option<ProcessIds> {
    let ids = token
        .get(PROCESS_IDS_AT..)?
        .first_chunk::<PROCESS_IDS_LEN>()?;
    let id =
        |n: usize| u32::from_be_bytes([ids[4 * n], ids[4 * n + 1], ids[4 * n + 2], ids[4 * n + 3]]);
    Some(ProcessIds {
        auid: id(0),
        euid: id(1),
        egid: id(2),
        ruid: id(3),
        rgid: id(4),
        pid: id(5),
        sid: id(6),
    })
}

/// The status of a return token of either width: 0 is success.
pub fn return_status(token: &[u8]) -> Option<u8> {
    token.get(1).copied()
}

/// An IPC token's object type and id.
pub fn ipc_object(token: &[u8]) -> Option<(u8, u32)> {
    let &[_, kind, a, b, c, d, ..] = token else {
        return None;
    };
    Some((kind, u32::from_be_bytes([a, b, c, d])))
}

/// Where a counted string starts in a path, text or zone token: its u16
/// length right after the id byte.
pub const COUNTED_TEXT_AT: usize = 1;

/// The counted string of a path, text or zone token (empty if the token is
/// cut short).
pub fn counted_text(token: &[u8]) -> Text<'_> {
    let len = token
        .get(COUNTED_TEXT_AT..COUNTED_TEXT_AT + 2)
        .map_or(0, |len| usize::from(u16::from_be_bytes([len[0], len[1]])));
    let start = COUNTED_TEXT_AT + 2;
    Text::from_raw(token.get(start..start + len).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids;

    #[test]
    fn the_ids_of_a_subject32_ex_are_read_in_place() {
        // subject32_ex: id, auid 1000, euid 0, egid 0, ruid 1000, rgid 1000,
        // pid 4242, sid 7, then a terminal this reader does not look at
        let mut token = vec![ids::SUBJECT32_EX];
        for id in [1000u32, 0, 0, 1000, 1000, 4242, 7] {
            token.extend_from_slice(&id.to_be_bytes());
        }
        token.extend_from_slice(&[0; 12]);
        let read = process_ids(&token).map(|ids| (ids.auid, ids.ruid, ids.pid, ids.sid));
        assert_eq!(read, Some((1000, 1000, 4242, 7)));
        assert_eq!(process_ids(&token[..28]), None, "cut short");
    }

    #[test]
    fn a_paths_text_stops_at_its_length_and_its_nul() {
        let token = [ids::PATH, 0, 5, b'/', b'e', b't', b'c', 0, b'x'];
        assert_eq!(counted_text(&token).bytes(), b"/etc");
        assert_eq!(counted_text(&token[..2]).bytes(), b"");
        assert_eq!(ipc_object(&[ids::IPC, 2, 0, 0, 1, 0]), Some((2, 256)));
        assert_eq!(return_status(&[ids::RETURN32, 13, 0, 0, 0, 0]), Some(13));
    }
}
