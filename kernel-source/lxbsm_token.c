// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_token.c - the BSM token writers (all integers big-endian).
 *
 * Everything here runs in a tracepoint probe with preemption disabled, so
 * it never sleeps; what it reads from user memory and how paths are made
 * is in lxbsm_umem.c.
 */
#include <linux/kernel.h>
#include <linux/version.h>
#include <linux/uaccess.h>
#include <linux/string.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/file.h>
#include <linux/fcntl.h>
#include <linux/cred.h>
#include <linux/audit.h>
#include <linux/timekeeping.h>
#include <linux/jiffies.h>
#include <linux/percpu.h>
#include <linux/net.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/un.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <asm/word-at-a-time.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif
#include "lxbsm_int.h"

/* Room for n more bytes, keeping the tail for return32 and trailer. */
static bool room(struct lx_rec *r, u32 n)
{
	if (r->len + n + LX_REC_TAIL > r->cap) {
		r->overflow = true;
		return false;
	}
	return true;
}

static void put8(struct lx_rec *r, u8 v)
{
	r->buf[r->len++] = v;
}

static void put16(struct lx_rec *r, u16 v)
{
	put_unaligned_be16(v, r->buf + r->len);
	r->len += 2;
}

static void put32(struct lx_rec *r, u32 v)
{
	put_unaligned_be32(v, r->buf + r->len);
	r->len += 4;
}

void lx_put_bytes(struct lx_rec *r, const void *p, u32 n)
{
	if (!room(r, n))
		return;
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

/*
 * header32: id, size (set by lx_rec_finish), version, event, modifier, time.
 * The time is the tick's, as Linux audit stamps its records: reading the
 * clock source per record costs much where it is slow (HPET, emulation).
 * It starts a record: the buffer always has room for it.  (Here and below
 * fixed-size tokens are written at offsets from one pointer: a byte store
 * through r->buf may alias r->len, which the put*() helpers reload.)
 */
struct lx_stamp {
	unsigned long tick;	/* jiffies when taken */
	__be32 sec;
	__be32 msec;
};

/*
 * The tick's time, as a header carries it, kept per CPU until jiffies
 * moves on (the tick that advances jiffies also advances the coarse
 * clock: at worst a stamp is one tick late).  Preemption is disabled.
 */
static DEFINE_PER_CPU(struct lx_stamp, lx_stamp);

static noinline void new_stamp(struct lx_stamp *st, unsigned long now)
{
	struct timespec64 ts;

	ktime_get_coarse_real_ts64(&ts);
	st->tick = now;
	st->sec = cpu_to_be32((u32)ts.tv_sec);
	st->msec = cpu_to_be32(ts.tv_nsec / NSEC_PER_MSEC);
}

void lx_put_header(struct lx_rec *r, u16 event)
{
	struct lx_stamp *st = this_cpu_ptr(&lx_stamp);
	unsigned long now = READ_ONCE(jiffies);
	u8 *p = r->buf + r->len;

	if (unlikely(st->tick != now || !st->sec))
		new_stamp(st, now);
	p[0] = AUT_HEADER32;
	put_unaligned_be32(0, p + 1);
	p[5] = AUDIT_HEADER_VERSION_OPENBSM;
	put_unaligned_be16(event, p + 6);
	put_unaligned_be16(0, p + 8);
	put_unaligned(st->sec, (__be32 *)(p + 10));
	put_unaligned(st->msec, (__be32 *)(p + 14));
	r->len += 18;
}

/*
 * Ids as the initial namespace sees them: its map is the identity, so this
 * is from_kuid(&init_user_ns, u) without the map walk (it runs six times a
 * record).
 */
static u32 uid32(kuid_t u)
{
	return __kuid_val(u);
}

static u32 gid32(kgid_t g)
{
	return __kgid_val(g);
}

/* port, type, address of t's terminal id at p; returns their length */
static noinline u32 put_termid(u8 *p, struct task_struct *t)
{
	struct lx_termid term;
	u32 alen;

	if (!lx_proc_get_termid(t, &term)) {
		memset(p, 0, 12);
		p[7] = AU_IPV4;
		return 12;
	}
	alen = term.type == AU_IPV6 ? 16 : 4;
	put_unaligned_be32(term.port, p);
	put_unaligned_be32(alen, p + 4);
	memcpy(p + 8, term.addr, alen);
	return 8 + alen;
}

/* subject32_ex or process32_ex of t, whose credentials are c */
static void put_ids(struct lx_rec *r, u8 id, struct task_struct *t,
		    const struct cred *c)
{
	u8 *p;
	u32 n;

	if (!room(r, 1 + 4 * 9 + 16))
		return;
	p = r->buf + r->len;
	p[0] = id;
	put_unaligned_be32(uid32(audit_get_loginuid(t)), p + 1);
	put_unaligned_be32(uid32(c->euid), p + 5);
	put_unaligned_be32(gid32(c->egid), p + 9);
	put_unaligned_be32(uid32(c->uid), p + 13);
	put_unaligned_be32(gid32(c->gid), p + 17);
	put_unaligned_be32(task_tgid_nr(t), p + 21);
	put_unaligned_be32(audit_get_sessionid(t), p + 25);
	/* most processes have no terminal id: port 0, IPv4, 0.0.0.0 */
	if (likely(!lx_proc_any())) {
		put_unaligned_be64(AU_IPV4, p + 29);
		put_unaligned_be32(0, p + 37);
		n = 12;
	} else {
		n = put_termid(p + 29, t);
	}
	r->len += 29 + n;
}

/* subject32_ex: auid, euid, egid, ruid, rgid, pid, sid, port, type, addr */
void lx_put_subject(struct lx_rec *r, struct task_struct *t)
{
	if (t == current) {
		put_ids(r, AUT_SUBJECT32_EX, t, current_cred());
	} else {
		rcu_read_lock();
		put_ids(r, AUT_SUBJECT32_EX, t, __task_cred(t));
		rcu_read_unlock();
	}
}

/* process32_ex: the same fields, for the target of kill or ptrace */
void lx_put_process(struct lx_rec *r, struct task_struct *t)
{
	rcu_read_lock();
	put_ids(r, AUT_PROCESS32_EX, t, __task_cred(t));
	rcu_read_unlock();
}

/* A string token of s, n bytes long (cut at LX_STR_MAX - 1). */
static void put_string_token(struct lx_rec *r, u8 id, const char *s, size_t n)
{
	u8 *p;

	if (n > LX_STR_MAX - 1)
		n = LX_STR_MAX - 1;
	if (!room(r, 3 + n + 1))
		return;
	p = r->buf + r->len;
	p[0] = id;
	put_unaligned_be16(n + 1, p + 1);
	memcpy(p + 3, s, n);
	p[3 + n] = '\0';
	r->len += 3 + n + 1;
}

void lx_put_path(struct lx_rec *r, const char *path)
{
	put_string_token(r, AUT_PATH, path, strnlen(path, LX_STR_MAX - 1));
}

/* A path whose length is known. */
void lx_put_path_len(struct lx_rec *r, const char *path, size_t len)
{
	put_string_token(r, AUT_PATH, path, len);
}

void lx_put_text(struct lx_rec *r, const char *text)
{
	put_string_token(r, AUT_TEXT, text, strnlen(text, LX_STR_MAX - 1));
}

/* arg32: number, value, text (tl bytes; lx_put_arg32() counts them) */
void __lx_put_arg32(struct lx_rec *r, u8 n, u32 v, const char *text,
		    size_t tl)
{
	u8 *p;

	if (!room(r, 1 + 1 + 4 + 2 + tl + 1))
		return;
	p = r->buf + r->len;
	p[0] = AUT_ARG32;
	p[1] = n;
	put_unaligned_be32(v, p + 2);
	put_unaligned_be16(tl + 1, p + 6);
	memcpy(p + 8, text, tl + 1);
	r->len += 8 + tl + 1;
}

/* attr32: mode, uid, gid, fsid, node id (u64), device */
void lx_put_attr_inode(struct lx_rec *r, struct inode *ino)
{
	u8 *p;

	if (!room(r, LX_ATTR_LEN))
		return;
	p = r->buf + r->len;
	p[0] = AUT_ATTR32;
	put_unaligned_be32(ino->i_mode, p + 1);
	put_unaligned_be32(uid32(ino->i_uid), p + 5);
	put_unaligned_be32(gid32(ino->i_gid), p + 9);
	put_unaligned_be32(ino->i_sb->s_dev, p + 13);
	put_unaligned_be64(ino->i_ino, p + 17);
	put_unaligned_be32(ino->i_rdev, p + 25);
	r->len += LX_ATTR_LEN;
}

void lx_put_attr_file(struct lx_rec *r, struct file *f)
{
	lx_put_attr_inode(r, file_inode(f));
}

/* exit: status, return */
void lx_put_exit(struct lx_rec *r, u32 status, u32 ret)
{
	if (!room(r, 9))
		return;
	put8(r, AUT_EXIT);
	put32(r, status);
	put32(r, ret);
}

/*
 * exec args / exec env: count, then the NUL-terminated strings of strs[len]
 * (an argv area as the kernel lays it out).  Cut at the last whole string
 * that fits.
 */
void lx_put_strings(struct lx_rec *r, u8 id, const char *strs, u32 len)
{
	u32 count = 0, used = 0, i;
	u32 avail;

	if (!room(r, 5))
		return;
	avail = r->cap - LX_REC_TAIL - r->len - 5;
	for (i = 0; i < len && i < avail; i++) {
		if (strs[i] == '\0') {
			count++;
			used = i + 1;
		}
	}
	put8(r, id);
	put32(r, count);
	memcpy(r->buf + r->len, strs, used);
	r->len += used;
}

/*
 * exec args from a user argv[] (a failed exec: the caller's memory is
 * intact); compat: an array of 32-bit pointers.
 */
void lx_put_user_argv(struct lx_rec *r, const char __user *const __user *argv,
		      char *tmp, bool compat)
{
	u32 count = 0, start, cpos;
	const char __user *p;
	long n;
	int i;

	if (!argv || !room(r, 5))
		return;
	put8(r, AUT_EXEC_ARGS);
	cpos = r->len;
	put32(r, 0);
	start = r->len;
	for (i = 0; i < 1024; i++) {
		if (compat) {
			u32 p32;

			if (copy_from_user_nofault(&p32, (const u32 __user *)
						   argv + i, sizeof(p32)))
				break;
			p = (const char __user *)(unsigned long)p32;
		} else if (copy_from_user_nofault(&p, argv + i, sizeof(p))) {
			break;
		}
		if (!p)
			break;
		n = lx_strncpy_user(tmp, p, LX_STR_MAX);
		if (n < 0)
			break;
		if (r->len - start + n + 1 > LX_ARGS_MAX || !room(r, n + 1))
			break;
		memcpy(r->buf + r->len, tmp, n + 1);
		r->len += n + 1;
		count++;
	}
	put_unaligned_be32(count, r->buf + cpos);
}

static void put_inet4(struct lx_rec *r, __be16 port, __be32 addr)
{
	put8(r, AUT_SOCKINET32);
	put16(r, lx_domain_to_bsm(AF_INET));
	memcpy(r->buf + r->len, &port, 2);
	r->len += 2;
	memcpy(r->buf + r->len, &addr, 4);
	r->len += 4;
}

/* sock_inet32, sock_inet128 or sock_unix for a sockaddr the caller gave */
void lx_put_sockaddr(struct lx_rec *r, const void *sa, int len)
{
	const struct sockaddr *s = sa;

	if (len < (int)sizeof(sa_family_t))
		return;
	switch (s->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *in = sa;

		if (len < (int)sizeof(*in) || !room(r, 9))
			return;
		put_inet4(r, in->sin_port, in->sin_addr.s_addr);
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = sa;

		if (len < (int)sizeof(*in6) || !room(r, 21))
			return;
		put8(r, AUT_SOCKINET128);
		put16(r, lx_domain_to_bsm(AF_INET6));
		memcpy(r->buf + r->len, &in6->sin6_port, 2);
		r->len += 2;
		memcpy(r->buf + r->len, &in6->sin6_addr, 16);
		r->len += 16;
		break;
	}
	case AF_UNIX: {
		const struct sockaddr_un *un = sa;
		int plen = len - (int)offsetof(struct sockaddr_un, sun_path);
		int n;

		if (plen < 0)
			return;
		if (plen > (int)sizeof(un->sun_path))
			plen = sizeof(un->sun_path);
		/* an abstract name starts with NUL: keep it as an empty path */
		n = strnlen(un->sun_path, plen);
		if (!room(r, 3 + n + 1))
			return;
		put8(r, AUT_SOCKUNIX);
		put16(r, lx_domain_to_bsm(AF_UNIX));
		memcpy(r->buf + r->len, un->sun_path, n);
		r->len += n;
		put8(r, 0);
		break;
	}
	}
}

/*
 * socket_ex from its parts: addresses and ports as on the wire (network
 * order), 4 bytes each for AF_INET, 16 for AF_INET6.
 */
void lx_put_socket_ex_addrs(struct lx_rec *r, int family, int type,
			    __be16 lport, const void *laddr,
			    __be16 rport, const void *raddr)
{
	u32 alen = family == AF_INET ? 4 : 16;

	if (!room(r, 1 + 2 * 3 + 2 * 2 + 2 * alen))
		return;
	put8(r, AUT_SOCKET_EX);
	put16(r, lx_domain_to_bsm(family));
	put16(r, lx_socktype_to_bsm(type));
	put16(r, family == AF_INET ? AU_IPV4 : AU_IPV6);
	memcpy(r->buf + r->len, &lport, 2);
	memcpy(r->buf + r->len + 2, laddr, alen);
	memcpy(r->buf + r->len + 2 + alen, &rport, 2);
	memcpy(r->buf + r->len + 4 + alen, raddr, alen);
	r->len += 4 + 2 * alen;
}

/*
 * socket_ex for an inet socket: domain, type, address type, local port and
 * address, remote port and address, read from the sock without its lock
 * (a racy but consistent-enough snapshot; lock_sock() would sleep).
 */
void lx_put_socket_ex(struct lx_rec *r, struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct inet_sock *inet;
	int family, type;

	if (!sk)
		return;
	family = READ_ONCE(sk->sk_family);
	if (family != AF_INET && family != AF_INET6)
		return;
	inet = inet_sk(sk);
	type = READ_ONCE(sk->sk_type);
	if (family == AF_INET) {
		__be32 la = READ_ONCE(inet->inet_rcv_saddr);
		__be32 ra = READ_ONCE(inet->inet_daddr);

		lx_put_socket_ex_addrs(r, family, type,
				       READ_ONCE(inet->inet_sport), &la,
				       READ_ONCE(inet->inet_dport), &ra);
	} else {
#if IS_ENABLED(CONFIG_IPV6)
		lx_put_socket_ex_addrs(r, family, type,
				       READ_ONCE(inet->inet_sport),
				       &sk->sk_v6_rcv_saddr,
				       READ_ONCE(inet->inet_dport),
				       &sk->sk_v6_daddr);
#else
		static const u8 none[16];

		lx_put_socket_ex_addrs(r, family, type, 0, none, 0, none);
#endif
	}
}

/*
 * return32 (BSM errno and value: the result, or -1 on failure) and trailer;
 * then the size goes into the header.  Returns the record's length.
 */
u32 lx_rec_finish(struct lx_rec *r, long ret)
{
	u8 *p = r->buf + r->len;
	u32 len = r->len + 6 + 7;	/* return32, trailer */

	p[0] = AUT_RETURN32;
	if (ret < 0) {
		p[1] = lx_errno_to_bsm(-ret);
		put_unaligned_be32((u32)-1, p + 2);
	} else {
		p[1] = 0;
		put_unaligned_be32((u32)ret, p + 2);
	}
	p[6] = AUT_TRAILER;
	put_unaligned_be16(AUT_TRAILER_MAGIC, p + 7);
	put_unaligned_be32(len, p + 9);
	put_unaligned_be32(len, r->buf + 1);
	r->len = len;
	return len;
}
