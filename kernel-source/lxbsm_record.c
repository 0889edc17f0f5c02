// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_record.c - what the record makers share: a path argument as a
 * token, the attr32 and the name read after the call (on the way back to
 * user space, where a lookup may sleep), text arguments, the tokens of an
 * open file.
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

/*
 * A path argument (dfd may be AT_FDCWD) as a path token, made in out;
 * returns its length, or a negative errno if there is none.
 */
int lx_put_upath(struct lx_ctx *c, int dfd, unsigned long up, char *out)
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
void lx_emit_attr(struct lx_ctx *c, const char *path, unsigned int lookup)
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
	lx_emit(c, c->ret);
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
void lx_emit_late_name(struct lx_ctx *c, int dfd, unsigned long up)
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
	lx_emit(c, c->ret);
}

/* At unload, after the probes: let the records set aside be queued. */
void lx_events_drain(void)
{
	lx_work_wait(&late_pending, &late_wq);
}

/* A string argument as a text token. */
void lx_put_utext(struct lx_ctx *c, unsigned long up)
{
	if (up && lx_strncpy_user(c->s->tmp, (const char __user *)up,
				  LX_STR_MAX) >= 0)
		lx_put_text(&c->r, c->s->tmp);
}

/* The path and attributes of file f, open at fd, into r. */
void lx_put_file_tokens(struct lx_rec *r, struct file *f, int fd,
			    char *buf)
{
	const char *path;
	int n = lx_file_path(f, fd, buf, &path);

	if (n >= 0)
		lx_put_path_len(r, path, n);
	lx_put_attr_file(r, f);
}

/* The path and attributes of the file at fd into r. */
void lx_put_fd_tokens(struct lx_rec *r, int fd, char *buf)
{
	struct fd f = fdget(fd);

	if (!f.file)
		return;
	lx_put_file_tokens(r, f.file, fd, buf);
	fdput(f);
}

void lx_put_fd(struct lx_ctx *c, int fd)
{
	lx_put_fd_tokens(&c->r, fd, c->s->path2);
}
