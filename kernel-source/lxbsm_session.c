// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_session.c - login, logout and su records, made in the kernel from
 * what programs ask of it, as LxBSM's setuid wrapper did: Linux's login
 * programs write no BSM records.
 *
 * - A login: a successful write of /proc/self/loginuid (pam_loginuid) by
 *   a process that the table below names, by its own command name or an
 *   ancestor's.  The record carries the new auid and the session's
 *   terminal id (the peer the process accepted, lxbsm_proc.c).
 * - A logout: the exit of that process, the session's leader.
 * - su: the first successful setuid, setreuid or setresuid of a process
 *   called "su" (util-linux's su forks and changes user in the child;
 *   busybox's changes user and execs); a failed su is one that exits
 *   non-zero without having changed user or forked (a wrong password:
 *   PAM's refusal, then exit 1).  What it cannot know: a su that failed
 *   after forking (its child failed), or that succeeded without setuid.
 *
 * Command names (task->comm, the executable's name cut at 15 bytes) are
 * what the kernel knows of a program: a copy of any binary under one of
 * these names is taken for it.  These records are hints for a reader of
 * the trail, not proof.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include "lxbsm_int.h"

/* How many generations above the writer a program may be. */
#define LX_ANCESTRY	4

struct lx_program {
	const char *comm;
	int ev;
	int depth;	/* 0: the writer itself; up to LX_ANCESTRY */
};

/*
 * The login programs, first match wins: a login under a network daemon
 * (telnetd starts login, which writes the loginuid) is that daemon's.
 */
static const struct lx_program login_programs[] = {
	{ "in.telnetd", LXE_TELNET, LX_ANCESTRY },
	{ "telnetd", LXE_TELNET, LX_ANCESTRY },
	{ "in.rlogind", LXE_RLOGIN, LX_ANCESTRY },
	{ "rlogind", LXE_RLOGIN, LX_ANCESTRY },
	{ "sshd", LXE_OPENSSH, 0 },
	{ "sshd-session", LXE_OPENSSH, 0 },
	{ "login", LXE_LOGIN, 0 },
};

static bool is_su(const struct task_struct *t)
{
	return !strncmp(t->comm, "su", TASK_COMM_LEN);
}

/* Does t or one of its ancestors up to depth generations have comm? */
static bool in_ancestry(struct task_struct *t, const char *comm, int depth)
{
	bool found = false;
	int d;

	rcu_read_lock();
	for (d = 0; d <= depth && t; d++) {
		if (!strncmp(t->comm, comm, TASK_COMM_LEN)) {
			found = true;
			break;
		}
		if (t == t->real_parent)
			break;
		t = rcu_dereference(t->real_parent);
	}
	rcu_read_unlock();
	return found;
}

static int login_event(struct task_struct *t)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(login_programs); i++)
		if (in_ancestry(t, login_programs[i].comm,
				login_programs[i].depth))
			return login_programs[i].ev;
	return 0;
}

/* Could any login be recorded?  (The write probe's first test.) */
bool lx_login_wanted(void)
{
	return lx_maybe_selected(LXE_LOGIN) || lx_maybe_selected(LXE_OPENSSH) ||
	       lx_maybe_selected(LXE_TELNET) || lx_maybe_selected(LXE_RLOGIN) ||
	       lx_maybe_selected(LXE_LOGOUT);
}

/* header, subject, text; the caller adds the rest and finishes */
static void begin(struct lx_rec *r, u8 *buf, u32 cap, int ev,
		  const char *text)
{
	lx_rec_init(r, buf, cap);
	lx_put_header(r, lx_events[ev].bsm);
	lx_put_subject(r, current);
	lx_put_text(r, text);
}

/* current wrote its loginuid (successfully). */
void lx_session_login(void)
{
	int ev = login_event(current);
	char text[64];
	struct lx_rec r;
	u8 buf[256];

	lx_proc_login(current, ev);
	if (!ev || !lx_selected(ev, false))
		return;
	snprintf(text, sizeof(text), "lxbsm: login by %.16s", current->comm);
	begin(&r, buf, sizeof(buf), ev, text);
	lx_enqueue(buf, lx_rec_finish(&r, 0));
}

/* current's set*uid call to uid succeeded. */
void lx_session_setuid(u32 uid)
{
	char text[48];
	struct lx_rec r;
	u8 buf[256];

	if (!is_su(current) || !lx_selected(LXE_SU, false) ||
	    !lx_proc_mark_su(current))
		return;
	snprintf(text, sizeof(text), "lxbsm: su to uid %u", uid);
	begin(&r, buf, sizeof(buf), LXE_SU, text);
	lx_put_arg32(&r, 1, uid, "uid");
	lx_enqueue(buf, lx_rec_finish(&r, 0));
}

void lx_session_fork(struct task_struct *parent)
{
	if (is_su(parent) && lx_maybe_selected(LXE_SU))
		lx_proc_mark_forked(parent);
}

/* The last thread of current's process exits with code (wait status). */
void lx_session_exit(const struct lx_proc_end *end, int code)
{
	u32 status = (code >> 8) & 0xff;
	char text[80];
	struct lx_rec r;
	u8 buf[256];

	if (end->login_ev && lx_selected(LXE_LOGOUT, false)) {
		snprintf(text, sizeof(text), "lxbsm: end of the session (%s)",
			 lx_events[end->login_ev].name);
		begin(&r, buf, sizeof(buf), LXE_LOGOUT, text);
		lx_put_exit(&r, status, code & 0x7f);
		lx_enqueue(buf, lx_rec_finish(&r, 0));
	}
	if (is_su(current) && code && !end->su_done && !end->forked &&
	    lx_selected(LXE_SU, true)) {
		snprintf(text, sizeof(text),
			 "lxbsm: su exited with status %u before changing user",
			 status);
		begin(&r, buf, sizeof(buf), LXE_SU, text);
		lx_put_exit(&r, status, code & 0x7f);
		/* the cause is not known: EPERM stands for "refused" */
		lx_enqueue(buf, lx_rec_finish(&r, -EPERM));
	}
}
