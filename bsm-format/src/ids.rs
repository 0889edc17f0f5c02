//! Token id bytes (`AUT_*` in OpenBSM's `audit_record.h`).

pub const FILE: u8 = 0x11;
pub const TRAILER: u8 = 0x13;
pub const HEADER32: u8 = 0x14;
pub const HEADER32_EX: u8 = 0x15;
pub const ARBITRARY: u8 = 0x21;
pub const IPC: u8 = 0x22;
pub const PATH: u8 = 0x23;
pub const SUBJECT32: u8 = 0x24;
pub const PROCESS32: u8 = 0x26;
pub const RETURN32: u8 = 0x27;
pub const TEXT: u8 = 0x28;
pub const OPAQUE: u8 = 0x29;
pub const IN_ADDR: u8 = 0x2a;
pub const IP: u8 = 0x2b;
pub const IP_PORT: u8 = 0x2c;
pub const ARG32: u8 = 0x2d;
pub const SOCKET: u8 = 0x2e;
pub const SEQUENCE: u8 = 0x2f;
pub const ATTR: u8 = 0x31;
pub const IPC_PERM: u8 = 0x32;
pub const GROUPS: u8 = 0x34;
pub const PRIVILEGE: u8 = 0x38;
pub const USE_OF_PRIVILEGE: u8 = 0x39;
pub const NEW_GROUPS: u8 = 0x3b;
pub const EXEC_ARGS: u8 = 0x3c;
pub const EXEC_ENV: u8 = 0x3d;
pub const ATTR32: u8 = 0x3e;
pub const EXIT: u8 = 0x52;
pub const ZONE: u8 = 0x60;
pub const ARG64: u8 = 0x71;
pub const RETURN64: u8 = 0x72;
pub const ATTR64: u8 = 0x73;
pub const HEADER64: u8 = 0x74;
pub const SUBJECT64: u8 = 0x75;
pub const PROCESS64: u8 = 0x77;
pub const OTHER_FILE64: u8 = 0x78;
pub const HEADER64_EX: u8 = 0x79;
pub const SUBJECT32_EX: u8 = 0x7a;
pub const PROCESS32_EX: u8 = 0x7b;
pub const SUBJECT64_EX: u8 = 0x7c;
pub const PROCESS64_EX: u8 = 0x7d;
pub const IN_ADDR_EX: u8 = 0x7e;
pub const SOCKET_EX: u8 = 0x7f;
pub const SOCK_INET32: u8 = 0x80;
pub const SOCK_INET128: u8 = 0x81;
pub const SOCK_UNIX: u8 = 0x82;
pub const RIGHTS: u8 = 0x83;
pub const ARG_UUID: u8 = 0x84;
pub const RET_UUID: u8 = 0x85;
pub const IDENTITY: u8 = 0xed;

/// True for the ids that start a record.
pub const fn is_header(id: u8) -> bool {
    matches!(id, HEADER32 | HEADER32_EX | HEADER64 | HEADER64_EX)
}

/// True for the ids of standalone file tokens, which auditd writes between records.
pub const fn is_file(id: u8) -> bool {
    matches!(id, FILE | OTHER_FILE64)
}

/// Length in bytes of a trailer token, id included.
pub const TRAILER_LEN: usize = 7;

/// The trailer's magic number.
pub const TRAILER_MAGIC: u16 = 0xb105;

/// Address-type values of the `_ex` tokens.
pub const AU_IPV4: u32 = 4;
pub const AU_IPV6: u32 = 16;

/// True for every id this crate decodes into a typed token.
pub const fn is_known(id: u8) -> bool {
    matches!(
        id,
        FILE | TRAILER
            | HEADER32
            | HEADER32_EX
            | ARBITRARY
            | IPC
            | PATH
            | SUBJECT32
            | PROCESS32
            | RETURN32
            | TEXT
            | OPAQUE
            | IN_ADDR
            | IP
            | IP_PORT
            | ARG32
            | SOCKET
            | SEQUENCE
            | ATTR
            | IPC_PERM
            | GROUPS
            | PRIVILEGE
            | USE_OF_PRIVILEGE
            | NEW_GROUPS
            | EXEC_ARGS
            | EXEC_ENV
            | ATTR32
            | EXIT
            | ZONE
            | ARG64
            | RETURN64
            | ATTR64
            | HEADER64
            | SUBJECT64
            | PROCESS64
            | OTHER_FILE64
            | HEADER64_EX
            | SUBJECT32_EX
            | PROCESS32_EX
            | SUBJECT64_EX
            | PROCESS64_EX
            | IN_ADDR_EX
            | SOCKET_EX
            | SOCK_INET32
            | SOCK_INET128
            | SOCK_UNIX
            | RIGHTS
            | ARG_UUID
            | RET_UUID
            | IDENTITY
    )
}
