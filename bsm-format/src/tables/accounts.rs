//! User and group names from passwd(5) and group(5) files, read once.
//!
//! praudit asks `getpwuid`/`getgrgid` for every id of every token; we read
//! each file once into maps both ways (praudit prints names by id,
//! auditreduce takes ids by name), so a lookup is one hash probe and never
//! touches the file system again.

use std::collections::HashMap;
use std::fs;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

/// The host's account files.
pub const HOST_PASSWD: &str = "/etc/passwd";
pub const HOST_GROUP: &str = "/etc/group";

/// Names by numeric id and ids by name, from one passwd or group file.
#[derive(Debug, Clone, Default)]
pub struct AccountNames {
    by_id: HashMap<u32, Box<str>, BuildHasherDefault<IdHasher>>,
    by_name: HashMap<Box<str>, u32>,
}

impl AccountNames {
    /// Parses passwd (`name:password:uid:...`) or group (`name:password:gid:...`)
    /// text: both keep the id in the third field. Like `getpwuid`, the first
    /// line with an id wins (and, like `getpwnam`, the first with a name);
    /// comments, NIS `+`/`-` lines and lines without a
    /// numeric id are skipped.
    pub fn parse(text: &str) -> Self {
        let mut names = AccountNames::default();
        for line in text.lines() {
            if line.starts_with(['#', '+', '-']) {
                continue;
            }
            let mut fields = line.split(':');
            let (Some(name), Some(_password), Some(id)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let Ok(id) = id.trim().parse::<u32>() else {
                continue;
            };
            if !name.is_empty() {
                names.by_id.entry(id).or_insert_with(|| name.into());
                names.by_name.entry(name.into()).or_insert(id);
            }
        }
        names
    }

    /// Reads a passwd or group file; a missing or unreadable one gives no
    /// names (every id then prints as its number, as praudit does).
    pub fn load(path: &Path) -> Self {
        match fs::read(path) {
            Ok(bytes) => AccountNames::parse(&String::from_utf8_lossy(&bytes)),
            Err(_) => AccountNames::default(),
        }
    }

    /// The name of `id`.
    pub fn name(&self, id: u32) -> Option<&str> {
        self.by_id.get(&id).map(|name| &**name)
    }

    /// The id of `name`.
    pub fn id(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }
}

/// A hasher for small integer keys: ids are not attacker-chosen keys that
/// could flood a table, so a multiply is enough and much cheaper than SipHash.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u16(&mut self, value: u16) {
        self.write_u64(u64::from(value));
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0 ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_lines_give_names_by_uid() {
        let names = AccountNames::parse(
            "# comment\nroot:x:0:0:root:/root:/bin/bash\n+nis::::::\nbad:x:notanumber:1::/:\n\
             daemon:x:1:1::/:/sbin/nologin\nroot2:x:0:0::/:/bin/sh\nshort:x\n",
        );
        assert_eq!(names.name(0), Some("root"));
        assert_eq!(names.name(1), Some("daemon"));
        assert_eq!(names.name(2), None);
        assert_eq!(names.id("root"), Some(0));
        assert_eq!(names.id("root2"), Some(0));
        assert_eq!(names.id("daemon"), Some(1));
        assert_eq!(names.id("bad"), None);
        assert_eq!(names.id("nobody"), None);
    }

    #[test]
    fn group_lines_give_names_by_gid() {
        let names = AccountNames::parse("wheel:*:0:root\nstaff:*:20:\n");
        assert_eq!(names.name(20), Some("staff"));
        assert_eq!(names.name(0), Some("wheel"));
    }

    #[test]
    fn a_missing_file_gives_no_names() {
        let names = AccountNames::load(Path::new("/nonexistent/passwd"));
        assert_eq!(names.name(0), None);
    }
}
