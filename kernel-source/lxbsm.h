/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * lxbsm.h - the user-space interface of lxbsm.ko: the /dev/lxbsm ioctls.
 *
 * Include it from C (or mirror it in Rust: every struct below has only
 * naturally aligned fixed-width fields and no padding).
 *
 * read() on /dev/lxbsm returns one or more whole BSM records (header32 ...
 * trailer, big-endian); a buffer of LXBSM_MAX_RECORD bytes always takes at
 * least one record; a smaller one that cannot take the next record gets
 * EMSGSIZE.  poll() reports POLLIN while records are queued.
 *
 * One open file at a time has read access, the reader; a second open for
 * reading fails with EBUSY.  The process that opened the reader is not
 * audited until that file is closed; any other holder of the device is.
 *
 * Who may do what: opening for reading needs CAP_AUDIT_READ; opening
 * write-only, any of CAP_AUDIT_READ, CAP_AUDIT_WRITE, CAP_AUDIT_CONTROL
 * (the file mode, 0600 root, comes first).  The ioctls that only read
 * (GET_*) answer any holder; those that change anything need
 * CAP_AUDIT_CONTROL (EPERM).
 *
 * write() of one whole BSM record (at most LXBSM_MAX_APP_RECORD bytes),
 * from a file opened with CAP_AUDIT_WRITE (EPERM otherwise), puts it in
 * the stream as it is (BSD's audit(2)), whatever the masks say: header
 * size = the write's length, tokens that can be framed, a trailer with the
 * same size last; anything else fails with EINVAL and changes nothing.
 */
#ifndef _UAPI_LXBSM_H
#define _UAPI_LXBSM_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define LXBSM_DEVICE		"/dev/lxbsm"
#define LXBSM_MAX_RECORD	65536
#define LXBSM_MAX_APP_RECORD	32768

/* Audit classes: the masks of OpenBSM's audit_class file. */
#define LXBSM_AC_FR	0x00000001u	/* file read */
#define LXBSM_AC_FW	0x00000002u	/* file write */
#define LXBSM_AC_FA	0x00000004u	/* file attribute access */
#define LXBSM_AC_FM	0x00000008u	/* file attribute modify */
#define LXBSM_AC_FC	0x00000010u	/* file create */
#define LXBSM_AC_FD	0x00000020u	/* file delete */
#define LXBSM_AC_CL	0x00000040u	/* file close */
#define LXBSM_AC_PC	0x00000080u	/* process */
#define LXBSM_AC_NT	0x00000100u	/* network */
#define LXBSM_AC_IP	0x00000200u	/* ipc */
#define LXBSM_AC_NA	0x00000400u	/* non attributable */
#define LXBSM_AC_AD	0x00000800u	/* administrative */
#define LXBSM_AC_LO	0x00001000u	/* login_logout */
#define LXBSM_AC_AA	0x00002000u	/* authentication and authorization */
#define LXBSM_AC_AP	0x00004000u	/* application */
#define LXBSM_AC_IO	0x20000000u	/* ioctl */
#define LXBSM_AC_EX	0x40000000u	/* exec */
#define LXBSM_AC_OT	0x80000000u	/* miscellaneous */

/* The masks at load: lo,ex,fc,fd,fr,fw,fm,cl,nt,pc,ad for success and failure. */
#define LXBSM_DEFAULT_MASK	(LXBSM_AC_LO | LXBSM_AC_EX | LXBSM_AC_FC | \
				 LXBSM_AC_FD | LXBSM_AC_FR | LXBSM_AC_FW | \
				 LXBSM_AC_FM | LXBSM_AC_CL | LXBSM_AC_NT | \
				 LXBSM_AC_PC | LXBSM_AC_AD)

/* Policy bits (LXBSM_IOC_GET_POLICY / LXBSM_IOC_SET_POLICY). */
/* full queue: the audited task waits (default: the record is dropped and counted) */
#define LXBSM_POLICY_BLOCK	0x1u
#define LXBSM_POLICY_ARGE	0x2u	/* exec records carry exec env */
/*
 * io_uring allowed to audited tasks, although its operations are not
 * recorded (default: a task for which an event that an io_uring operation
 * stands for is selected gets EPERM from io_uring_setup, _enter and
 * _register, and each denial is recorded as LXBSM_URING_EVENT).
 */
#define LXBSM_POLICY_URING	0x4u

/*
 * A gap is reported in the trail: the first record queued after records
 * were dropped is preceded by a record of event LXBSM_LOSS_EVENT
 * (AUE_audit_recovery) with a text token "lxbsm: N records lost" and a
 * return token whose value is N.
 */
#define LXBSM_LOSS_EVENT	45029

/*
 * An io_uring system call denied to an audited task: a text token naming
 * the call, a return token with EPERM.  No audit_event file has an event
 * for io_uring: this number is lxbsm's own (after the kernel events).
 */
#define LXBSM_URING_EVENT	43500

/*
 * Data from a remote address on the block list, denied (LXBSM_IOC_ADD_BLOCK).
 * A recvmsg, recvfrom, recv, read or readv on a connected inet socket whose
 * peer matches a rule fails with EACCES and is recorded as the event of
 * the call (AUE_RECVMSG, AUE_RECVFROM, AUE_READ, AUE_READV); a datagram
 * from a blocked source to an unconnected UDP socket is dropped and
 * recorded as LXBSM_BLOCK_DGRAM_EVENT.  Both whatever the masks say, with
 * a socket_ex token holding both ends, a text token "lxbsm: blocked by
 * rule ID: NET/PREFIX[ port PORT]" and a return token with EACCES.
 * No audit_event file has an event for a dropped datagram: this number is
 * lxbsm's own, after LXBSM_URING_EVENT.
 */
#define LXBSM_BLOCK_DGRAM_EVENT	43501

struct lxbsm_stats {
	__u64 records;		/* records queued since load, loss notices included */
	__u64 bytes;		/* bytes queued since load */
	__u64 drops;		/* records dropped (queue full, no memory) */
	__u64 loss_notices;	/* loss-notice records queued */
	__u64 pending_lost;	/* drops not yet reported by a loss notice */
	__u64 queue_records;	/* records waiting to be read */
	__u64 queue_bytes;	/* bytes waiting to be read */
	__u64 queue_limit;	/* bytes the queue may hold */
	__u64 read_records;	/* records returned by read() */
	__u64 read_bytes;	/* bytes returned by read() */
	__u64 blocked;		/* times an audited task waited (block policy) */
	__u64 buffer_size;	/* size of the ring in bytes (upper bound of the limit) */
};

/* Preselection masks, as audit_control's flags (success) and naflags-like failure. */
struct lxbsm_mask {
	__u32 success;
	__u32 failure;
};

/*
 * A per-auid override, as an audit_user line: the mask of a task whose
 * auid is @auid is (global | always) & ~never, success and failure apart.
 * Setting an entry with all four masks zero removes it.
 */
struct lxbsm_auid_mask {
	__u32 auid;
	__u32 always_success;
	__u32 always_failure;
	__u32 never_success;
	__u32 never_failure;
};

#define LXBSM_MAX_AUID_MASKS	64

/*
 * Tracing one process (LXBSM_IOC_TRACE): its records of the events of
 * @classes, and with LXBSM_TRACE_IO its open, creat, close, read, write
 * and lseek calls (whose classes are "no" in audit_event), on success and
 * failure, whatever the masks say for others; with LXBSM_TRACE_CHILDREN
 * its descendants' too (found by parentage at each call: a process
 * reparented to init when its parent exits is no longer one).  A trace
 * with no flags and no classes ends @pid's trace, or with @pid 0 every
 * trace.  The process is the one that has @pid now: a later one given
 * the same pid is not traced.
 */
#define LXBSM_TRACE_CHILDREN	0x1u
#define LXBSM_TRACE_IO		0x2u
#define LXBSM_MAX_TRACES	16

struct lxbsm_trace {
	__u32 pid;
	__u32 flags;
	__u32 classes;
	__u32 reserved;	/* 0 */
};

/* The class mask of one event, as an audit_event line. */
struct lxbsm_event_class {
	__u32 event;	/* BSM event number */
	__u32 classes;	/* class mask */
};

/*
 * A block rule: peers in family/prefix (the address's bits past the prefix
 * zero), on port @port (host order; 0: any port).  The longest matching
 * prefix decides, and at one length a rule with the peer's port before one
 * for any port.  @id is the caller's name for the rule, in the records;
 * @denials (out) counts the calls and datagrams it denied.
 */
struct lxbsm_block_rule {
	__u32 family;		/* AF_INET (2) or AF_INET6 (10) */
	__u32 prefix;		/* 0..32 or 0..128 */
	__u8 addr[16];		/* network order; IPv4 in the first 4 bytes */
	__u32 port;		/* 0..65535, 0: any */
	__u32 id;
	__u64 denials;
};

#define LXBSM_MAX_BLOCK_RULES	16384

/*
 * LXBSM_IOC_GET_BLOCK: in, @count rules fit at @rules; out, @count were
 * written and @total rules exist (more than @count: ask again).
 */
struct lxbsm_block_list {
	__u32 count;
	__u32 total;
	__u64 rules;		/* user pointer to struct lxbsm_block_rule[] */
};

#define LXBSM_IOC_MAGIC		0xb5

#define LXBSM_IOC_GET_STATS	_IOR(LXBSM_IOC_MAGIC, 1, struct lxbsm_stats)
#define LXBSM_IOC_GET_QLEN	_IOR(LXBSM_IOC_MAGIC, 2, __u64)	/* queued records */
#define LXBSM_IOC_GET_QLIMIT	_IOR(LXBSM_IOC_MAGIC, 3, __u64)	/* bytes */
#define LXBSM_IOC_SET_QLIMIT	_IOW(LXBSM_IOC_MAGIC, 4, __u64)	/* bytes */
#define LXBSM_IOC_GET_MASK	_IOR(LXBSM_IOC_MAGIC, 5, struct lxbsm_mask)
#define LXBSM_IOC_SET_MASK	_IOW(LXBSM_IOC_MAGIC, 6, struct lxbsm_mask)
#define LXBSM_IOC_SET_AUID_MASK	_IOW(LXBSM_IOC_MAGIC, 7, struct lxbsm_auid_mask)
#define LXBSM_IOC_CLEAR_AUID_MASKS _IO(LXBSM_IOC_MAGIC, 8)
#define LXBSM_IOC_GET_POLICY	_IOR(LXBSM_IOC_MAGIC, 9, __u32)
#define LXBSM_IOC_SET_POLICY	_IOW(LXBSM_IOC_MAGIC, 10, __u32)
#define LXBSM_IOC_GET_EVENT_CLASS _IOWR(LXBSM_IOC_MAGIC, 11, struct lxbsm_event_class)
#define LXBSM_IOC_SET_EVENT_CLASS _IOW(LXBSM_IOC_MAGIC, 12, struct lxbsm_event_class)
/* EEXIST: the same network and port has a rule; EINVAL; ENOSPC: too many */
#define LXBSM_IOC_ADD_BLOCK	_IOW(LXBSM_IOC_MAGIC, 13, struct lxbsm_block_rule)
/* by family, prefix, addr and port; ENOENT: no such rule */
#define LXBSM_IOC_DEL_BLOCK	_IOW(LXBSM_IOC_MAGIC, 14, struct lxbsm_block_rule)
#define LXBSM_IOC_CLEAR_BLOCK	_IO(LXBSM_IOC_MAGIC, 15)
#define LXBSM_IOC_GET_BLOCK	_IOWR(LXBSM_IOC_MAGIC, 16, struct lxbsm_block_list)
/* EPERM without CAP_AUDIT_CONTROL, ESRCH: no such process, ENOSPC: too many */
#define LXBSM_IOC_TRACE		_IOW(LXBSM_IOC_MAGIC, 17, struct lxbsm_trace)

#endif /* _UAPI_LXBSM_H */
