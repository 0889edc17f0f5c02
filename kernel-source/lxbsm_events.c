// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_events.c - one BSM record per audited system call or process event.
 *
 * Most records are built at sys_exit, when the outcome is known: the
 * arguments are still in the saved user registers and the strings and
 * sockaddrs they point to are still in the caller's memory (a thread of the
 * same process could change them in between; the record then shows what
 * was there at exit).  sys_enter keeps what is gone by then: the file that
 * close() releases, and the credentials before a set*id() call.  A
 * successful exec is recorded at sched_process_exec, where the new image's
 * arguments are in place; exit at sched_process_exit.
 *
 * Records are built in a per-CPU scratch buffer with preemption disabled,
 * then copied into the queue.  Only 64-bit system calls are recorded.
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
#include "lxbsm_int.h"

static DEFINE_PER_CPU(struct lx_scratch *, lx_scratch_ptr);

struct lx_ctx {
	struct lx_scratch *s;
	struct lx_rec r;
	unsigned long a[6];
	long nr;		/* the 64-bit system call's number */
	long ret;
	bool compat;		/* a 32-bit call: 32-bit pointers in memory */
};

typedef void (*lx_handler)(struct lx_ctx *c);

/* header and subject */
static void begin(struct lx_ctx *c, int ev)
{
	lx_rec_init(&c->r, c->s->rec, LX_REC_MAX);
	lx_put_header(&c->r, lx_events[ev].bsm);
	lx_put_subject(&c->r, current);
}

/* header and the subject saved at sys_enter (or the current one) */
static void begin_stashed(struct lx_ctx *c, int ev)
{
	lx_rec_init(&c->r, c->s->rec, LX_REC_MAX);
	lx_put_header(&c->r, lx_events[ev].bsm);
	if (!lx_stash_take(current, c->nr, &c->r))
		lx_put_subject(&c->r, current);
}

/* return, trailer, queue */
static void emit(struct lx_ctx *c, long ret)
{
	u32 len = lx_rec_finish(&c->r, ret);

	lx_enqueue(c->r.buf, len);
}

static bool failed(struct lx_ctx *c)
{
	return c->ret < 0;
}

/*
 * A path argument (dfd may be AT_FDCWD) as a path token, made in out;
 * returns its length, or a negative errno if there is none.
 */
static int put_upath(struct lx_ctx *c, int dfd, unsigned long up, char *out)
{
	int n = lx_user_path(dfd, (const char __user *)up, out, c->s->tmp,
			     c->s->dpath);

	if (n >= 0)
		lx_put_path_len(&c->r, out, n);
	return n;
}

/*
 * The attributes of a path-named object, as they are after the call.  A
 * probe may not sleep and a lookup may, so the record goes aside and is
 * finished on the task's way back to user space (a task_work, as for the
 * block policy): look the path up, add attr32, queue.  Objects that the
 * call removes (unlink, rmdir) would need a lookup before the call, which
 * has no sleepable hook here: their records carry no attr32.
 */
struct lx_late {
	struct callback_head cb;
	long ret;
	u32 len;		/* of the record so far, in buf */
	u32 path_off;		/* the path, after room for attr and tail */
	unsigned int lookup;	/* LOOKUP_FOLLOW or 0 */
	u8 buf[];
};

static atomic_t late_pending = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(late_wq);

static void late_work(struct callback_head *cb)
{
	struct lx_late *l = container_of(cb, struct lx_late, cb);
	struct lx_rec r;
	struct path p;

	lx_rec_init(&r, l->buf, l->path_off);
	r.len = l->len;
	/* no fs: run by exit_task_work() of a dying task */
	if (current->fs && !kern_path(l->buf + l->path_off, l->lookup, &p)) {
		lx_put_attr_inode(&r, d_inode(p.dentry));
		path_put(&p);
	}
	lx_enqueue(r.buf, lx_rec_finish(&r, l->ret));
	kfree(l);
	lx_work_done(&late_pending, &late_wq);
}

/*
 * Finish the record with the attributes of path (absolute; NULL: none),
 * or without them where they cannot be had.
 */
static void emit_attr(struct lx_ctx *c, const char *path, unsigned int lookup)
{
	u32 cap = c->r.len + LX_ATTR_LEN + LX_REC_TAIL;
	struct lx_late *l;
	size_t plen;

	if (!path || path[0] != '/' || c->r.overflow ||
	    (current->flags & (PF_EXITING | PF_KTHREAD)))
		goto now;
	plen = strlen(path) + 1;
	l = kmalloc(sizeof(*l) + cap + plen, GFP_ATOMIC | __GFP_NOWARN);
	if (!l)
		goto now;
	memcpy(l->buf, c->r.buf, c->r.len);
	l->len = c->r.len;
	l->ret = c->ret;
	l->path_off = cap;
	l->lookup = lookup;
	memcpy(l->buf + cap, path, plen);
	init_task_work(&l->cb, late_work);
	atomic_inc(&late_pending);
	if (!task_work_add(current, &l->cb, TWA_RESUME))
		return;
	atomic_dec(&late_pending);
	kfree(l);
now:
	emit(c, c->ret);
}

/*
 * A failed open whose name could not be read without faulting (its page
 * not present): the record goes aside, and on the task's way back to user
 * space, where faults are allowed, the name is read and added.
 */
struct lx_late_name {
	struct callback_head cb;
	long ret;
	int dfd;
	const char __user *upath;
	u32 len;		/* of the record so far, in buf */
	u32 cap;		/* of buf: room for a path token and the tail */
	u8 buf[];
};

static void late_name_work(struct callback_head *cb)
{
	struct lx_late_name *l = container_of(cb, struct lx_late_name, cb);
	char *name = kmalloc(3 * LX_STR_MAX, GFP_KERNEL);
	struct lx_rec r;
	long n;

	lx_rec_init(&r, l->buf, l->cap);
	r.len = l->len;
	if (name && current->fs) {
		n = strncpy_from_user(name, l->upath, LX_STR_MAX);
		if (n >= 0) {
			name[min_t(long, n, LX_STR_MAX - 1)] = '\0';
			n = lx_resolve_path(l->dfd, name, strlen(name),
					    name + LX_STR_MAX,
					    name + 2 * LX_STR_MAX);
			lx_put_path_len(&r, name, n);
		}
	}
	kfree(name);
	lx_enqueue(r.buf, lx_rec_finish(&r, l->ret));
	kfree(l);
	lx_work_done(&late_pending, &late_wq);
}

/* Finish the record of a failed open later, with its name; or now without. */
static void emit_late_name(struct lx_ctx *c, int dfd, unsigned long up)
{
	u32 cap = c->r.len + 3 + LX_STR_MAX + LX_REC_TAIL;
	struct lx_late_name *l;

	if (c->r.overflow || (current->flags & (PF_EXITING | PF_KTHREAD)))
		goto now;
	l = kmalloc(sizeof(*l) + cap, GFP_ATOMIC | __GFP_NOWARN);
	if (!l)
		goto now;
	memcpy(l->buf, c->r.buf, c->r.len);
	l->len = c->r.len;
	l->cap = cap;
	l->ret = c->ret;
	l->dfd = dfd;
	l->upath = (const char __user *)up;
	init_task_work(&l->cb, late_name_work);
	atomic_inc(&late_pending);
	if (!task_work_add(current, &l->cb, TWA_RESUME))
		return;
	atomic_dec(&late_pending);
	kfree(l);
now:
	emit(c, c->ret);
}

/* At unload, after the probes: let the records set aside be queued. */
void lx_events_drain(void)
{
	lx_work_wait(&late_pending, &late_wq);
}

/* A string argument as a text token. */
static void put_utext(struct lx_ctx *c, unsigned long up)
{
	if (up && lx_strncpy_user(c->s->tmp, (const char __user *)up,
				  LX_STR_MAX) >= 0)
		lx_put_text(&c->r, c->s->tmp);
}

/* The path and attributes of file f, open at fd, into r. */
static void put_file_tokens(struct lx_rec *r, struct file *f, int fd,
			    char *buf)
{
	const char *path;
	int n = lx_file_path(f, fd, buf, &path);

	if (n >= 0)
		lx_put_path_len(r, path, n);
	lx_put_attr_file(r, f);
}

/* The path and attributes of the file at fd into r. */
static void put_fd_tokens(struct lx_rec *r, int fd, char *buf)
{
	struct fd f = fdget(fd);

	if (!f.file)
		return;
	put_file_tokens(r, f.file, fd, buf);
	fdput(f);
}

static void put_fd(struct lx_ctx *c, int fd)
{
	put_fd_tokens(&c->r, fd, c->s->path2);
}

/* process */

static void h_fork(struct lx_ctx *c)
{
	unsigned long flags = 0;
	int ev = LXE_FORK;

	if (c->ret == 0)
		return;		/* the child's side */
	if (c->nr == __NR_vfork) {
		ev = LXE_VFORK;
	} else if (c->nr == __NR_clone || c->nr == __NR_clone3) {
		if (c->nr == __NR_clone)
			flags = c->a[0];
		else if (copy_from_user_nofault(&flags, (void __user *)c->a[0],
						sizeof(u64)))
			flags = 0;
		if (flags & CLONE_VFORK)
			ev = LXE_VFORK;
		else if (flags & (CLONE_VM | CLONE_THREAD))
			ev = LXE_RFORK;
	}
	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	if (c->ret > 0)
		lx_put_arg32(&c->r, 0, c->ret, "child PID");
	if (c->nr == __NR_clone || c->nr == __NR_clone3)
		lx_put_arg32(&c->r, 1, flags, "flags");
	emit(c, c->ret);
}

/* The target of kill or ptrace: its process token, or its pid. */
static void put_target(struct lx_ctx *c, pid_t pid, u8 argn)
{
	struct task_struct *t = NULL;

	if (pid > 0) {
		rcu_read_lock();
		t = pid_task(find_vpid(pid), PIDTYPE_PID);
		if (t)
			lx_put_process(&c->r, t);
		rcu_read_unlock();
	}
	if (!t)
		lx_put_arg32(&c->r, argn, pid, "process");
}

static void h_kill(struct lx_ctx *c)
{
	pid_t pid = c->a[0];
	int sig = c->a[1];

	if (!lx_selected(LXE_KILL, failed(c)))
		return;
	if (c->nr == __NR_tgkill) {
		pid = c->a[1];
		sig = c->a[2];
	}
	begin(c, LXE_KILL);
	lx_put_arg32(&c->r, 2, sig, "signal");
	put_target(c, pid, 1);
	emit(c, c->ret);
}

static void h_ptrace(struct lx_ctx *c)
{
	if (!lx_selected(LXE_PTRACE, failed(c)))
		return;
	begin(c, LXE_PTRACE);
	lx_put_arg32(&c->r, 1, c->a[0], "request");
	put_target(c, c->a[1], 2);
	emit(c, c->ret);
}

/*
 * By sched_process_exec the call number says execve whatever the call was
 * (the binary format sets it for its ABI): note an execveat for it.
 */
static void enter_execveat(struct lx_ctx *c)
{
	struct lx_stash *st;
	struct lx_rec r;

	st = lx_stash_open(current, c->nr, &r);
	if (st)
		lx_stash_close(st, &r);
}

/* A failed exec (a successful one is recorded at sched_process_exec). */
static void h_execve(struct lx_ctx *c)
{
	bool at = c->nr == __NR_execveat;
	int ev = at ? LXE_EXECVEAT : LXE_EXECVE;

	if (at)
		lx_stash_take(current, c->nr, NULL);
	if (c->ret >= 0 || !lx_selected(ev, true))
		return;
	begin(c, ev);
	put_upath(c, at ? c->a[0] : AT_FDCWD, at ? c->a[1] : c->a[0],
		  c->s->path1);
	lx_put_user_argv(&c->r, (const char __user *const __user *)
			 (at ? c->a[2] : c->a[1]), c->s->tmp, c->compat);
	emit(c, c->ret);
}

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
		put_upath(c, dfd, up, c->s->path1);
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

static void h_open(struct lx_ctx *c)
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
	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	lx_put_arg32(&c->r, 2, flags, "flags");
	if (flags & (O_CREAT | __O_TMPFILE))
		lx_put_arg32(&c->r, 3, mode, "mode");
	if (c->ret >= 0) {
		opened_path(c, dfd, up, flags);
	} else if (put_upath(c, dfd, up, c->s->path1) == -EFAULT) {
		emit_late_name(c, dfd, up);
		return;
	}
	emit(c, c->ret);
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
	begin(c, LXE_CLOSE);
	lx_put_arg32(&c->r, 1, fd, "fd");
	put_file_tokens(&c->r, f, fd, c->s->path2);
	emit(c, 0);
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
	put_file_tokens(&r, f, fd, c->s->path2);
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

static void enter_close(struct lx_ctx *c)
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

static void h_close(struct lx_ctx *c)
{
	if (!lx_selected(LXE_CLOSE, failed(c))) {
		lx_stash_take(current, c->nr, NULL);
		return;
	}
	/* a success with nothing stashed was recorded at sys_enter */
	if (!failed(c) && close_table_unshared() &&
	    !lx_stash_holds(current, c->nr))
		return;
	begin(c, LXE_CLOSE);
	lx_put_arg32(&c->r, 1, c->a[0], "fd");
	lx_stash_take(current, c->nr, &c->r);
	emit(c, c->ret);
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
		lx_proc_login(current);
	if (!lx_selected(LXE_SETAUID, failed(c)))
		return;
	begin(c, LXE_SETAUID);
	if (!copy_from_user_nofault(num, (void __user *)c->a[1], n)) {
		num[n] = '\0';
		if (!kstrtouint(strim(num), 10, &auid))
			lx_put_arg32(&c->r, 2, auid, "setauid");
	}
	emit(c, c->ret);
}

static void h_rw(struct lx_ctx *c)
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
		    !lx_maybe_selected(LXE_SETAUID) && !lx_proc_has(current))
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
	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	lx_put_arg32(&c->r, 1, c->a[0], "fd");
	if (ev == LXE_LSEEK) {
		lx_put_arg32(&c->r, 2, c->a[1], "offset");
		lx_put_arg32(&c->r, 3, c->a[2], "whence");
	} else {
		lx_put_arg32(&c->r, 3, c->a[2], "count");
	}
	put_fd(c, c->a[0]);
	emit(c, c->ret);
}

static void h_path1(struct lx_ctx *c)
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
	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	put_upath(c, dfd, up, c->s->path1);
	emit(c, c->ret);
}

static void h_path2(struct lx_ctx *c)
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
	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	ok1 = put_upath(c, dfd1, p1, c->s->path1) >= 0;
	ok2 = put_upath(c, dfd2, p2, c->s->path2) >= 0;
	if ((ev == LXE_RENAME || ev == LXE_RENAMEAT) && !failed(c)) {
		/* the object is at its new name now */
		emit_attr(c, ok2 ? c->s->path2 : NULL, 0);
		return;
	}
	if (ev == LXE_LINKAT && (c->a[4] & AT_SYMLINK_FOLLOW))
		lookup = LOOKUP_FOLLOW;
	emit_attr(c, ok1 ? c->s->path1 : NULL, lookup);
}

static void h_symlink(struct lx_ctx *c)
{
	bool at = c->nr == __NR_symlinkat;
	int ev = at ? LXE_SYMLINKAT : LXE_SYMLINK;
	bool ok;

	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	put_utext(c, c->a[0]);
	if (at)
		ok = put_upath(c, c->a[1], c->a[2], c->s->path1) >= 0;
	else
		ok = put_upath(c, AT_FDCWD, c->a[1], c->s->path1) >= 0;
	emit_attr(c, ok ? c->s->path1 : NULL, 0);	/* the link itself */
}

static void h_mkdir(struct lx_ctx *c)
{
	bool at = c->nr == __NR_mkdirat;
	int ev = at ? LXE_MKDIRAT : LXE_MKDIR;
	bool ok;

	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	lx_put_arg32(&c->r, 2, at ? c->a[2] : c->a[1], "mode");
	if (at)
		ok = put_upath(c, c->a[0], c->a[1], c->s->path1) >= 0;
	else
		ok = put_upath(c, AT_FDCWD, c->a[0], c->s->path1) >= 0;
	emit_attr(c, ok ? c->s->path1 : NULL, 0);
}

static void h_chmod(struct lx_ctx *c)
{
	int ev = c->nr == __NR_chmod ? LXE_CHMOD :
		 c->nr == __NR_fchmod ? LXE_FCHMOD : LXE_FCHMODAT;
	bool ok;

	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	switch (ev) {
	case LXE_CHMOD:
		lx_put_arg32(&c->r, 2, c->a[1], "new file mode");
		ok = put_upath(c, AT_FDCWD, c->a[0], c->s->path1) >= 0;
		break;
	case LXE_FCHMOD:
		lx_put_arg32(&c->r, 2, c->a[1], "new file mode");
		put_fd(c, c->a[0]);
		emit(c, c->ret);
		return;
	default:
		lx_put_arg32(&c->r, 3, c->a[2], "new file mode");
		ok = put_upath(c, c->a[0], c->a[1], c->s->path1) >= 0;
		break;
	}
	emit_attr(c, ok ? c->s->path1 : NULL, LOOKUP_FOLLOW);
}

static void h_chown(struct lx_ctx *c)
{
	int ev = c->nr == __NR_chown ? LXE_CHOWN :
		 c->nr == __NR_lchown ? LXE_LCHOWN :
		 c->nr == __NR_fchown ? LXE_FCHOWN : LXE_FCHOWNAT;
	int i = ev == LXE_FCHOWNAT ? 2 : 1;
	unsigned int lookup = LOOKUP_FOLLOW;
	bool ok;

	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	lx_put_arg32(&c->r, i + 1, c->a[i], "new file uid");
	lx_put_arg32(&c->r, i + 2, c->a[i + 1], "new file gid");
	if (ev == LXE_FCHOWN) {
		put_fd(c, c->a[0]);
		emit(c, c->ret);
		return;
	}
	if (ev == LXE_FCHOWNAT) {
		ok = put_upath(c, c->a[0], c->a[1], c->s->path1) >= 0;
		if (c->a[4] & AT_SYMLINK_NOFOLLOW)
			lookup = 0;
	} else {
		ok = put_upath(c, AT_FDCWD, c->a[0], c->s->path1) >= 0;
		if (ev == LXE_LCHOWN)
			lookup = 0;
	}
	emit_attr(c, ok ? c->s->path1 : NULL, lookup);
}

/* credentials */

static int cred_event(long nr)
{
	switch (nr) {
	case __NR_setuid:
		return LXE_SETUID;
	case __NR_setgid:
		return LXE_SETGID;
	case __NR_setreuid:
		return LXE_SETREUID;
	case __NR_setregid:
		return LXE_SETREGID;
	case __NR_setresuid:
		return LXE_SETRESUID;
	default:
		return LXE_SETRESGID;
	}
}

/* Keep the subject as it is before the credentials change. */
static void enter_cred(struct lx_ctx *c)
{
	struct lx_stash *st;
	struct lx_rec r;

	if (!lx_maybe_selected(cred_event(c->nr)))
		return;
	st = lx_stash_open(current, c->nr, &r);
	if (!st)
		return;
	lx_put_subject(&r, current);
	lx_stash_close(st, &r);
}

static void h_cred(struct lx_ctx *c)
{
	static const char *const names[][3] = {
		[LXE_SETUID - LXE_SETUID] = { "uid" },
		[LXE_SETGID - LXE_SETUID] = { "gid" },
		[LXE_SETREUID - LXE_SETUID] = { "ruid", "euid" },
		[LXE_SETREGID - LXE_SETUID] = { "rgid", "egid" },
		[LXE_SETRESUID - LXE_SETUID] = { "ruid", "euid", "suid" },
		[LXE_SETRESGID - LXE_SETUID] = { "rgid", "egid", "sgid" },
	};
	int ev = cred_event(c->nr), i;

	if (!lx_selected(ev, failed(c))) {
		lx_stash_take(current, c->nr, NULL);
		return;
	}
	begin_stashed(c, ev);
	for (i = 0; i < 3 && names[ev - LXE_SETUID][i]; i++)
		lx_put_arg32(&c->r, i + 1, c->a[i], names[ev - LXE_SETUID][i]);
	emit(c, c->ret);
}

/* system */

static void h_mount(struct lx_ctx *c)
{
	if (!lx_selected(LXE_MOUNT, failed(c)))
		return;
	begin(c, LXE_MOUNT);
	lx_put_arg32(&c->r, 3, c->a[3], "flags");
	put_upath(c, AT_FDCWD, c->a[1], c->s->path1);
	put_utext(c, c->a[2]);	/* file system type */
	put_utext(c, c->a[0]);	/* source */
	emit(c, c->ret);
}

static void h_umount(struct lx_ctx *c)
{
	if (!lx_selected(LXE_UMOUNT2, failed(c)))
		return;
	begin(c, LXE_UMOUNT2);
	lx_put_arg32(&c->r, 2, c->a[1], "flags");
	put_upath(c, AT_FDCWD, c->a[0], c->s->path1);
	emit(c, c->ret);
}

static void h_module(struct lx_ctx *c)
{
	int ev = c->nr == __NR_delete_module ? LXE_MODUNLOAD : LXE_MODLOAD;

	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	switch (c->nr) {
	case __NR_init_module:
		lx_put_arg32(&c->r, 2, c->a[1], "length");
		put_utext(c, c->a[2]);
		break;
	case __NR_finit_module:
		lx_put_arg32(&c->r, 1, c->a[0], "fd");
		lx_put_arg32(&c->r, 3, c->a[2], "flags");
		put_fd(c, c->a[0]);
		put_utext(c, c->a[1]);
		break;
	default:
		put_utext(c, c->a[0]);
		lx_put_arg32(&c->r, 2, c->a[1], "flags");
		break;
	}
	emit(c, c->ret);
}

/* sockets */

static void put_user_sockaddr(struct lx_ctx *c, unsigned long up, long len)
{
	if (!up || len <= 0)
		return;
	if (len > sizeof(struct sockaddr_storage))
		len = sizeof(struct sockaddr_storage);
	if (copy_from_user_nofault(c->s->tmp, (void __user *)up, len))
		return;
	lx_put_sockaddr(&c->r, c->s->tmp, len);
}

static void put_sock(struct lx_ctx *c, int fd)
{
	struct socket *sock;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return;
	lx_put_socket_ex(&c->r, sock);
	sockfd_put(sock);
}

/* The peer of an accepted inet connection, for the session's terminal. */
static void note_peer(int fd)
{
	struct lx_termid peer = { 0 };
	struct socket *sock;
	struct sock *sk;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return;
	sk = sock->sk;
	if (sk && sk->sk_family == AF_INET) {
		__be32 a = READ_ONCE(inet_sk(sk)->inet_daddr);

		peer.type = AU_IPV4;
		memcpy(peer.addr, &a, 4);
		peer.port = ntohs(READ_ONCE(inet_sk(sk)->inet_dport));
		lx_proc_set_peer(current, &peer);
#if IS_ENABLED(CONFIG_IPV6)
	} else if (sk && sk->sk_family == AF_INET6) {
		peer.type = AU_IPV6;
		memcpy(peer.addr, &sk->sk_v6_daddr, 16);
		peer.port = ntohs(READ_ONCE(inet_sk(sk)->inet_dport));
		lx_proc_set_peer(current, &peer);
#endif
	}
	sockfd_put(sock);
}

static void h_socket(struct lx_ctx *c)
{
	if (!lx_selected(LXE_SOCKET, failed(c)))
		return;
	begin(c, LXE_SOCKET);
	lx_put_arg32(&c->r, 1, lx_domain_to_bsm(c->a[0]), "domain");
	lx_put_arg32(&c->r, 2, lx_socktype_to_bsm(c->a[1]), "type");
	lx_put_arg32(&c->r, 3, c->a[2], "protocol");
	emit(c, c->ret);
}

static void h_sockaddr(struct lx_ctx *c)
{
	int ev = c->nr == __NR_bind ? LXE_BIND : LXE_CONNECT;

	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	lx_put_arg32(&c->r, 1, c->a[0], "fd");
	put_user_sockaddr(c, c->a[1], (int)c->a[2]);
	put_sock(c, c->a[0]);
	emit(c, c->ret);
}

static void h_listen(struct lx_ctx *c)
{
	if (!lx_selected(LXE_LISTEN, failed(c)))
		return;
	begin(c, LXE_LISTEN);
	lx_put_arg32(&c->r, 1, c->a[0], "fd");
	lx_put_arg32(&c->r, 2, c->a[1], "backlog");
	put_sock(c, c->a[0]);
	emit(c, c->ret);
}

static void h_accept(struct lx_ctx *c)
{
	if (c->ret >= 0)
		note_peer(c->ret);
	if (!lx_selected(LXE_ACCEPT, failed(c)))
		return;
	begin(c, LXE_ACCEPT);
	lx_put_arg32(&c->r, 1, c->a[0], "fd");
	if (c->ret >= 0)
		put_sock(c, c->ret);
	emit(c, c->ret);
}

static void h_msg(struct lx_ctx *c)
{
	int ev;
	int len;

	switch (c->nr) {
	case __NR_recvmsg:
		ev = LXE_RECVMSG;
		break;
	case __NR_sendmsg:
		ev = LXE_SENDMSG;
		break;
	case __NR_recvfrom:
		ev = LXE_RECVFROM;
		break;
	default:
		ev = LXE_SENDTO;
		break;
	}
	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	lx_put_arg32(&c->r, 1, c->a[0], "fd");
	if (ev == LXE_RECVMSG || ev == LXE_SENDMSG) {
		struct user_msghdr mh;

		if (!copy_from_user_nofault(&mh, (void __user *)c->a[1],
					    sizeof(mh)))
			put_user_sockaddr(c, (unsigned long)mh.msg_name,
					  mh.msg_namelen);
	} else if (ev == LXE_SENDTO) {
		put_user_sockaddr(c, c->a[4], (int)c->a[5]);
	} else if (c->a[5] && !copy_from_user_nofault(&len,
				(void __user *)c->a[5], sizeof(len))) {
		put_user_sockaddr(c, c->a[4], len);
	}
	put_sock(c, c->a[0]);
	emit(c, c->ret);
}

#define LX_NR 512

/*
 * A system call's handler and the events it may write (ev .. ev + nev - 1);
 * "always" runs it whatever is selected (accept keeps the terminal id).
 */
struct lx_sys {
	lx_handler h;
	u8 ev;
	u8 nev;
	bool always;
};

#define SYS(nr, fn, e, n) [nr] = { .h = fn, .ev = e, .nev = n }

static const struct lx_sys exit_sys[LX_NR] = {
	SYS(__NR_fork, h_fork, LXE_FORK, 3),
	SYS(__NR_vfork, h_fork, LXE_FORK, 3),
	SYS(__NR_clone, h_fork, LXE_FORK, 3),
	SYS(__NR_clone3, h_fork, LXE_FORK, 3),
	SYS(__NR_execve, h_execve, LXE_EXECVE, 1),
	SYS(__NR_execveat, h_execve, LXE_EXECVE, 2),	/* takes enter's note */
	SYS(__NR_kill, h_kill, LXE_KILL, 1),
	SYS(__NR_tkill, h_kill, LXE_KILL, 1),
	SYS(__NR_tgkill, h_kill, LXE_KILL, 1),
	SYS(__NR_ptrace, h_ptrace, LXE_PTRACE, 1),
	SYS(__NR_open, h_open, LXE_OPEN_R, 12),
	SYS(__NR_openat, h_open, LXE_OPENAT_R, 12),
	SYS(__NR_openat2, h_open, LXE_OPENAT_R, 12),
	SYS(__NR_creat, h_open, LXE_CREAT, 1),
	SYS(__NR_close, h_close, LXE_CLOSE, 1),
	SYS(__NR_read, h_rw, LXE_READ, 1),
	SYS(__NR_write, h_rw, LXE_WRITE, 2),
	SYS(__NR_lseek, h_rw, LXE_LSEEK, 1),
	SYS(__NR_unlink, h_path1, LXE_UNLINK, 1),
	SYS(__NR_unlinkat, h_path1, LXE_UNLINKAT, 1),
	SYS(__NR_rmdir, h_path1, LXE_RMDIR, 1),
	SYS(__NR_rename, h_path2, LXE_RENAME, 1),
	SYS(__NR_renameat, h_path2, LXE_RENAMEAT, 1),
	SYS(__NR_renameat2, h_path2, LXE_RENAMEAT, 1),
	SYS(__NR_link, h_path2, LXE_LINK, 1),
	SYS(__NR_linkat, h_path2, LXE_LINKAT, 1),
	SYS(__NR_symlink, h_symlink, LXE_SYMLINK, 1),
	SYS(__NR_symlinkat, h_symlink, LXE_SYMLINKAT, 1),
	SYS(__NR_mkdir, h_mkdir, LXE_MKDIR, 1),
	SYS(__NR_mkdirat, h_mkdir, LXE_MKDIRAT, 1),
	SYS(__NR_chmod, h_chmod, LXE_CHMOD, 1),
	SYS(__NR_fchmod, h_chmod, LXE_FCHMOD, 1),
	SYS(__NR_fchmodat, h_chmod, LXE_FCHMODAT, 1),
	SYS(__NR_chown, h_chown, LXE_CHOWN, 1),
	SYS(__NR_lchown, h_chown, LXE_LCHOWN, 1),
	SYS(__NR_fchown, h_chown, LXE_FCHOWN, 1),
	SYS(__NR_fchownat, h_chown, LXE_FCHOWNAT, 1),
	SYS(__NR_setuid, h_cred, LXE_SETUID, 1),
	SYS(__NR_setgid, h_cred, LXE_SETGID, 1),
	SYS(__NR_setreuid, h_cred, LXE_SETREUID, 1),
	SYS(__NR_setregid, h_cred, LXE_SETREGID, 1),
	SYS(__NR_setresuid, h_cred, LXE_SETRESUID, 1),
	SYS(__NR_setresgid, h_cred, LXE_SETRESGID, 1),
	SYS(__NR_mount, h_mount, LXE_MOUNT, 1),
	SYS(__NR_umount2, h_umount, LXE_UMOUNT2, 1),
	SYS(__NR_init_module, h_module, LXE_MODLOAD, 1),
	SYS(__NR_finit_module, h_module, LXE_MODLOAD, 1),
	SYS(__NR_delete_module, h_module, LXE_MODUNLOAD, 1),
	SYS(__NR_socket, h_socket, LXE_SOCKET, 1),
	SYS(__NR_bind, h_sockaddr, LXE_BIND, 1),
	SYS(__NR_connect, h_sockaddr, LXE_CONNECT, 1),
	SYS(__NR_listen, h_listen, LXE_LISTEN, 1),
	[__NR_accept] = { .h = h_accept, .ev = LXE_ACCEPT, .nev = 1,
			  .always = true },
	[__NR_accept4] = { .h = h_accept, .ev = LXE_ACCEPT, .nev = 1,
			   .always = true },
	SYS(__NR_recvmsg, h_msg, LXE_RECVMSG, 1),
	SYS(__NR_sendmsg, h_msg, LXE_SENDMSG, 1),
	SYS(__NR_recvfrom, h_msg, LXE_RECVFROM, 1),
	SYS(__NR_sendto, h_msg, LXE_SENDTO, 1),
};

static const struct lx_sys enter_sys[LX_NR] = {
	SYS(__NR_execveat, enter_execveat, LXE_EXECVE, 2),
	SYS(__NR_close, enter_close, LXE_CLOSE, 1),
	SYS(__NR_setuid, enter_cred, LXE_SETUID, 1),
	SYS(__NR_setgid, enter_cred, LXE_SETGID, 1),
	SYS(__NR_setreuid, enter_cred, LXE_SETREUID, 1),
	SYS(__NR_setregid, enter_cred, LXE_SETREGID, 1),
	SYS(__NR_setresuid, enter_cred, LXE_SETRESUID, 1),
	SYS(__NR_setresgid, enter_cred, LXE_SETRESGID, 1),
};

/*
 * The system calls whose probes have work to do, by 64-bit number.  The
 * probes test enter_any and exit_any first: those bitmaps hold these bits
 * and the 32-bit numbers of the calls they stand for (one test for both
 * ABIs; the ABI is looked at after it), so that a call nothing is selected
 * for costs a compare and a bit test, and no function call.
 */
static DECLARE_BITMAP(exit_on, LX_NR);
static DECLARE_BITMAP(enter_on, LX_NR);
static struct {
	DECLARE_BITMAP(enter_any, LX_NR);
	DECLARE_BITMAP(exit_any, LX_NR);
} lx_fast ____cacheline_aligned;

/* Can some event of s be selected with the classes of live? */
static bool sys_selectable(const struct lx_sys *s, u32 live)
{
	int ev;

	if (!s->h)
		return false;
	for (ev = s->ev; ev < s->ev + s->nev; ev++)
		if (READ_ONCE(lx_event_class[ev]) & live)
			return true;
	return false;
}

/* Has s's handler work to do (a record, or the terminal id's upkeep)? */
static bool sys_live(const struct lx_sys *s, u32 live)
{
	return s->h && (s->always || sys_selectable(s, live));
}

#define I32_NR		0x0fff	/* the 64-bit number */
#define I32_ON		0x8000	/* recorded */
#define I32_UID16	0x4000	/* ids are 16 bits wide, 0xffff is -1 */
#define I32_SOCKETCALL	0x2000	/* arguments in a u32 array in memory */

#ifdef CONFIG_IA32_EMULATION
#define LX_NR32 512
#define I32(n32, n64, f) [__NR_ia32_##n32] = __NR_##n64 | I32_ON | (f)

/*
 * The 32-bit system calls (int $0x80, sysenter) that are recorded, each as
 * the 64-bit call whose arguments mean the same, registers and pointers
 * being 32 bits wide.  Not recorded: sendmsg and recvmsg (their msghdr has
 * another layout, also through socketcall), _llseek, and the x32 ABI.
 */
static const u16 ia32_map[LX_NR32] = {
	I32(fork, fork, 0), I32(vfork, vfork, 0), I32(clone, clone, 0),
	I32(clone3, clone3, 0), I32(execve, execve, 0),
	I32(execveat, execveat, 0), I32(kill, kill, 0), I32(tkill, tkill, 0),
	I32(tgkill, tgkill, 0), I32(ptrace, ptrace, 0),
	I32(open, open, 0), I32(openat, openat, 0), I32(openat2, openat2, 0),
	I32(creat, creat, 0), I32(close, close, 0), I32(read, read, 0),
	I32(write, write, 0), I32(lseek, lseek, 0),
	I32(unlink, unlink, 0), I32(unlinkat, unlinkat, 0),
	I32(rmdir, rmdir, 0), I32(rename, rename, 0),
	I32(renameat, renameat, 0), I32(renameat2, renameat2, 0),
	I32(link, link, 0), I32(linkat, linkat, 0), I32(symlink, symlink, 0),
	I32(symlinkat, symlinkat, 0), I32(mkdir, mkdir, 0),
	I32(mkdirat, mkdirat, 0), I32(chmod, chmod, 0),
	I32(fchmod, fchmod, 0), I32(fchmodat, fchmodat, 0),
	I32(chown32, chown, 0), I32(lchown32, lchown, 0),
	I32(fchown32, fchown, 0), I32(fchownat, fchownat, 0),
	I32(chown, chown, I32_UID16), I32(lchown, lchown, I32_UID16),
	I32(fchown, fchown, I32_UID16),
	I32(setuid32, setuid, 0), I32(setgid32, setgid, 0),
	I32(setreuid32, setreuid, 0), I32(setregid32, setregid, 0),
	I32(setresuid32, setresuid, 0), I32(setresgid32, setresgid, 0),
	I32(setuid, setuid, I32_UID16), I32(setgid, setgid, I32_UID16),
	I32(setreuid, setreuid, I32_UID16), I32(setregid, setregid, I32_UID16),
	I32(setresuid, setresuid, I32_UID16),
	I32(setresgid, setresgid, I32_UID16),
	I32(mount, mount, 0), I32(umount2, umount2, 0),
	I32(init_module, init_module, 0), I32(finit_module, finit_module, 0),
	I32(delete_module, delete_module, 0),
	I32(socket, socket, 0), I32(bind, bind, 0), I32(connect, connect, 0),
	I32(listen, listen, 0), I32(accept4, accept4, 0),
	I32(sendto, sendto, 0), I32(recvfrom, recvfrom, 0),
};

/* socketcall's calls: the 64-bit call and the number of arguments */
static const struct {
	u16 nr;
	u8 nargs;
} socketcall_map[] = {
	[SYS_SOCKET] = { __NR_socket | I32_ON, 3 },
	[SYS_BIND] = { __NR_bind | I32_ON, 3 },
	[SYS_CONNECT] = { __NR_connect | I32_ON, 3 },
	[SYS_LISTEN] = { __NR_listen | I32_ON, 2 },
	[SYS_ACCEPT] = { __NR_accept | I32_ON, 3 },
	[SYS_SENDTO] = { __NR_sendto | I32_ON, 6 },
	[SYS_RECVFROM] = { __NR_recvfrom | I32_ON, 6 },
	[SYS_ACCEPT4] = { __NR_accept4 | I32_ON, 4 },
};

/* A 32-bit call as I32_* bits and the 64-bit number; 0: not recorded. */
static u16 ia32_lookup(unsigned long nr, struct pt_regs *regs)
{
	if (!in_ia32_syscall() || nr >= LX_NR32)
		return 0;
	if (nr == __NR_ia32_socketcall) {
		u32 call = regs->bx;

		if (call >= ARRAY_SIZE(socketcall_map))
			return 0;
		return socketcall_map[call].nr ? socketcall_map[call].nr |
						 I32_SOCKETCALL : 0;
	}
	return ia32_map[nr];
}

/* A 32-bit call's arguments as the 64-bit call's. */
static noinline void ia32_args(struct lx_ctx *c, struct pt_regs *regs, u16 m)
{
	u32 a[6];
	int i, n;

	for (i = 0; i < 6; i++)
		c->a[i] = (u32)c->a[i];
	if (m & I32_SOCKETCALL) {
		n = socketcall_map[(u32)regs->bx].nargs;
		memset(a, 0, sizeof(a));
		if (copy_from_user_nofault(a, (void __user *)c->a[1],
					   n * sizeof(u32)))
			memset(a, 0, sizeof(a));
		for (i = 0; i < 6; i++)
			c->a[i] = a[i];
	}
	if (m & I32_UID16) {
		/* chown(path, uid, gid), setresuid(r, e, s) ... */
		i = c->nr == __NR_chown || c->nr == __NR_lchown ||
		    c->nr == __NR_fchown;
		for (n = i; n < i + 3; n++)
			c->a[n] = (u16)c->a[n] == 0xffff ? (u32)-1 :
				  (u16)c->a[n];
	}
}
#else
static u16 ia32_lookup(unsigned long nr, struct pt_regs *regs)
{
	return 0;
}

static void ia32_args(struct lx_ctx *c, struct pt_regs *regs, u16 m)
{
}
#endif

/* Publish a bitmap the probes read, a word at a time. */
static void publish_bits(unsigned long *dst, const unsigned long *src)
{
	int i;

	for (i = 0; i < BITS_TO_LONGS(LX_NR); i++)
		WRITE_ONCE(dst[i], src[i]);
}

/* The 32-bit numbers of the calls whose 64-bit numbers are set in on. */
static void add_ia32(unsigned long *any, const unsigned long *on)
{
#ifdef CONFIG_IA32_EMULATION
	int nr, i;

	for (nr = 0; nr < LX_NR32 && nr < LX_NR; nr++)
		if ((ia32_map[nr] & I32_ON) &&
		    test_bit(ia32_map[nr] & I32_NR, on))
			__set_bit(nr, any);
	for (i = 0; i < ARRAY_SIZE(socketcall_map); i++)
		if (socketcall_map[i].nr &&
		    test_bit(socketcall_map[i].nr & I32_NR, on))
			__set_bit(__NR_ia32_socketcall, any);
#endif
}

/*
 * live: the classes that some task may have selected.  Returns the
 * tracepoints that some selectable event needs (LX_NEED_*): sys_exit while
 * a system call's record can be selected, sys_enter while one of those
 * that keep something at entry (close, set*id, execveat) can.  What the
 * probes do whatever is selected (accept's peer, the loginuid write: the
 * terminal ids) does not keep them attached: see lx_sys_attach().
 */
u32 lx_events_reselect(u32 live)
{
	DECLARE_BITMAP(on, LX_NR);
	DECLARE_BITMAP(any, LX_NR);
	u32 need = 0;
	int nr;

	for (nr = 0; nr < LX_NR; nr++) {
		if (sys_selectable(&enter_sys[nr], live))
			need |= LX_NEED_ENTER;
		if (sys_selectable(&exit_sys[nr], live))
			need |= LX_NEED_EXIT;
	}

	/* the exact maps first, then the probes' first test */
	for (nr = 0; nr < LX_NR; nr++)
		__assign_bit(nr, on, sys_live(&enter_sys[nr], live));
	publish_bits(enter_on, on);
	bitmap_copy(any, on, LX_NR);
	add_ia32(any, on);
	publish_bits(lx_fast.enter_any, any);

	for (nr = 0; nr < LX_NR; nr++)
		__assign_bit(nr, on, sys_live(&exit_sys[nr], live));
	publish_bits(exit_on, on);
	bitmap_copy(any, on, LX_NR);
	/* a loginuid write sets the terminal of a process with an entry */
	__set_bit(__NR_write, any);
	__set_bit(__NR_write, on);
	add_ia32(any, on);
	publish_bits(lx_fast.exit_any, any);
	return need;
}

/* Bit nr of a probe's bitmap (a plain load and shift, not bt). */
static __always_inline bool fast_bit(const unsigned long *map,
				     unsigned long nr)
{
	return (READ_ONCE(map[nr / BITS_PER_LONG]) >> (nr % BITS_PER_LONG)) & 1;
}

/*
 * The context of a system call's handler: per CPU, like the scratch
 * buffers (probes run with preemption disabled and do not nest), which
 * spares clearing one on the stack per call.
 */
static DEFINE_PER_CPU(struct lx_ctx, lx_ctx_pcpu);

/* m: the I32_* bits of a 32-bit call, else 0 */
static void run(lx_handler h, struct pt_regs *regs, long nr, long ret, u16 m)
{
	struct lx_ctx *c;

	preempt_disable();
	c = this_cpu_ptr(&lx_ctx_pcpu);
	c->s = this_cpu_read(lx_scratch_ptr);
	c->nr = nr;
	c->ret = ret;
	c->compat = m;
	syscall_get_arguments(current, regs, c->a);
	if (m)
		ia32_args(c, regs, m);
	h(c);
	preempt_enable();
}

static noinline void sys_enter_slow(struct pt_regs *regs, long id)
{
	u16 m = 0;

	if (unlikely(in_compat_syscall())) {
		m = ia32_lookup(id, regs);
		if (!m)
			return;
		id = m & I32_NR;
	}
	if (!test_bit(id, enter_on) || lx_is_reader(current))
		return;
	run(enter_sys[id].h, regs, id, 0, m);
}

static noinline void sys_exit_slow(struct pt_regs *regs, unsigned long nr,
				   long ret)
{
	u16 m = 0;

	if (unlikely(in_compat_syscall())) {
		m = ia32_lookup(nr, regs);
		if (!m)
			return;
		nr = m & I32_NR;
	}
	if (!test_bit(nr, exit_on) && !(nr == __NR_write && lx_proc_any()))
		return;
	if (lx_is_reader(current))
		return;
	run(exit_sys[nr].h, regs, nr, ret, m);
}

/* The probes of sys_enter and sys_exit (with the tracepoints' prototypes). */
void lx_probe_sys_enter(void *data, struct pt_regs *regs, long id)
{
	if (likely((unsigned long)id >= LX_NR ||
		   !fast_bit(lx_fast.enter_any, id)))
		return;
	sys_enter_slow(regs, id);
}

void lx_probe_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	unsigned long nr = syscall_get_nr(current, regs);

	if (likely(nr >= LX_NR || !fast_bit(lx_fast.exit_any, nr)))
		return;
	sys_exit_slow(regs, nr, ret);
}

/* A successful exec: the new image's arguments are in its memory. */
void lx_sched_exec(struct task_struct *p, struct linux_binprm *bprm)
{
	struct mm_struct *mm = p->mm;
	struct lx_ctx c;
	unsigned long len;
	long nr;
	int ev;

	if (p != current || lx_is_reader(p))
		return;
	nr = lx_stash_take(p, __NR_execveat, NULL) ? __NR_execveat :
						       __NR_execve;
	ev = nr == __NR_execveat ? LXE_EXECVEAT : LXE_EXECVE;
	if (!lx_selected(ev, false))
		return;
	preempt_disable();
	c.s = this_cpu_read(lx_scratch_ptr);
	c.nr = nr;
	c.ret = 0;
	begin(&c, ev);
	len = lx_canon(bprm->filename, c.s->path1, c.s->tmp, c.s->dpath);
	lx_put_path_len(&c.r, c.s->path1, len);
	if (bprm->file)
		lx_put_attr_file(&c.r, bprm->file);
	if (mm && mm->arg_end > mm->arg_start) {
		len = min_t(unsigned long, mm->arg_end - mm->arg_start,
			    LX_ARGS_MAX);
		if (!copy_from_user_nofault(c.s->args,
					    (void __user *)mm->arg_start, len))
			lx_put_strings(&c.r, AUT_EXEC_ARGS, c.s->args, len);
	}
	if ((READ_ONCE(lx_policy) & LXBSM_POLICY_ARGE) && mm &&
	    mm->env_end > mm->env_start) {
		len = min_t(unsigned long, mm->env_end - mm->env_start,
			    LX_ARGS_MAX);
		if (!copy_from_user_nofault(c.s->args,
					    (void __user *)mm->env_start, len))
			lx_put_strings(&c.r, AUT_EXEC_ENV, c.s->args, len);
	}
	emit(&c, 0);
	preempt_enable();
}

/* The end of a process (its last thread): exit status in an exit token. */
void lx_sched_exit(struct task_struct *p)
{
	struct lx_ctx c;
	int code = p->exit_code;

	lx_stash_drop(p);
	if (p == current && atomic_read(&p->signal->live) == 0 &&
	    !(p->flags & PF_KTHREAD) && !lx_is_reader(p) &&
	    lx_selected(LXE_EXIT, false)) {
		preempt_disable();
		c.s = this_cpu_read(lx_scratch_ptr);
		c.nr = -1;
		c.ret = 0;
		begin(&c, LXE_EXIT);
		/* status: the exit value; return: the terminating signal */
		lx_put_exit(&c.r, (code >> 8) & 0xff, code & 0x7f);
		emit(&c, 0);
		preempt_enable();
	}
	lx_proc_exit_task(p);
}

void lx_sched_fork(struct task_struct *parent, struct task_struct *child)
{
	lx_proc_fork(parent, child);
}

int lx_events_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct lx_scratch *s = kvzalloc(sizeof(*s), GFP_KERNEL);

		if (!s) {
			lx_events_exit();
			return -ENOMEM;
		}
		per_cpu(lx_scratch_ptr, cpu) = s;
	}
	return 0;
}

void lx_events_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		kvfree(per_cpu(lx_scratch_ptr, cpu));
		per_cpu(lx_scratch_ptr, cpu) = NULL;
	}
}
