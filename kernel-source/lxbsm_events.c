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
	long nr;
	long ret;
};

typedef void (*lx_handler)(struct lx_ctx *c);

/* header and subject */
static void begin(struct lx_ctx *c, int ev)
{
	struct lx_termid tid;

	lx_rec_init(&c->r, c->s->rec, LX_REC_MAX);
	lx_put_header(&c->r, lx_events[ev].bsm);
	lx_proc_get_termid(current, &tid);
	lx_put_subject(&c->r, current, &tid);
}

/* header and the subject saved at sys_enter (or the current one) */
static void begin_stashed(struct lx_ctx *c, int ev)
{
	u32 n;

	lx_rec_init(&c->r, c->s->rec, LX_REC_MAX);
	lx_put_header(&c->r, lx_events[ev].bsm);
	n = lx_stash_take(current, c->nr, c->s->tmp);
	if (n) {
		lx_put_bytes(&c->r, c->s->tmp, n);
	} else {
		struct lx_termid tid;

		lx_proc_get_termid(current, &tid);
		lx_put_subject(&c->r, current, &tid);
	}
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

/* A path argument (dfd may be AT_FDCWD) as a path token. */
static void put_upath(struct lx_ctx *c, int dfd, unsigned long up, char *out)
{
	if (!lx_user_path(dfd, (const char __user *)up, out, c->s->tmp,
			  c->s->dpath))
		lx_put_path(&c->r, out);
}

/* A string argument as a text token. */
static void put_utext(struct lx_ctx *c, unsigned long up)
{
	if (up && lx_strncpy_user(c->s->tmp, (const char __user *)up,
				  LX_STR_MAX) >= 0)
		lx_put_text(&c->r, c->s->tmp);
}

/* The path and attributes of an open fd. */
static void put_fd(struct lx_ctx *c, int fd)
{
	struct file *f;

	if (lx_fd_path(fd, c->s->path2, &f))
		return;
	if (c->s->path2[0])
		lx_put_path(&c->r, c->s->path2);
	lx_put_attr_file(&c->r, f);
	fput(f);
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

/* A failed exec (a successful one is recorded at sched_process_exec). */
static void h_execve(struct lx_ctx *c)
{
	bool at = c->nr == __NR_execveat;
	int ev = at ? LXE_EXECVEAT : LXE_EXECVE;

	if (c->ret >= 0 || !lx_selected(ev, true))
		return;
	begin(c, ev);
	if (at)
		put_upath(c, c->a[0], c->a[1], c->s->path1);
	else
		put_upath(c, AT_FDCWD, c->a[0], c->s->path1);
	lx_put_user_argv(&c->r, (const char __user *const __user *)
			 (at ? c->a[2] : c->a[1]), c->s->tmp);
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
	put_upath(c, dfd, up, c->s->path1);
	if (c->ret >= 0) {
		struct file *f = fget(c->ret);

		if (f) {
			lx_put_attr_file(&c->r, f);
			fput(f);
		}
	}
	emit(c, c->ret);
}

static void enter_close(struct lx_ctx *c)
{
	struct lx_rec r;
	struct file *f;

	if (!lx_maybe_selected(LXE_CLOSE))
		return;
	if (lx_fd_path(c->a[0], c->s->path2, &f))
		return;
	lx_rec_init(&r, c->s->args, LX_STASH_MAX + LX_REC_TAIL);
	if (c->s->path2[0])
		lx_put_path(&r, c->s->path2);
	lx_put_attr_file(&r, f);
	fput(f);
	lx_stash_put(current, c->nr, r.buf, r.len);
}

static void h_close(struct lx_ctx *c)
{
	u32 n;

	n = lx_stash_take(current, c->nr, c->s->args);
	if (!lx_selected(LXE_CLOSE, failed(c)))
		return;
	begin(c, LXE_CLOSE);
	lx_put_arg32(&c->r, 1, c->a[0], "fd");
	lx_put_bytes(&c->r, c->s->args, n);
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
		struct file *f;
		bool login;

		/*
		 * A loginuid write matters to the terminal id of a process
		 * that accepted a connection even when nothing is selected.
		 */
		if (!lx_maybe_selected(LXE_WRITE) &&
		    !lx_maybe_selected(LXE_SETAUID) && !lx_proc_has(current))
			return;
		f = fget(c->a[0]);
		if (!f)
			goto plain;
		login = is_loginuid(f);
		fput(f);
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
	put_upath(c, dfd1, p1, c->s->path1);
	put_upath(c, dfd2, p2, c->s->path2);
	emit(c, c->ret);
}

static void h_symlink(struct lx_ctx *c)
{
	bool at = c->nr == __NR_symlinkat;
	int ev = at ? LXE_SYMLINKAT : LXE_SYMLINK;

	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	put_utext(c, c->a[0]);
	if (at)
		put_upath(c, c->a[1], c->a[2], c->s->path1);
	else
		put_upath(c, AT_FDCWD, c->a[1], c->s->path1);
	emit(c, c->ret);
}

static void h_mkdir(struct lx_ctx *c)
{
	bool at = c->nr == __NR_mkdirat;
	int ev = at ? LXE_MKDIRAT : LXE_MKDIR;

	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	lx_put_arg32(&c->r, 2, at ? c->a[2] : c->a[1], "mode");
	if (at)
		put_upath(c, c->a[0], c->a[1], c->s->path1);
	else
		put_upath(c, AT_FDCWD, c->a[0], c->s->path1);
	emit(c, c->ret);
}

static void h_chmod(struct lx_ctx *c)
{
	int ev = c->nr == __NR_chmod ? LXE_CHMOD :
		 c->nr == __NR_fchmod ? LXE_FCHMOD : LXE_FCHMODAT;

	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	switch (ev) {
	case LXE_CHMOD:
		lx_put_arg32(&c->r, 2, c->a[1], "new file mode");
		put_upath(c, AT_FDCWD, c->a[0], c->s->path1);
		break;
	case LXE_FCHMOD:
		lx_put_arg32(&c->r, 2, c->a[1], "new file mode");
		put_fd(c, c->a[0]);
		break;
	default:
		lx_put_arg32(&c->r, 3, c->a[2], "new file mode");
		put_upath(c, c->a[0], c->a[1], c->s->path1);
		break;
	}
	emit(c, c->ret);
}

static void h_chown(struct lx_ctx *c)
{
	int ev = c->nr == __NR_chown ? LXE_CHOWN :
		 c->nr == __NR_lchown ? LXE_LCHOWN :
		 c->nr == __NR_fchown ? LXE_FCHOWN : LXE_FCHOWNAT;
	int i = ev == LXE_FCHOWNAT ? 2 : 1;

	if (!lx_selected(ev, failed(c)))
		return;
	begin(c, ev);
	lx_put_arg32(&c->r, i + 1, c->a[i], "new file uid");
	lx_put_arg32(&c->r, i + 2, c->a[i + 1], "new file gid");
	if (ev == LXE_FCHOWN)
		put_fd(c, c->a[0]);
	else if (ev == LXE_FCHOWNAT)
		put_upath(c, c->a[0], c->a[1], c->s->path1);
	else
		put_upath(c, AT_FDCWD, c->a[0], c->s->path1);
	emit(c, c->ret);
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
	struct lx_termid tid;
	struct lx_rec r;

	if (!lx_maybe_selected(cred_event(c->nr)))
		return;
	lx_rec_init(&r, c->s->args, LX_STASH_MAX + LX_REC_TAIL);
	lx_proc_get_termid(current, &tid);
	lx_put_subject(&r, current, &tid);
	lx_stash_put(current, c->nr, r.buf, r.len);
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
		lx_stash_take(current, c->nr, c->s->tmp);
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

static const lx_handler exit_handlers[LX_NR] = {
	[__NR_fork] = h_fork,
	[__NR_vfork] = h_fork,
	[__NR_clone] = h_fork,
	[__NR_clone3] = h_fork,
	[__NR_execve] = h_execve,
	[__NR_execveat] = h_execve,
	[__NR_kill] = h_kill,
	[__NR_tkill] = h_kill,
	[__NR_tgkill] = h_kill,
	[__NR_ptrace] = h_ptrace,
	[__NR_open] = h_open,
	[__NR_openat] = h_open,
	[__NR_openat2] = h_open,
	[__NR_creat] = h_open,
	[__NR_close] = h_close,
	[__NR_read] = h_rw,
	[__NR_write] = h_rw,
	[__NR_lseek] = h_rw,
	[__NR_unlink] = h_path1,
	[__NR_unlinkat] = h_path1,
	[__NR_rmdir] = h_path1,
	[__NR_rename] = h_path2,
	[__NR_renameat] = h_path2,
	[__NR_renameat2] = h_path2,
	[__NR_link] = h_path2,
	[__NR_linkat] = h_path2,
	[__NR_symlink] = h_symlink,
	[__NR_symlinkat] = h_symlink,
	[__NR_mkdir] = h_mkdir,
	[__NR_mkdirat] = h_mkdir,
	[__NR_chmod] = h_chmod,
	[__NR_fchmod] = h_chmod,
	[__NR_fchmodat] = h_chmod,
	[__NR_chown] = h_chown,
	[__NR_lchown] = h_chown,
	[__NR_fchown] = h_chown,
	[__NR_fchownat] = h_chown,
	[__NR_setuid] = h_cred,
	[__NR_setgid] = h_cred,
	[__NR_setreuid] = h_cred,
	[__NR_setregid] = h_cred,
	[__NR_setresuid] = h_cred,
	[__NR_setresgid] = h_cred,
	[__NR_mount] = h_mount,
	[__NR_umount2] = h_umount,
	[__NR_init_module] = h_module,
	[__NR_finit_module] = h_module,
	[__NR_delete_module] = h_module,
	[__NR_socket] = h_socket,
	[__NR_bind] = h_sockaddr,
	[__NR_connect] = h_sockaddr,
	[__NR_listen] = h_listen,
	[__NR_accept] = h_accept,
	[__NR_accept4] = h_accept,
	[__NR_recvmsg] = h_msg,
	[__NR_sendmsg] = h_msg,
	[__NR_recvfrom] = h_msg,
	[__NR_sendto] = h_msg,
};

static const lx_handler enter_handlers[LX_NR] = {
	[__NR_close] = enter_close,
	[__NR_setuid] = enter_cred,
	[__NR_setgid] = enter_cred,
	[__NR_setreuid] = enter_cred,
	[__NR_setregid] = enter_cred,
	[__NR_setresuid] = enter_cred,
	[__NR_setresgid] = enter_cred,
};

static void run(lx_handler h, struct pt_regs *regs, long nr, long ret)
{
	struct lx_ctx c;

	preempt_disable();
	c.s = this_cpu_read(lx_scratch_ptr);
	c.nr = nr;
	c.ret = ret;
	syscall_get_arguments(current, regs, c.a);
	h(&c);
	preempt_enable();
}

void lx_sys_enter(struct pt_regs *regs, long id)
{
	lx_handler h;

	if (id < 0 || id >= LX_NR || in_compat_syscall())
		return;
	h = enter_handlers[id];
	if (!h || lx_is_reader(current))
		return;
	run(h, regs, id, 0);
}

void lx_sys_exit(struct pt_regs *regs, long ret)
{
	long nr = syscall_get_nr(current, regs);
	lx_handler h;

	if (nr < 0 || nr >= LX_NR || in_compat_syscall())
		return;
	h = exit_handlers[nr];
	if (!h || lx_is_reader(current))
		return;
	run(h, regs, nr, ret);
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
	nr = syscall_get_nr(p, task_pt_regs(p));
	ev = nr == __NR_execveat ? LXE_EXECVEAT : LXE_EXECVE;
	if (!lx_selected(ev, false))
		return;
	preempt_disable();
	c.s = this_cpu_read(lx_scratch_ptr);
	c.nr = nr;
	c.ret = 0;
	begin(&c, ev);
	lx_canon(bprm->filename, c.s->path1, NULL, c.s->dpath);
	lx_put_path(&c.r, c.s->path1);
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
