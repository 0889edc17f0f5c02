// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_stash.c - tokens carried from a thread's sys_enter to its sys_exit.
 */
#include <linux/kernel.h>
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/rculist.h>
#include <linux/hash.h>
#include <linux/sched/signal.h>
#include <linux/fs.h>
#include <linux/fdtable.h>
#include "lxbsm_int.h"

/*
 * The stash: a few slots, each owned by one thread between its sys_enter
 * and its sys_exit.  A thread looks for its slot among the LX_STASH_PROBES
 * slots from the hash of its task pointer (a bounded search); a slot is
 * claimed with cmpxchg and freed by storing NULL, so no lock is taken, and
 * the tokens are built in the slot itself.  With those slots busy the
 * tokens are simply not carried (the record goes out without them).
 *
 * A thread holds at most the slot it claimed last: sys_exit frees it.  A
 * slot whose sys_exit never looked (the call was deselected in between)
 * stays until the thread claims again or exits.
 */
#define LX_STASH_BITS 6
#define LX_STASH_SLOTS (1 << LX_STASH_BITS)
#define LX_STASH_PROBES 8

struct lx_stash {
	struct task_struct *task;
	long nr;
	u32 len;
	u8 data[LX_STASH_MAX + LX_REC_TAIL];
};

static struct lx_stash lx_stash[LX_STASH_SLOTS];

/* Slots claimed: while none is, nobody need look for one. */
atomic_t lx_stash_claimed = ATOMIC_INIT(0);

/*
 * Free a slot: after the uses of its data, before another thread's claim.
 * An exchange, as a thread and lx_stash_clear() may free it at once.
 */
static void stash_free(struct lx_stash *s)
{
	if (xchg(&s->task, NULL))
		atomic_dec(&lx_stash_claimed);
}

static struct lx_stash *stash_find(struct task_struct *t)
{
	u32 h = hash_ptr(t, LX_STASH_BITS), i;

	for (i = 0; i < LX_STASH_PROBES; i++) {
		struct lx_stash *s = &lx_stash[(h + i) % LX_STASH_SLOTS];

		if (READ_ONCE(s->task) == t)
			return s;
	}
	return NULL;
}

void __lx_stash_drop(struct task_struct *t)
{
	struct lx_stash *s;

	while ((s = stash_find(t)))
		stash_free(s);
}

/*
 * sys_enter or sys_exit was detached (and no probe of theirs runs any
 * more): free every slot.  A thread that was between its sys_enter and
 * its sys_exit then had its slot left behind; were it kept, a later
 * sys_exit of the same call with no sys_enter seen (the probes attached
 * again in between) would take those old tokens for its own.  The only
 * other users of the slots, sched_process_exec and sched_process_exit,
 * free (never claim) them, as this does.
 */
void lx_stash_clear(void)
{
	int i;

	for (i = 0; i < LX_STASH_SLOTS; i++)
		if (READ_ONCE(lx_stash[i].task))
			stash_free(&lx_stash[i]);
}

/*
 * Claim a slot for t's tokens of system call nr: the first of t's probes
 * that is t's or free.  r is set up to build them in it; lx_stash_close()
 * then keeps them.  Returns NULL if no slot is free.
 */
struct lx_stash *lx_stash_open(struct task_struct *t, long nr,
			       struct lx_rec *r)
{
	u32 h = hash_ptr(t, LX_STASH_BITS), i;

	for (i = 0; i < LX_STASH_PROBES; i++) {
		struct lx_stash *s = &lx_stash[(h + i) % LX_STASH_SLOTS];
		struct task_struct *owner = READ_ONCE(s->task);

		if (!owner && !cmpxchg(&s->task, NULL, t))
			atomic_inc(&lx_stash_claimed);
		else if (owner != t)
			continue;
		s->nr = nr;
		s->len = 0;
		lx_rec_init(r, s->data, sizeof(s->data));
		return s;
	}
	return NULL;
}

void lx_stash_close(struct lx_stash *s, const struct lx_rec *r)
{
	s->len = r->overflow ? 0 : r->len;
}

/*
 * Free t's slot; if it holds tokens of system call nr, append them to r
 * (unless r is NULL) and return true.
 */
bool __lx_stash_take(struct task_struct *t, long nr, struct lx_rec *r)
{
	struct lx_stash *s = stash_find(t);
	bool found;

	if (!s)
		return false;
	found = s->nr == nr;
	if (found && r)
		lx_put_bytes(r, s->data, s->len);
	stash_free(s);
	return found;
}

/* Does t hold a slot with tokens of system call nr? */
bool __lx_stash_holds(struct task_struct *t, long nr)
{
	struct lx_stash *s = stash_find(t);

	return s && s->nr == nr;
}
