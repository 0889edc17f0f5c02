// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_apprec.c - records from applications (BSD's audit(2)): a whole
 * BSM record written to /dev/lxbsm by a process that opened it with
 * CAP_AUDIT_WRITE joins the stream as it is, if it can be framed.
 *
 * One write, one record.  Checked: a header token (header32, header32_ex,
 * header64, header64_ex) whose size is the write's length, then tokens
 * whose lengths follow from their layouts (kernel-source/README.md lists
 * the ids known here; any other cannot be framed), each whole within the
 * record, and as the last one a trailer with its magic and the same size.
 * What the tokens say is the writer's: the module does not vouch for it.
 */
#include <linux/kernel.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/moduleparam.h>
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif
#include "lxbsm_int.h"

static unsigned long app_records;
module_param_named(app_records, app_records, ulong, 0444);
MODULE_PARM_DESC(app_records, "read-only: records from applications accepted");
static unsigned long app_refused;
module_param_named(app_refused, app_refused, ulong, 0444);
MODULE_PARM_DESC(app_refused, "read-only: writes of records refused (EINVAL)");

static u32 be16_at(const u8 *p, u32 off)
{
	return get_unaligned_be16(p + off);
}

static u32 be32_at(const u8 *p, u32 off)
{
	return get_unaligned_be32(p + off);
}

static bool addr_type_ok(u32 type)
{
	return type == AU_IPV4 || type == AU_IPV6;
}

/* Bytes of n strings, each up to its NUL, from p (at most room bytes). */
static u32 strings_len(const u8 *p, u32 room, u32 n)
{
	u32 off = 0;
	const u8 *nul;

	while (n--) {
		nul = off < room ? memchr(p + off, 0, room - off) : NULL;
		if (!nul)
			return 0;
		off = nul - p + 1;
	}
	return off;
}

/*
 * The length of the token at p, of which n bytes are in the record; 0 if
 * it cannot be framed (an unknown id, a bad address type, too short).
 * The caller checks that the length fits in n.
 */
static u32 token_len(const u8 *p, u32 n)
{
	static const u8 unit_size[] = { 1, 2, 4, 8 };
	u32 a, b;

/* the first len bytes of the token (what its length is read from) are in */
#define HAVE(len) do { if ((len) > n) return 0; } while (0)
	switch (p[0]) {
	case AUT_TRAILER:
		return 7;
	case AUT_HEADER32:
		return 18;
	case 0x74:		/* header64 */
		return 26;
	case 0x15:		/* header32_ex */
	case 0x79:		/* header64_ex */
		HAVE(14);
		a = be32_at(p, 10);
		if (!addr_type_ok(a))
			return 0;
		return (p[0] == 0x15 ? 22 : 30) + a;
	case 0x21:		/* arbitrary: how, unit, count, data */
		HAVE(4);
		if (p[2] >= ARRAY_SIZE(unit_size))
			return 0;
		return 4 + p[3] * unit_size[p[2]];
	case 0x22:		/* ipc */
		return 6;
	case AUT_PATH:
	case AUT_TEXT:
	case 0x29:		/* opaque */
	case 0x60:		/* zone */
		HAVE(3);
		return 3 + be16_at(p, 1);
	case 0x24:		/* subject32, process32 */
	case 0x26:
		return 37;
	case 0x75:		/* subject64, process64 */
	case 0x77:
		return 41;
	case AUT_SUBJECT32_EX:
	case AUT_PROCESS32_EX:
		HAVE(37);
		a = be32_at(p, 33);
		return addr_type_ok(a) ? 37 + a : 0;
	case 0x7c:		/* subject64_ex, process64_ex */
	case 0x7d:
		HAVE(41);
		a = be32_at(p, 37);
		return addr_type_ok(a) ? 41 + a : 0;
	case AUT_RETURN32:
		return 6;
	case 0x72:		/* return64 */
		return 10;
	case 0x2a:		/* in_addr */
		return 5;
	case 0x7e:		/* in_addr_ex */
		HAVE(5);
		a = be32_at(p, 1);
		return addr_type_ok(a) ? 5 + a : 0;
	case 0x2b:		/* ip header */
		return 21;
	case 0x2c:		/* ip port */
		return 3;
	case AUT_ARG32:
		HAVE(8);
		return 8 + be16_at(p, 6);
	case 0x71:		/* arg64 */
		HAVE(12);
		return 12 + be16_at(p, 10);
	case 0x2e:		/* socket */
		return 15;
	case AUT_SOCKET_EX:
		HAVE(7);
		a = be16_at(p, 5);
		return addr_type_ok(a) ? 11 + 2 * a : 0;
	case AUT_SOCKINET32:
		return 9;
	case AUT_SOCKINET128:
		return 21;
	case AUT_SOCKUNIX:
		HAVE(4);
		/* the path up to and including its NUL, at most 108 bytes */
		a = strings_len(p + 3, min(n - 3, 108u), 1);
		return a ? 3 + a : 0;
	case 0x2f:		/* seq */
		return 5;
	case 0x32:		/* ipc_perm */
		return 29;
	case 0x38:		/* privilege: two counted strings */
		HAVE(3);
		a = be16_at(p, 1);
		HAVE(5 + a);
		return 5 + a + be16_at(p, 3 + a);
	case 0x39:		/* use of privilege */
		HAVE(4);
		return 4 + be16_at(p, 2);
	case 0x3b:		/* newgroups */
		HAVE(3);
		return 3 + 4 * be16_at(p, 1);
	case AUT_EXEC_ARGS:
	case AUT_EXEC_ENV:
		HAVE(5);
		b = be32_at(p, 1);
		a = strings_len(p + 5, n - 5, b);
		return a || !b ? 5 + a : 0;
	case AUT_ATTR32:
		return 29;
	case 0x73:		/* attr64 */
		return 33;
	case AUT_EXIT:
		return 9;
	case 0x84:		/* arg_uuid, ret_uuid */
	case 0x85:
		HAVE(20);
		return 20 + be16_at(p, 18);
	}
	return 0;
#undef HAVE
}

static bool is_header(u8 id)
{
	return id == AUT_HEADER32 || id == 0x15 || id == 0x74 || id == 0x79;
}

/* Can rec (n bytes) be framed as one record? */
static bool framed(const u8 *rec, u32 n)
{
	u32 off = 0, len;

	if (n < 18 + 7 || !is_header(rec[0]) || be32_at(rec, 1) != n)
		return false;
	while (off < n) {
		len = token_len(rec + off, n - off);
		if (!len || len > n - off || (off && is_header(rec[off])))
			return false;
		if (rec[off] == AUT_TRAILER)
			return off + len == n &&
			       be16_at(rec, off + 1) == AUT_TRAILER_MAGIC &&
			       be32_at(rec, off + 3) == n;
		off += len;
	}
	return false;
}

ssize_t lx_app_write(struct file *file, const char __user *ubuf, size_t count)
{
	u8 *rec;

	/* the opener's privilege, not the writer's: an fd passed on */
	if (!file_ns_capable(file, &init_user_ns, CAP_AUDIT_WRITE))
		return -EPERM;
	if (count < 18 + 7 || count > LXBSM_MAX_APP_RECORD)
		goto refuse;
	rec = kvmalloc(count, GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	if (copy_from_user(rec, ubuf, count)) {
		kvfree(rec);
		return -EFAULT;
	}
	if (!framed(rec, count)) {
		kvfree(rec);
		goto refuse;
	}
	lx_enqueue(rec, count);
	kvfree(rec);
	/* statistics: a lost increment under a race is harmless */
	WRITE_ONCE(app_records, app_records + 1);
	return count;
refuse:
	WRITE_ONCE(app_refused, app_refused + 1);
	return -EINVAL;
}
