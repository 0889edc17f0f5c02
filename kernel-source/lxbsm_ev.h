/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lxbsm_ev.h - what the record makers share: a handler's context, the
 * system call tables' shape, the helpers that build common tokens, and the
 * handlers by family (lxbsm_ev_*.c), which the tables (lxbsm_syscalls.c)
 * name and the probes (lxbsm_probes.c) call.
 *
 * Most records are built at sys_exit, when the outcome is known: the
 * arguments are still in the saved user registers and the strings and
 * sockaddrs they point to are still in the caller's memory (a thread of the
 * same process could change them in between; the record then shows what
 * was there at exit, except a successful open's path, which is the opened
 * file's).  sys_enter keeps what is gone by then: the file that close()
 * releases, and the credentials before a set*id() call.  A successful exec
 * is recorded at sched_process_exec, where the new image's arguments are in
 * place; exit at sched_process_exit.  Records are built in a per-CPU
 * scratch buffer with preemption disabled, then copied into the queue.
 */
#ifndef LXBSM_EV_H
#define LXBSM_EV_H

#include <linux/percpu.h>
#include "lxbsm_int.h"

struct file;
struct pt_regs;

/* The per-CPU scratch buffers records are built in (lxbsm_probes.c). */
DECLARE_PER_CPU(struct lx_scratch *, lx_scratch_ptr);

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
static inline void lx_begin(struct lx_ctx *c, int ev)
{
	lx_rec_init(&c->r, c->s->rec, LX_REC_MAX);
	lx_put_header(&c->r, lx_events[ev].bsm);
	lx_put_subject(&c->r, current);
}

/* header and the subject saved at sys_enter (or the current one) */
static inline void lx_begin_stashed(struct lx_ctx *c, int ev)
{
	lx_rec_init(&c->r, c->s->rec, LX_REC_MAX);
	lx_put_header(&c->r, lx_events[ev].bsm);
	if (!lx_stash_take(current, c->nr, &c->r))
		lx_put_subject(&c->r, current);
}

/* return, trailer, queue */
static inline void lx_emit(struct lx_ctx *c, long ret)
{
	u32 len = lx_rec_finish(&c->r, ret);

	lx_enqueue(c->r.buf, len);
}

static inline bool lx_failed(struct lx_ctx *c)
{
	return c->ret < 0;
}

/* lxbsm_record.c: tokens and endings the families share */
int lx_put_upath(struct lx_ctx *c, int dfd, unsigned long up, char *out);
void lx_emit_attr(struct lx_ctx *c, const char *path, unsigned int lookup);
void lx_emit_late_name(struct lx_ctx *c, int dfd, unsigned long up);
void lx_put_utext(struct lx_ctx *c, unsigned long up);
void lx_put_file_tokens(struct lx_rec *r, struct file *f, int fd, char *buf);
void lx_put_fd_tokens(struct lx_rec *r, int fd, char *buf);
void lx_put_fd(struct lx_ctx *c, int fd);

/* the handlers: the exit (lx_h_*) and entry (lx_enter_*) work of a call */
/* lxbsm_ev_process.c */
void lx_h_fork(struct lx_ctx *c);
void lx_h_kill(struct lx_ctx *c);
void lx_h_ptrace(struct lx_ctx *c);
void lx_enter_execveat(struct lx_ctx *c);
void lx_h_execve(struct lx_ctx *c);
/* lxbsm_ev_file.c */
void lx_h_open(struct lx_ctx *c);
void lx_enter_close(struct lx_ctx *c);
void lx_h_close(struct lx_ctx *c);
void lx_h_rw(struct lx_ctx *c);
void lx_h_path1(struct lx_ctx *c);
void lx_h_path2(struct lx_ctx *c);
void lx_h_symlink(struct lx_ctx *c);
void lx_h_mkdir(struct lx_ctx *c);
void lx_h_chmod(struct lx_ctx *c);
void lx_h_chown(struct lx_ctx *c);
/* lxbsm_ev_cred.c */
void lx_enter_cred(struct lx_ctx *c);
void lx_h_cred(struct lx_ctx *c);
/* lxbsm_ev_admin.c */
void lx_h_mount(struct lx_ctx *c);
void lx_h_umount(struct lx_ctx *c);
void lx_h_module(struct lx_ctx *c);
/* lxbsm_ev_net.c */
void lx_h_socket(struct lx_ctx *c);
void lx_h_sockaddr(struct lx_ctx *c);
void lx_h_listen(struct lx_ctx *c);
void lx_h_accept(struct lx_ctx *c);
void lx_h_msg(struct lx_ctx *c);

/* lxbsm_syscalls.c: the system call tables and the probes' bitmaps */
#define LX_NR 512

/*
 * A system call's handler and the events it may write (ev .. ev + nev - 1);
 * "always" runs it whatever is selected (accept keeps the terminal id).
 */
struct lx_sys {
	lx_handler h;
	u8 ev;
	u8 nev;
	/* and events also .. also + nalso - 1 (set*uid: su's) */
	u8 also;
	u8 nalso;
	bool always;
};

#define I32_NR		0x0fff	/* the 64-bit number */
#define I32_ON		0x8000	/* recorded */
#define I32_UID16	0x4000	/* ids are 16 bits wide, 0xffff is -1 */
#define I32_SOCKETCALL	0x2000	/* arguments in a u32 array in memory */

extern const struct lx_sys lx_exit_sys[LX_NR];
extern const struct lx_sys lx_enter_sys[LX_NR];
/* the exact maps: the 64-bit calls whose handlers have work to do */
extern unsigned long lx_exit_on[BITS_TO_LONGS(LX_NR)];
extern unsigned long lx_enter_on[BITS_TO_LONGS(LX_NR)];

/* the probes' first test: those calls and the 32-bit numbers they stand for */
struct lx_fast_maps {
	DECLARE_BITMAP(enter_any, LX_NR);
	DECLARE_BITMAP(exit_any, LX_NR);
};
extern struct lx_fast_maps lx_fast;

u16 lx_ia32_lookup(unsigned long nr, struct pt_regs *regs);
void lx_ia32_args(struct lx_ctx *c, struct pt_regs *regs, u16 m);

/* Bit nr of a probe's bitmap (a plain load and shift, not bt). */
static __always_inline bool lx_fast_bit(const unsigned long *map,
					unsigned long nr)
{
	return (READ_ONCE(map[nr / BITS_PER_LONG]) >> (nr % BITS_PER_LONG)) & 1;
}

#endif /* LXBSM_EV_H */
