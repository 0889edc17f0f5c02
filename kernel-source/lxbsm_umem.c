// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_umem.c - strings and paths from user memory and from the kernel's
 * own names, for probes that may not sleep.
 *
 * User memory is read with page faults disabled (a page that is not
 * present reads as a fault and the token is left out or cut), files are
 * found with fdget()/fdput(), and paths are taken from the path cache or
 * built with d_path() (the working directory under the fs_struct spinlock
 * rather than with path_get()).
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

/* The offset of the first NUL in the n bytes at p (n a multiple of 8), or n. */
static long find_nul(const char *p, long n)
{
	const struct word_at_a_time k = WORD_AT_A_TIME_CONSTANTS;
	unsigned long v, data;
	long i;

	for (i = 0; i < n; i += sizeof(long)) {
		v = get_unaligned((const unsigned long *)(p + i));
		if (has_zero(v, &data, &k)) {
			data = prep_zero_mask(v, data, &k);
			data = create_zero_mask(data);
			return i + find_zero(data);
		}
	}
	return n;
}

#define LX_UCHUNK 64

/*
 * A string from user memory, without sleeping (strncpy_from_user_nofault()
 * is not exported to modules).  Most strings are short: they are read in
 * chunks of LX_UCHUNK bytes that do not cross a page, with page faults
 * disabled (a page that is not resident fails rather than sleeps) and a
 * constant size, which spares the hardened-usercopy check of the
 * destination that a variable size costs on every call.  A page end or a
 * fault leaves the rest to small copy_from_user_nofault() pieces that keep
 * what is readable.  Returns the length (dst is NUL-terminated, cut at
 * size - 1) or -EFAULT.
 */
long lx_strncpy_user(char *dst, const char __user *src, long size)
{
	unsigned long addr = (unsigned long)src;
	long done = 0, n;

	if (!src || size <= 0)
		return -EFAULT;
	pagefault_disable();
	while (done + LX_UCHUNK < size &&
	       offset_in_page(addr + done) <= PAGE_SIZE - LX_UCHUNK &&
	       access_ok(src + done, LX_UCHUNK) &&
	       !__copy_from_user_inatomic(dst + done, src + done, LX_UCHUNK)) {
		n = find_nul(dst + done, LX_UCHUNK);
		if (n < LX_UCHUNK) {
			pagefault_enable();
			return done + n;
		}
		done += LX_UCHUNK;
	}
	pagefault_enable();
	while (done < size - 1) {
		char *nul;

		addr = (unsigned long)src + done;
		n = PAGE_SIZE - offset_in_page(addr);
		if (n > 128)
			n = 128;
		if (n > size - 1 - done)
			n = size - 1 - done;
		if (copy_from_user_nofault(dst + done, src + done, n)) {
			if (!done)
				return -EFAULT;
			break;	/* keep what was readable */
		}
		nul = memchr(dst + done, '\0', n);
		if (nul)
			return nul - dst;
		done += n;
	}
	dst[done] = '\0';
	return done;
}

/* The length of a d_path() result p built in buf[LX_STR_MAX]. */
static int dpath_len(const char *buf, const char *p)
{
	return buf + LX_STR_MAX - 1 - p;
}

/* The working directory, built in dtmp; *len its length. */
static char *fs_pwd_path(char *dtmp, int *len)
{
	struct fs_struct *fs = current->fs;
	char *p;

	if (!fs)
		return ERR_PTR(-ENOENT);
	spin_lock(&fs->lock);
	p = d_path(&fs->pwd, dtmp, LX_STR_MAX);
	spin_unlock(&fs->lock);
	if (!IS_ERR(p))
		*len = dpath_len(dtmp, p);
	return p;
}

/* dir + "/" + name into out (cut to LX_STR_MAX - 1); returns the length. */
static int join(char *out, const char *dir, int dlen, const char *name,
		int nlen)
{
	int n;

	if (dlen == 1 && dir[0] == '/')
		dlen = 0;
	n = min(dlen, LX_STR_MAX - 1);
	memmove(out, dir, n);
	if (n < LX_STR_MAX - 1)
		out[n++] = '/';
	nlen = min(nlen, LX_STR_MAX - 1 - n);
	memmove(out + n, name, nlen);
	n += nlen;
	out[n] = '\0';
	return n;
}

/*
 * Canonical-enough absolute form of in (len bytes): a relative path is
 * joined to the working directory (no "." or ".." folding, no symlink
 * resolution).  in may be out.  Returns the length.
 */
static int canon(char *in, int len, char *out, char *tmp, char *dtmp)
{
	char *d;
	int dlen;

	if (in[0] != '/') {
		d = fs_pwd_path(dtmp, &dlen);
		if (!IS_ERR(d)) {
			if (in == out) {
				memcpy(tmp, in, len + 1);
				in = tmp;
			}
			return join(out, d, dlen, in, len);
		}
	}
	len = min(len, LX_STR_MAX - 1);
	if (in != out)
		memmove(out, in, len);
	out[len] = '\0';
	return len;
}

/* The same for a kernel string; tmp, dtmp: LX_STR_MAX bytes each. */
int lx_canon(const char *in, char *out, char *tmp, char *dtmp)
{
	int len = strnlen(in, LX_STR_MAX - 1);

	memcpy(tmp, in, len);
	tmp[len] = '\0';
	return canon(tmp, len, out, NULL, dtmp);
}

/*
 * The path a *at() call named, already copied into out (n bytes): made
 * absolute, relative to dfd (or the working directory).  Returns its
 * length.
 */
int lx_resolve_path(int dfd, char *out, int n, char *tmp, char *dtmp)
{
	struct fd f;
	char *d;

	if (out[0] == '/')
		return n;
	if (dfd == AT_FDCWD)
		return canon(out, n, out, tmp, dtmp);
	f = fdget(dfd);
	if (!f.file)
		return n;
	d = d_path(&f.file->f_path, dtmp, LX_STR_MAX);
	if (IS_ERR(d)) {
		/* keep the name as given */
	} else if (n) {
		memcpy(tmp, out, n + 1);
		n = join(out, d, dpath_len(dtmp, d), tmp, n);
	} else {
		/* an empty name (AT_EMPTY_PATH) is the directory itself */
		n = dpath_len(dtmp, d);
		memcpy(out, d, n + 1);
	}
	fdput(f);
	return n;
}

/*
 * The same for a name still in user memory, read without faulting (a
 * probe may not sleep).  Returns its length, or a negative errno.
 */
int lx_user_path(int dfd, const char __user *upath, char *out, char *tmp,
		 char *dtmp)
{
	/* the usual case, an absolute path, is copied once, into out */
	long n = lx_strncpy_user(out, upath, LX_STR_MAX);

	if (n < 0)
		return -EFAULT;
	return lx_resolve_path(dfd, out, n, tmp, dtmp);
}

/*
 * d_path() of p in buf[LX_STR_MAX]: sets *path, returns the length or an
 * errno.
 */
int lx_dpath(const struct path *p, char *buf, const char **path)
{
	char *d = d_path(p, buf, LX_STR_MAX);

	if (IS_ERR(d))
		return PTR_ERR(d);
	*path = d;
	return dpath_len(buf, d);
}

/*
 * The path of the open file f at fd, in buf[LX_STR_MAX]: the one its open
 * recorded, if the path cache has it (lxbsm_pcache.c), else d_path().  Sets
 * *path and returns the length, or returns a negative errno.
 */
int lx_file_path(struct file *f, int fd, char *buf, const char **path)
{
	int n = lx_pcache_get(f, fd, buf);

	if (n >= 0) {
		*path = buf;
		return n;
	}
	return lx_dpath(&f->f_path, buf, path);
}
