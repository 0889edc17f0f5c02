// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_token.c - building BSM records (all integers big-endian) and
 * copying what they need from user space.
 *
 * Everything here runs in a tracepoint probe with preemption disabled, so
 * it never sleeps: user memory is read with copy_from_user_nofault() (a
 * page that is not present reads as a fault and the token is left out or
 * cut), files are found with fget()/fput(), and paths are built with
 * d_path() under the fs_struct spinlock rather than with path_get().
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
#include <linux/net.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/un.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif
#include "lxbsm_int.h"

void lx_rec_init(struct lx_rec *r, u8 *buf, u32 cap)
{
	r->buf = buf;
	r->len = 0;
	r->cap = cap;
	r->overflow = false;
}

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

static void put64(struct lx_rec *r, u64 v)
{
	put_unaligned_be64(v, r->buf + r->len);
	r->len += 8;
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
 */
void lx_put_header(struct lx_rec *r, u16 event)
{
	struct timespec64 ts;

	ktime_get_coarse_real_ts64(&ts);
	put8(r, AUT_HEADER32);
	put32(r, 0);
	put8(r, AUDIT_HEADER_VERSION_OPENBSM);
	put16(r, event);
	put16(r, 0);
	put32(r, (u32)ts.tv_sec);
	put32(r, ts.tv_nsec / NSEC_PER_MSEC);
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

static void put_cred_ids(struct lx_rec *r, const struct cred *c)
{
	put32(r, uid32(c->euid));
	put32(r, gid32(c->egid));
	put32(r, uid32(c->uid));
	put32(r, gid32(c->gid));
}

static void put_ids(struct lx_rec *r, u8 id, struct task_struct *t,
		    const struct lx_termid *tid)
{
	u32 alen = tid->type == AU_IPV6 ? 16 : 4;

	if (!room(r, 1 + 4 * 9 + alen))
		return;
	put8(r, id);
	put32(r, uid32(audit_get_loginuid(t)));
	if (t == current) {
		put_cred_ids(r, current_cred());
	} else {
		rcu_read_lock();
		put_cred_ids(r, __task_cred(t));
		rcu_read_unlock();
	}
	put32(r, task_tgid_nr(t));
	put32(r, audit_get_sessionid(t));
	put32(r, tid->port);
	put32(r, alen);
	memcpy(r->buf + r->len, tid->addr, alen);
	r->len += alen;
}

/* subject32_ex: auid, euid, egid, ruid, rgid, pid, sid, port, type, addr */
void lx_put_subject(struct lx_rec *r, struct task_struct *t,
		    const struct lx_termid *tid)
{
	put_ids(r, AUT_SUBJECT32_EX, t, tid);
}

/* process32_ex: the same fields, for the target of kill or ptrace */
void lx_put_process(struct lx_rec *r, struct task_struct *t)
{
	struct lx_termid tid;

	lx_proc_get_termid(t, &tid);
	put_ids(r, AUT_PROCESS32_EX, t, &tid);
}

static void put_string_token(struct lx_rec *r, u8 id, const char *s)
{
	size_t n = strnlen(s, LX_STR_MAX - 1);

	if (!room(r, 3 + n + 1))
		return;
	put8(r, id);
	put16(r, n + 1);
	memcpy(r->buf + r->len, s, n);
	r->len += n;
	put8(r, 0);
}

void lx_put_path(struct lx_rec *r, const char *path)
{
	put_string_token(r, AUT_PATH, path);
}

void lx_put_text(struct lx_rec *r, const char *text)
{
	put_string_token(r, AUT_TEXT, text);
}

/* arg32: number, value, text */
void lx_put_arg32(struct lx_rec *r, u8 n, u32 v, const char *text)
{
	size_t tl = strlen(text);

	if (!room(r, 1 + 1 + 4 + 2 + tl + 1))
		return;
	put8(r, AUT_ARG32);
	put8(r, n);
	put32(r, v);
	put16(r, tl + 1);
	memcpy(r->buf + r->len, text, tl + 1);
	r->len += tl + 1;
}

/* attr32: mode, uid, gid, fsid, node id (u64), device */
void lx_put_attr_inode(struct lx_rec *r, struct inode *ino)
{
	if (!room(r, LX_ATTR_LEN))
		return;
	put8(r, AUT_ATTR32);
	put32(r, ino->i_mode);
	put32(r, uid32(ino->i_uid));
	put32(r, gid32(ino->i_gid));
	put32(r, ino->i_sb->s_dev);
	put64(r, ino->i_ino);
	put32(r, ino->i_rdev);
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
 * socket_ex for an inet socket: domain, type, address type, local port and
 * address, remote port and address, read from the sock without its lock
 * (a racy but consistent-enough snapshot; lock_sock() would sleep).
 */
void lx_put_socket_ex(struct lx_rec *r, struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct inet_sock *inet;
	int family;

	if (!sk)
		return;
	family = READ_ONCE(sk->sk_family);
	if (family != AF_INET && family != AF_INET6)
		return;
	inet = inet_sk(sk);
	if (!room(r, 1 + 2 * 3 + 2 * 2 + (family == AF_INET ? 8 : 32)))
		return;
	put8(r, AUT_SOCKET_EX);
	put16(r, lx_domain_to_bsm(family));
	put16(r, lx_socktype_to_bsm(READ_ONCE(sk->sk_type)));
	if (family == AF_INET) {
		__be16 lp = READ_ONCE(inet->inet_sport);
		__be16 rp = READ_ONCE(inet->inet_dport);
		__be32 la = READ_ONCE(inet->inet_rcv_saddr);
		__be32 ra = READ_ONCE(inet->inet_daddr);

		put16(r, AU_IPV4);
		memcpy(r->buf + r->len, &lp, 2);
		memcpy(r->buf + r->len + 2, &la, 4);
		memcpy(r->buf + r->len + 6, &rp, 2);
		memcpy(r->buf + r->len + 8, &ra, 4);
		r->len += 12;
	} else {
#if IS_ENABLED(CONFIG_IPV6)
		__be16 lp = READ_ONCE(inet->inet_sport);
		__be16 rp = READ_ONCE(inet->inet_dport);

		put16(r, AU_IPV6);
		memcpy(r->buf + r->len, &lp, 2);
		memcpy(r->buf + r->len + 2, &sk->sk_v6_rcv_saddr, 16);
		memcpy(r->buf + r->len + 18, &rp, 2);
		memcpy(r->buf + r->len + 20, &sk->sk_v6_daddr, 16);
		r->len += 36;
#else
		put16(r, AU_IPV6);
		memset(r->buf + r->len, 0, 36);
		r->len += 36;
#endif
	}
}

/*
 * return32 (BSM errno and value: the result, or -1 on failure) and trailer;
 * then the size goes into the header.  Returns the record's length.
 */
u32 lx_rec_finish(struct lx_rec *r, long ret)
{
	if (ret < 0) {
		put8(r, AUT_RETURN32);
		put8(r, lx_errno_to_bsm(-ret));
		put32(r, (u32)-1);
	} else {
		put8(r, AUT_RETURN32);
		put8(r, 0);
		put32(r, (u32)ret);
	}
	put8(r, AUT_TRAILER);
	put16(r, AUT_TRAILER_MAGIC);
	put32(r, r->len + 4);
	put_unaligned_be32(r->len, r->buf + 1);
	return r->len;
}

/*
 * strncpy_from_user_nofault() is not exported to modules.  It is
 * strncpy_from_user() with page faults disabled (a page that is not
 * resident fails rather than sleeps): do the same.  That gives all or
 * nothing; when it fails, read what is readable in small pieces that never
 * cross a page with copy_from_user_nofault() and stop at the NUL.  Returns
 * the length (dst is NUL-terminated, cut at size - 1) or -EFAULT.
 */
long lx_strncpy_user(char *dst, const char __user *src, long size)
{
	long done = 0;

	if (!src || size <= 0)
		return -EFAULT;
	pagefault_disable();
	done = strncpy_from_user(dst, src, size);
	pagefault_enable();
	if (done >= 0 && done < size)
		return done;
	done = 0;
	while (done < size - 1) {
		unsigned long addr = (unsigned long)src + done;
		long chunk = PAGE_SIZE - (addr & ~PAGE_MASK);
		char *nul;

		/* most strings are short: read a little at a time */
		if (chunk > 128)
			chunk = 128;
		if (chunk > size - 1 - done)
			chunk = size - 1 - done;
		if (copy_from_user_nofault(dst + done, src + done, chunk)) {
			if (!done)
				return -EFAULT;
			break;	/* keep what was readable */
		}
		nul = memchr(dst + done, '\0', chunk);
		if (nul)
			return nul - dst;
		done += chunk;
	}
	dst[done] = '\0';
	return done;
}

static char *fs_pwd_path(char *dtmp)
{
	struct fs_struct *fs = current->fs;
	char *p;

	if (!fs)
		return ERR_PTR(-ENOENT);
	spin_lock(&fs->lock);
	p = d_path(&fs->pwd, dtmp, LX_STR_MAX);
	spin_unlock(&fs->lock);
	return p;
}

/* dir + "/" + name into out (cut to LX_STR_MAX) */
static void join(char *out, const char *dir, const char *name)
{
	if (strcmp(dir, "/") == 0)
		snprintf(out, LX_STR_MAX, "/%s", name);
	else
		snprintf(out, LX_STR_MAX, "%s/%s", dir, name);
}

/*
 * Canonical-enough absolute form of in: a relative path is joined to the
 * working directory (no "." or ".." folding, no symlink resolution).
 */
void lx_canon(const char *in, char *out, char *tmp, char *dtmp)
{
	char *d;

	if (in[0] == '/') {
		strscpy(out, in, LX_STR_MAX);
		return;
	}
	d = fs_pwd_path(dtmp);
	if (IS_ERR(d)) {
		strscpy(out, in, LX_STR_MAX);
		return;
	}
	join(out, d, in);
}

/*
 * The path a *at() call named: upath relative to dfd (or the working
 * directory).  Returns 0 and fills out, or a negative errno.
 */
int lx_user_path(int dfd, const char __user *upath, char *out, char *tmp,
		 char *dtmp)
{
	struct file *f;
	char *d;

	if (lx_strncpy_user(tmp, upath, LX_STR_MAX) < 0)
		return -EFAULT;
	if (tmp[0] == '/' || dfd == AT_FDCWD) {
		lx_canon(tmp, out, NULL, dtmp);
		return 0;
	}
	f = fget(dfd);
	if (!f) {
		strscpy(out, tmp, LX_STR_MAX);
		return 0;
	}
	d = d_path(&f->f_path, dtmp, LX_STR_MAX);
	if (IS_ERR(d))
		strscpy(out, tmp, LX_STR_MAX);
	else if (tmp[0] == '\0')
		strscpy(out, d, LX_STR_MAX);
	else
		join(out, d, tmp);
	fput(f);
	return 0;
}

/*
 * The file of an open fd (a reference the caller drops with fput()), or
 * NULL; *path is its path, built at the end of buf, or NULL.
 */
struct file *lx_fd_path(int fd, char *buf, const char **path)
{
	struct file *f = fget(fd);
	char *d;

	*path = NULL;
	if (!f)
		return NULL;
	d = d_path(&f->f_path, buf, LX_STR_MAX);
	if (!IS_ERR(d))
		*path = d;
	return f;
}
