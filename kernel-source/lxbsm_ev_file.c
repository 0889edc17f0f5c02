// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_ev_file.c - the records of files: open, close, read, write, paths,
 * attributes.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/fcntl.h>
#include <linux/binfmts.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/pid.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/uaccess.h>
#include <linux/compat.h>
#include <linux/magic.h>
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/ptrace.h>
#include <linux/namei.h>
#include <linux/task_work.h>
#include <linux/wait.h>
#include <linux/net.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include "lxbsm_ev.h"

/* files */

static int open_event(bool at, unsigned long flags)
{
	int acc = flags & O_ACCMODE;
	int ev = at ? LXE_OPENAT_R : LXE_OPEN_R;
	bool creat = flags & (O_CREAT | __O_TMPFILE);

	if (acc == O_WRONLY)
		ev += 4;
	else if (acc != O_RDONLY)
		ev += 8;
	if (flags & O_TRUNC)
		ev += creat ? 3 : 2;
	else if (creat)
		ev += 1;
	return ev;
}

/*
 * A successful open: the path is the opened file's (d_path, canonical,
 * the one the kernel used), not the caller's buffer, which another thread
 * may have rewritten since.  The name as the buffer holds it now follows
 * in a text token where it differs.
 */
static void opened_path(struct lx_ctx *c, int dfd, unsigned long up,
			unsigned long flags)
{
	struct fd f = fdget(c->ret);
	const char *path;
	int n, given;

	if (!f.file) {
		lx_put_upath(c, dfd, up, c->s->path1);
		return;
	}
	n = lx_dpath(&f.file->f_path, c->s->path2, &path);
	given = lx_user_path(dfd, (const char __user *)up, c->s->path1,
			     c->s->tmp, c->s->dpath);
	if (n < 0) {
		if (given >= 0)
			lx_put_path_len(&c->r, c->s->path1, given);
		lx_put_attr_file(&c->r, f.file);
	} else {
		/* the attribute describes the path: keep them adjacent */
		lx_put_path_len(&c->r, path, n);
		lx_put_attr_file(&c->r, f.file);
		if (given >= 0 && (given != n || memcmp(path, c->s->path1, n))) {
			snprintf(c->s->tmp, LX_STR_MAX, "given path: %s",
				 c->s->path1);
			lx_put_text(&c->r, c->s->tmp);
		}
	}
	/*
	 * Keep the path for the fd's close (not from a shared fd table, see
	 * lx_pcache_put()); an O_TMPFILE file has no name of its own.
	 */
	if (n > 0 && path[0] == '/' && !(f.flags & FDPUT_FPUT) &&
	    !(flags & __O_TMPFILE))
		lx_pcache_put(f.file, c->ret, path, n);
	fdput(f);
}

void lx_h_open(struct lx_ctx *c)
{
	unsigned long flags, mode, up;
	int dfd = AT_FDCWD, ev;
	u64 how[2];

	switch (c->nr) {
	case __NR_open:
		up = c->a[0];
		flags = c->a[1];
		mode = c->a[2];
		ev = open_event(false, flags);
		break;
	case __NR_creat:
		up = c->a[0];
		mode = c->a[1];
		flags = O_CREAT | O_WRONLY | O_TRUNC;
		ev = LXE_CREAT;
		break;
	case __NR_openat2:
		dfd = c->a[0];
		up = c->a[1];
		if (copy_from_user_nofault(how, (void __user *)c->a[2],
					   sizeof(how)))
			memset(how, 0, sizeof(how));
		flags = how[0];
		mode = how[1];
		ev = open_event(true, flags);
		break;
	default:
		dfd = c->a[0];
		up = c->a[1];
		flags = c->a[2];
		mode = c->a[3];
		ev = open_event(true, flags);
		break;
	}
	if (!lx_selected(ev, lx_failed(c)))
		return;
	lx_begin(c, ev);
	lx_put_arg32(&c->r, 2, flags, "flags");
	if (flags & (O_CREAT | __O_TMPFILE))
		lx_put_arg32(&c->r, 3, mode, "mode");
	if (c->ret >= 0) {
		opened_path(c, dfd, up, flags);
	} else if (lx_put_upath(c, dfd, up, c->s->path1) == -EFAULT) {
		lx_emit_late_name(c, dfd, up);
		return;
	}
	lx_emit(c, c->ret);
}

/* No other thread can change current's fd table. */
static bool close_table_unshared(void)
{
	return atomic_read(&current->files->count) == 1;
}

/*
 * close(): by sys_exit the file is out of the fd table, so its path and
 * attributes are taken at sys_enter.  Usually the outcome is certain there
 * already: the fd is open in a table that no other thread shares (nobody
 * can close it first) and its file has no flush method (the only error a
 * close of an open fd returns comes from flush).  Then the whole record is
 * made at sys_enter, and sys_exit has nothing to do.  Otherwise the tokens
 * are stashed for sys_exit, which has the outcome.
 */

static void close_record(struct lx_ctx *c, struct file *f, int fd)
{
	if (!lx_selected(LXE_CLOSE, false))
		return;
	lx_begin(c, LXE_CLOSE);
	lx_put_arg32(&c->r, 1, fd, "fd");
	lx_put_file_tokens(&c->r, f, fd, c->s->path2);
	lx_emit(c, 0);
}

/*
 * Without a free slot: sys_exit records the close without path or attr,
 * unless the table is unshared, where sys_exit takes a success without a
 * slot as recorded here.  So the record is made here, as if it succeeded
 * (a flush that fails then gives a second record, of the failure).
 * Out of line: the usual close does not pay for this one's stack frame.
 */
static noinline void close_stash(struct lx_ctx *c, struct file *f, int fd)
{
	struct lx_stash *st;
	struct lx_rec r;

	st = lx_stash_open(current, c->nr, &r);
	if (!st) {
		if (close_table_unshared())
			close_record(c, f, fd);
		return;
	}
	lx_put_file_tokens(&r, f, fd, c->s->path2);
	lx_stash_close(st, &r);
}

/* close()'s file f at fd, at sys_enter: its record now, or its tokens kept */
static void close_enter_file(struct lx_ctx *c, struct file *f, int fd)
{
	if (close_table_unshared() && !f->f_op->flush)
		close_record(c, f, fd);
	else
		close_stash(c, f, fd);
}

void lx_enter_close(struct lx_ctx *c)
{
	int fd = c->a[0];
	struct file *path_only;
	struct fd f;

	if (!lx_maybe_selected(LXE_CLOSE))
		return;
	/* a slot left by a call whose sys_exit did not look */
	lx_stash_take(current, c->nr, NULL);
	f = fdget(fd);
	if (f.file) {
		close_enter_file(c, f.file, fd);
		fdput(f);
		return;
	}
	/* fdget() does not see O_PATH files */
	path_only = fget_raw(fd);
	if (!path_only)
		return;		/* EBADF: sys_exit records it */
	close_enter_file(c, path_only, fd);
	fput(path_only);
}

void lx_h_close(struct lx_ctx *c)
{
	if (!lx_selected(LXE_CLOSE, lx_failed(c))) {
		lx_stash_take(current, c->nr, NULL);
		return;
	}
	/* a success with nothing stashed was recorded at sys_enter */
	if (!lx_failed(c) && close_table_unshared() &&
	    !lx_stash_holds(current, c->nr))
		return;
	lx_begin(c, LXE_CLOSE);
	lx_put_arg32(&c->r, 1, c->a[0], "fd");
	lx_stash_take(current, c->nr, &c->r);
	lx_emit(c, c->ret);
}

static bool is_loginuid(struct file *f)
{
	return file_inode(f)->i_sb->s_magic == PROC_SUPER_MAGIC &&
	       !strcmp(f->f_path.dentry->d_name.name, "loginuid");
}

/* A write to /proc/<pid>/loginuid: the login point of a session. */
static void setauid(struct lx_ctx *c)
{
	char num[16];
	size_t n = min_t(size_t, c->a[2], sizeof(num) - 1);
	unsigned int auid;

	if (c->ret >= 0)
		lx_session_login();
	if (!lx_selected(LXE_SETAUID, lx_failed(c)))
		return;
	lx_begin(c, LXE_SETAUID);
	if (!copy_from_user_nofault(num, (void __user *)c->a[1], n)) {
		num[n] = '\0';
		if (!kstrtouint(strim(num), 10, &auid))
			lx_put_arg32(&c->r, 2, auid, "setauid");
	}
	lx_emit(c, c->ret);
}

void lx_h_rw(struct lx_ctx *c)
{
	int ev = c->nr == __NR_read ? LXE_READ :
		 c->nr == __NR_write ? LXE_WRITE : LXE_LSEEK;

	if (ev == LXE_WRITE) {
		struct fd f;
		bool login;

		/*
		 * A loginuid write matters to the terminal id of a process
		 * that accepted a connection even when nothing is selected.
		 */
		if (!lx_maybe_selected(LXE_WRITE) &&
		    !lx_maybe_selected(LXE_SETAUID) && !lx_login_wanted() &&
		    !lx_proc_has(current))
			return;
		f = fdget(c->a[0]);
		if (!f.file)
			goto plain;
		login = is_loginuid(f.file);
		fdput(f);
		if (login) {
			setauid(c);
			return;
		}
	}
plain:
	if (!lx_selected(ev, lx_failed(c)))
		return;
	/* a blocked peer's data: lxbsm_block.c recorded the denial */
	if (ev == LXE_READ && lx_block_denied(c->a[0], c->ret))
		return;
	lx_begin(c, ev);
	lx_put_arg32(&c->r, 1, c->a[0], "fd");
	if (ev == LXE_LSEEK) {
		lx_put_arg32(&c->r, 2, c->a[1], "offset");
		lx_put_arg32(&c->r, 3, c->a[2], "whence");
	} else {
		lx_put_arg32(&c->r, 3, c->a[2], "count");
	}
	lx_put_fd(c, c->a[0]);
	lx_emit(c, c->ret);
}

void lx_h_path1(struct lx_ctx *c)
{
	int ev, dfd = AT_FDCWD;
	unsigned long up = c->a[0];

	switch (c->nr) {
	case __NR_unlink:
		ev = LXE_UNLINK;
		break;
	case __NR_rmdir:
		ev = LXE_RMDIR;
		break;
	case __NR_unlinkat:
		ev = LXE_UNLINKAT;
		dfd = c->a[0];
		up = c->a[1];
		break;
	default:
		return;
	}
	if (!lx_selected(ev, lx_failed(c)))
		return;
	lx_begin(c, ev);
	lx_put_upath(c, dfd, up, c->s->path1);
	lx_emit(c, c->ret);
}

void lx_h_path2(struct lx_ctx *c)
{
	int ev, dfd1 = AT_FDCWD, dfd2 = AT_FDCWD;
	unsigned long p1 = c->a[0], p2 = c->a[1];
	unsigned int lookup = 0;
	bool ok1, ok2;

	switch (c->nr) {
	case __NR_rename:
		ev = LXE_RENAME;
		break;
	case __NR_link:
		ev = LXE_LINK;
		break;
	case __NR_renameat:
	case __NR_renameat2:
	case __NR_linkat:
		ev = c->nr == __NR_linkat ? LXE_LINKAT : LXE_RENAMEAT;
		dfd1 = c->a[0];
		p1 = c->a[1];
		dfd2 = c->a[2];
		p2 = c->a[3];
		break;
	default:
		return;
	}
	if (!lx_selected(ev, lx_failed(c)))
		return;
	lx_begin(c, ev);
	ok1 = lx_put_upath(c, dfd1, p1, c->s->path1) >= 0;
	ok2 = lx_put_upath(c, dfd2, p2, c->s->path2) >= 0;
	if ((ev == LXE_RENAME || ev == LXE_RENAMEAT) && !lx_failed(c)) {
		/* the object is at its new name now */
		lx_emit_attr(c, ok2 ? c->s->path2 : NULL, 0);
		return;
	}
	if (ev == LXE_LINKAT && (c->a[4] & AT_SYMLINK_FOLLOW))
		lookup = LOOKUP_FOLLOW;
	lx_emit_attr(c, ok1 ? c->s->path1 : NULL, lookup);
}

void lx_h_symlink(struct lx_ctx *c)
{
	bool at = c->nr == __NR_symlinkat;
	int ev = at ? LXE_SYMLINKAT : LXE_SYMLINK;
	bool ok;

	if (!lx_selected(ev, lx_failed(c)))
		return;
	lx_begin(c, ev);
	lx_put_utext(c, c->a[0]);
	if (at)
		ok = lx_put_upath(c, c->a[1], c->a[2], c->s->path1) >= 0;
	else
		ok = lx_put_upath(c, AT_FDCWD, c->a[1], c->s->path1) >= 0;
	lx_emit_attr(c, ok ? c->s->path1 : NULL, 0);	/* the link itself */
}

void lx_h_mkdir(struct lx_ctx *c)
{
	bool at = c->nr == __NR_mkdirat;
	int ev = at ? LXE_MKDIRAT : LXE_MKDIR;
	bool ok;

	if (!lx_selected(ev, lx_failed(c)))
		return;
	lx_begin(c, ev);
	lx_put_arg32(&c->r, 2, at ? c->a[2] : c->a[1], "mode");
	if (at)
		ok = lx_put_upath(c, c->a[0], c->a[1], c->s->path1) >= 0;
	else
		ok = lx_put_upath(c, AT_FDCWD, c->a[0], c->s->path1) >= 0;
	lx_emit_attr(c, ok ? c->s->path1 : NULL, 0);
}

void lx_h_chmod(struct lx_ctx *c)
{
	int ev = c->nr == __NR_chmod ? LXE_CHMOD :
		 c->nr == __NR_fchmod ? LXE_FCHMOD : LXE_FCHMODAT;
	bool ok;

	if (!lx_selected(ev, lx_failed(c)))
		return;
	lx_begin(c, ev);
	switch (ev) {
	case LXE_CHMOD:
		lx_put_arg32(&c->r, 2, c->a[1], "new file mode");
		ok = lx_put_upath(c, AT_FDCWD, c->a[0], c->s->path1) >= 0;
		break;
	case LXE_FCHMOD:
		lx_put_arg32(&c->r, 2, c->a[1], "new file mode");
		lx_put_fd(c, c->a[0]);
		lx_emit(c, c->ret);
		return;
	default:
		lx_put_arg32(&c->r, 3, c->a[2], "new file mode");
		ok = lx_put_upath(c, c->a[0], c->a[1], c->s->path1) >= 0;
		break;
	}
	lx_emit_attr(c, ok ? c->s->path1 : NULL, LOOKUP_FOLLOW);
}

void lx_h_chown(struct lx_ctx *c)
{
	int ev = c->nr == __NR_chown ? LXE_CHOWN :
		 c->nr == __NR_lchown ? LXE_LCHOWN :
		 c->nr == __NR_fchown ? LXE_FCHOWN : LXE_FCHOWNAT;
	int i = ev == LXE_FCHOWNAT ? 2 : 1;
	unsigned int lookup = LOOKUP_FOLLOW;
	bool ok;

	if (!lx_selected(ev, lx_failed(c)))
		return;
	lx_begin(c, ev);
	lx_put_arg32(&c->r, i + 1, c->a[i], "new file uid");
	lx_put_arg32(&c->r, i + 2, c->a[i + 1], "new file gid");
	if (ev == LXE_FCHOWN) {
		lx_put_fd(c, c->a[0]);
		lx_emit(c, c->ret);
		return;
	}
	if (ev == LXE_FCHOWNAT) {
		ok = lx_put_upath(c, c->a[0], c->a[1], c->s->path1) >= 0;
		if (c->a[4] & AT_SYMLINK_NOFOLLOW)
			lookup = 0;
	} else {
		ok = lx_put_upath(c, AT_FDCWD, c->a[0], c->s->path1) >= 0;
		if (ev == LXE_LCHOWN)
			lookup = 0;
	}
	lx_emit_attr(c, ok ? c->s->path1 : NULL, lookup);
}
