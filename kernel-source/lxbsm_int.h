/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lxbsm_int.h - what the parts of lxbsm.ko share.
 */
#ifndef _LXBSM_INT_H
#define _LXBSM_INT_H

#include <linux/types.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>
#include <linux/string.h>
#include "lxbsm.h"

struct socket;
struct linux_binprm;
struct file;
struct path;
struct inode;
struct pt_regs;

#define LXBSM_NAME "lxbsm"

/* Largest record the module builds: well below LXBSM_MAX_RECORD. */
#define LX_REC_MAX	32768
/* Size of an attr32 token. */
#define LX_ATTR_LEN	(1 + 4 * 4 + 8 + 4)
/* Room kept at the end of a record for return32 and trailer. */
#define LX_REC_TAIL	16
/* Paths and strings copied from user space are cut at this length. */
#define LX_STR_MAX	4096
/* Exec args (and env) are cut to this many bytes of strings. */
#define LX_ARGS_MAX	8192

/* BSM token ids that the module writes. */
#define AUT_TRAILER		0x13
#define AUT_HEADER32		0x14
#define AUT_PATH		0x23
#define AUT_RETURN32		0x27
#define AUT_TEXT		0x28
#define AUT_ARG32		0x2d
#define AUT_EXEC_ARGS		0x3c
#define AUT_EXEC_ENV		0x3d
#define AUT_ATTR32		0x3e
#define AUT_EXIT		0x52
#define AUT_SUBJECT32_EX	0x7a
#define AUT_PROCESS32_EX	0x7b
#define AUT_SOCKET_EX		0x7f
#define AUT_SOCKINET32		0x80
#define AUT_SOCKINET128		0x81
#define AUT_SOCKUNIX		0x82

#define AUDIT_HEADER_VERSION_OPENBSM	11
#define AUT_TRAILER_MAGIC		0xb105
#define AU_IPV4				4
#define AU_IPV6				16

/* A record being built in a per-CPU scratch buffer. */
struct lx_rec {
	u8 *buf;
	u32 len;
	u32 cap;
	bool overflow;
};

/* A terminal id: port and address, as in subject32_ex. */
struct lx_termid {
	u32 port;
	u32 type;	/* AU_IPV4 or AU_IPV6 */
	u8 addr[16];
};

/* Per-CPU scratch space; used with preemption disabled. */
struct lx_scratch {
	u8 rec[LX_REC_MAX];
	char path1[LX_STR_MAX];
	char path2[LX_STR_MAX];
	char tmp[LX_STR_MAX];
	char dpath[LX_STR_MAX];
	char args[LX_ARGS_MAX];
};

/* Events the module writes: an index into lx_events[]. */
enum lx_event {
	LXE_EXIT, LXE_FORK, LXE_VFORK, LXE_RFORK, LXE_EXECVE, LXE_EXECVEAT,
	LXE_KILL, LXE_PTRACE,
	LXE_OPEN_R, LXE_OPEN_RC, LXE_OPEN_RT, LXE_OPEN_RTC,
	LXE_OPEN_W, LXE_OPEN_WC, LXE_OPEN_WT, LXE_OPEN_WTC,
	LXE_OPEN_RW, LXE_OPEN_RWC, LXE_OPEN_RWT, LXE_OPEN_RWTC,
	LXE_OPENAT_R, LXE_OPENAT_RC, LXE_OPENAT_RT, LXE_OPENAT_RTC,
	LXE_OPENAT_W, LXE_OPENAT_WC, LXE_OPENAT_WT, LXE_OPENAT_WTC,
	LXE_OPENAT_RW, LXE_OPENAT_RWC, LXE_OPENAT_RWT, LXE_OPENAT_RWTC,
	LXE_CREAT, LXE_CLOSE,
	/*
	 * write may be a loginuid write: AUE_SETAUID, and a login if the
	 * writer is a login program (lxbsm_session.c)
	 */
	LXE_READ, LXE_LSEEK, LXE_WRITE, LXE_SETAUID,
	LXE_LOGIN, LXE_OPENSSH, LXE_TELNET, LXE_RLOGIN,
	LXE_UNLINK, LXE_UNLINKAT, LXE_RENAME, LXE_RENAMEAT,
	LXE_MKDIR, LXE_MKDIRAT, LXE_RMDIR,
	LXE_CHMOD, LXE_FCHMOD, LXE_FCHMODAT,
	LXE_CHOWN, LXE_FCHOWN, LXE_LCHOWN, LXE_FCHOWNAT,
	LXE_LINK, LXE_LINKAT, LXE_SYMLINK, LXE_SYMLINKAT,
	LXE_SETUID, LXE_SETGID, LXE_SETREUID, LXE_SETREGID,
	LXE_SETRESUID, LXE_SETRESGID,
	/* a set*uid call may be su's change of user; a leader's exit a logout */
	LXE_SU, LXE_LOGOUT,
	LXE_MOUNT, LXE_UMOUNT2, LXE_MODLOAD, LXE_MODUNLOAD,
	LXE_SOCKET, LXE_BIND, LXE_LISTEN, LXE_CONNECT, LXE_ACCEPT,
	LXE_RECVMSG, LXE_RECVFROM, LXE_SENDMSG, LXE_SENDTO,
	LXE_LOSS,
	LXE_COUNT
};

struct lx_event_info {
	u16 bsm;		/* BSM event number (audit_event) */
	u32 classes;		/* class mask at load */
	const char *name;
};

/* lxbsm_tables.c */
extern const struct lx_event_info lx_events[LXE_COUNT];
extern u32 lx_event_class[LXE_COUNT];
u8 lx_errno_to_bsm(long linux_errno);
u16 lx_domain_to_bsm(int linux_domain);
u16 lx_socktype_to_bsm(int linux_type);
int lx_event_by_bsm(u32 bsm);

/* lxbsm_token.c: record building, big-endian */
static inline void lx_rec_init(struct lx_rec *r, u8 *buf, u32 cap)
{
	r->buf = buf;
	r->len = 0;
	r->cap = cap;
	r->overflow = false;
}

void lx_put_header(struct lx_rec *r, u16 event);
void lx_put_subject(struct lx_rec *r, struct task_struct *t);
void lx_put_process(struct lx_rec *r, struct task_struct *t);
void lx_put_path(struct lx_rec *r, const char *path);
void lx_put_path_len(struct lx_rec *r, const char *path, size_t len);
void lx_put_text(struct lx_rec *r, const char *text);
void __lx_put_arg32(struct lx_rec *r, u8 n, u32 v, const char *text,
		    size_t tl);

/* arg32; inlined, so that the length of a literal text is a constant */
static inline void lx_put_arg32(struct lx_rec *r, u8 n, u32 v,
				const char *text)
{
	__lx_put_arg32(r, n, v, text, strlen(text));
}

void lx_put_attr_file(struct lx_rec *r, struct file *f);
void lx_put_attr_inode(struct lx_rec *r, struct inode *ino);
void lx_put_exit(struct lx_rec *r, u32 status, u32 ret);
void lx_put_strings(struct lx_rec *r, u8 id, const char *strs, u32 len);
void lx_put_user_argv(struct lx_rec *r, const char __user *const __user *argv,
		      char *tmp, bool compat);
void lx_put_sockaddr(struct lx_rec *r, const void *sa, int len);
void lx_put_socket_ex(struct lx_rec *r, struct socket *sock);
void lx_put_socket_ex_addrs(struct lx_rec *r, int family, int type,
			    __be16 lport, const void *laddr,
			    __be16 rport, const void *raddr);
void lx_put_bytes(struct lx_rec *r, const void *p, u32 n);
u32 lx_rec_finish(struct lx_rec *r, long ret);
/* lxbsm_umem.c: user strings and paths */
long lx_strncpy_user(char *dst, const char __user *src, long size);
int lx_resolve_path(int dfd, char *out, int n, char *tmp, char *dtmp);
int lx_user_path(int dfd, const char __user *upath, char *out, char *tmp,
		 char *dtmp);
int lx_dpath(const struct path *p, char *buf, const char **path);
int lx_file_path(struct file *f, int fd, char *buf, const char **path);
int lx_canon(const char *in, char *out, char *tmp, char *dtmp);

/* lxbsm_proc.c: per-process state (terminal id, accepted peer) */
int lx_proc_init(void);
void lx_proc_exit(void);
void lx_proc_fork(struct task_struct *parent, struct task_struct *child);
bool lx_proc_get_termid(struct task_struct *t, struct lx_termid *tid);
void lx_proc_set_peer(struct task_struct *t, const struct lx_termid *peer);
void lx_proc_login(struct task_struct *t, int login_ev);
bool lx_proc_mark_su(struct task_struct *t);
void lx_proc_mark_forked(struct task_struct *t);
/* what the entry of an exiting process said about its session */
struct lx_proc_end {
	int login_ev;		/* the login it led (0: none) */
	bool su_done;		/* it changed user as su */
	bool forked;		/* it forked */
};
void lx_proc_end_of(struct task_struct *t, struct lx_proc_end *end);
void lx_proc_exit_task(struct task_struct *t);
void lx_proc_forget_peers(void);
bool lx_proc_has(struct task_struct *t);
extern atomic_t lx_nprocs;

/* Has any process an entry?  (Usually none: then nothing to look up.) */
static inline bool lx_proc_any(void)
{
	return atomic_read(&lx_nprocs) != 0;
}

/* lxbsm_stash.c: per-thread stash from sys_enter to sys_exit */
#define LX_STASH_MAX	1024
struct lx_stash;
struct lx_stash *lx_stash_open(struct task_struct *t, long nr,
			       struct lx_rec *r);
void lx_stash_close(struct lx_stash *s, const struct lx_rec *r);
bool __lx_stash_take(struct task_struct *t, long nr, struct lx_rec *r);
bool __lx_stash_holds(struct task_struct *t, long nr);
void __lx_stash_drop(struct task_struct *t);
void lx_stash_clear(void);
extern atomic_t lx_stash_claimed;

/*
 * The lookups of t's slot (t is current: its own claim, if any, is
 * counted) are skipped inline while no thread holds a slot, the usual case.
 */
static inline bool lx_stash_any(void)
{
	return atomic_read(&lx_stash_claimed) != 0;
}

static inline bool lx_stash_take(struct task_struct *t, long nr,
				 struct lx_rec *r)
{
	return lx_stash_any() && __lx_stash_take(t, nr, r);
}

static inline bool lx_stash_holds(struct task_struct *t, long nr)
{
	return lx_stash_any() && __lx_stash_holds(t, nr);
}

static inline void lx_stash_drop(struct task_struct *t)
{
	if (lx_stash_any())
		__lx_stash_drop(t);
}

/* lxbsm_pcache.c: the paths that opens recorded, by fd */
void lx_pcache_put(struct file *f, int fd, const char *path, u32 len);
int lx_pcache_get(struct file *f, int fd, char *out);

/* lxbsm_dev.c: the queue and /dev/lxbsm */
int lx_dev_init(void);
int lx_dev_register(void);
void lx_dev_unregister(void);
void lx_dev_exit(void);
void lx_enqueue(const u8 *rec, u32 len);
void lx_count_lost(u32 n);
extern unsigned long lx_bufsize;
extern struct pid *lx_reader_tgid;

/* Is t a thread of the process that opened the reader (never audited)? */
static inline bool lx_is_reader(struct task_struct *t)
{
	struct pid *reader = READ_ONCE(lx_reader_tgid);

	return reader && reader == task_tgid(t);
}

/*
 * Work that runs in module code after a probe returned (a task_work) is
 * counted in pending.  The last to finish wakes the unload under wq's
 * lock, and the unload, once it sees zero, takes that lock too: so the
 * module's data outlives the wake_up() that still uses it.
 */
static inline void lx_work_done(atomic_t *pending, wait_queue_head_t *wq)
{
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	if (atomic_dec_and_test(pending))
		wake_up_locked(wq);
	spin_unlock_irqrestore(&wq->lock, flags);
}

static inline void lx_work_wait(atomic_t *pending, wait_queue_head_t *wq)
{
	wait_event(*wq, atomic_read(pending) == 0);
	spin_lock_irq(&wq->lock);
	spin_unlock_irq(&wq->lock);
}

/*
 * lxbsm_select.c: preselection.  The global masks are copied here from the
 * configuration, so that without per-auid overrides (the usual case) a
 * decision takes neither a call nor an RCU read section.
 */
struct lx_sel {
	u32 success;
	u32 failure;
	bool per_auid;		/* some auid has an override: ask the config */
	bool traced;		/* some process is traced: ask the config */
};
extern struct lx_sel lx_sel;
bool lx_selected_auid(int ev, bool success, bool failure);
bool lx_traced(int ev);
int lx_set_trace(const struct lxbsm_trace *t);

/* The events LXBSM_TRACE_IO selects: the opens to write, a contiguous run. */
static inline bool lx_event_is_io(int ev)
{
	return ev >= LXE_OPEN_R && ev <= LXE_WRITE;
}

/* Is event ev to be recorded for current on success, on failure, or either? */
static inline bool lx_selected_on(int ev, bool success, bool failure)
{
	u32 cls = READ_ONCE(lx_event_class[ev]), mask = 0;

	if (unlikely(READ_ONCE(lx_sel.traced)) && lx_traced(ev))
		return true;
	if (!cls)
		return false;
	if (unlikely(READ_ONCE(lx_sel.per_auid)))
		return lx_selected_auid(ev, success, failure);
	if (success)
		mask |= READ_ONCE(lx_sel.success);
	if (failure)
		mask |= READ_ONCE(lx_sel.failure);
	return cls & mask;
}

/* Is event ev, with this outcome, to be recorded for current? */
static inline bool lx_selected(int ev, bool failed)
{
	return lx_selected_on(ev, !failed, failed);
}

/* Could event ev be recorded for current, whatever its outcome? */
static inline bool lx_maybe_selected(int ev)
{
	return lx_selected_on(ev, true, true);
}

bool lx_selected_classes(u32 cls);
int lx_reselect(void);
/* the configuration's lock, also the tracepoints' (lxbsm_tracepoints.c) */
extern struct mutex lx_cfg_mutex;
int lx_reselect_locked(void);
int lx_select_init(void);
void lx_select_exit(void);
/* lxbsm_tracepoints.c */
int lx_sys_attach_locked(u32 need);
int lx_tracepoints_register(void);
void lx_tracepoints_unregister(void);
extern u32 lx_policy;
int lx_set_mask(const struct lxbsm_mask *m);
void lx_get_mask(struct lxbsm_mask *m);
int lx_set_auid_mask(const struct lxbsm_auid_mask *m);
int lx_clear_auid_masks(void);

/* lxbsm_block.c: the block list of remote addresses */
void lx_block_init(void);
void lx_block_exit(void);
int lx_block_add(const struct lxbsm_block_rule *u);
int lx_block_del(const struct lxbsm_block_rule *u);
void lx_block_clear(void);
int lx_block_get(struct lxbsm_block_list *l);
bool lx_block_denied(int fd, long ret);

/* lxbsm_session.c: login, logout and su */
bool lx_login_wanted(void);
void lx_session_login(void);
void lx_session_setuid(u32 uid);
void lx_session_fork(struct task_struct *parent);
void lx_session_exit(const struct lx_proc_end *end, int code);

/* lxbsm_apprec.c: records from applications */
ssize_t lx_app_write(struct file *file, const char __user *ubuf, size_t count);

/* lxbsm_uring.c */
void lx_uring_init(void);
void lx_uring_exit(void);

/* lxbsm_probes.c: the sys_enter and sys_exit probes; the scratch buffers */
void lx_probe_sys_enter(void *data, struct pt_regs *regs, long id);
void lx_probe_sys_exit(void *data, struct pt_regs *regs, long ret);
int lx_events_init(void);
void lx_events_exit(void);

/* lxbsm_ev_process.c: the sched_process_* events */
void lx_sched_exec(struct task_struct *p, struct linux_binprm *bprm);
void lx_sched_exit(struct task_struct *p);
void lx_sched_fork(struct task_struct *parent, struct task_struct *child);

/* lxbsm_syscalls.c: the system calls the selection can reach */
#define LX_NEED_ENTER	0x1u	/* sys_enter must be attached */
#define LX_NEED_EXIT	0x2u	/* sys_exit must be attached */
u32 lx_events_reselect(u32 live, bool io);

/* lxbsm_record.c: at unload, the records set aside are queued */
void lx_events_drain(void);

#endif /* _LXBSM_INT_H */
