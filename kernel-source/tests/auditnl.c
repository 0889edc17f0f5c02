// SPDX-License-Identifier: GPL-2.0
/*
 * auditnl - Linux's own audit, set up and drained as auditd would, for the
 * overhead bench's side-by-side figures (guest/init, section 4): over
 * NETLINK_AUDIT it becomes the audit daemon, enables auditing, adds one
 * exit-filter rule for the system calls of lxbsm's "selected" runs (or,
 * "exec", for execve alone, as lxbsm's "partial" runs select exec alone),
 * prints "ready", and reads every record the kernel sends until SIGTERM.
 * Then it removes the rule, disables auditing and, so that processes
 * forked later do not carry an audit context (the kernel gives every new
 * task one once auditing was ever on), adds a task rule "never" (removed
 * again at the next start).  Prints "records N overruns M" at the end
 * (M: times the socket's buffer overflowed and the kernel dropped some).
 *
 *   auditnl all | exec
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static int seq;

static void on_term(int sig)
{
	stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "auditnl: %s: %s\n", what, strerror(errno));
	exit(1);
}

/*
 * One request and its acknowledgement; returns the kernel's errno (0 on
 * success).  Records that arrive meanwhile are skipped.
 */
static int request(int fd, int type, const void *data, size_t len)
{
	struct {
		struct nlmsghdr h;
		char data[sizeof(struct audit_rule_data)];
	} req;
	char buf[8192];
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(len);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.h.nlmsg_seq = ++seq;
	memcpy(req.data, data, len);
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		die("sendto");
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recv");
		}
		for (; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n))
			if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_seq == (unsigned)seq)
				return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
}

static void set_status(int fd, int enabled, int pid)
{
	struct audit_status s;

	memset(&s, 0, sizeof(s));
	s.mask = AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID |
		 AUDIT_STATUS_BACKLOG_LIMIT;
	s.enabled = enabled;
	s.pid = pid;
	s.backlog_limit = 16384;
	errno = request(fd, AUDIT_SET, &s, sizeof(s));
	if (errno)
		die("AUDIT_SET");
}

static void exit_rule(struct audit_rule_data *r, int all)
{
	static const int every[] = {
		SYS_open, SYS_openat, SYS_close, SYS_clone, SYS_clone3,
		SYS_fork, SYS_vfork, SYS_execve, SYS_execveat, SYS_exit,
		SYS_exit_group,
	};
	static const int exec_alone[] = { SYS_execve, SYS_execveat };
	const int *calls = all ? every : exec_alone;
	int i, n = all ? sizeof(every) / sizeof(*every) : 2;

	memset(r, 0, sizeof(*r));
	r->flags = AUDIT_FILTER_EXIT;
	r->action = AUDIT_ALWAYS;
	for (i = 0; i < n; i++)
		r->mask[AUDIT_WORD(calls[i])] |= AUDIT_BIT(calls[i]);
	r->field_count = 1;
	r->fields[0] = AUDIT_ARCH;
	r->values[0] = AUDIT_ARCH_X86_64;
	r->fieldflags[0] = AUDIT_EQUAL;
}

static void task_never(struct audit_rule_data *r)
{
	memset(r, 0, sizeof(*r));
	r->flags = AUDIT_FILTER_TASK;
	r->action = AUDIT_NEVER;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl self = { .nl_family = AF_NETLINK };
	struct audit_rule_data rule, never;
	struct sigaction sa;
	unsigned long records = 0, overruns = 0;
	int rcvbuf = 8 << 20;
	static char buf[1 << 16];
	int fd, err;

	if (argc != 2 || (strcmp(argv[1], "all") && strcmp(argv[1], "exec"))) {
		fprintf(stderr, "usage: auditnl all | exec\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: recv returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
	if (fd < 0 || bind(fd, (struct sockaddr *)&self, sizeof(self)))
		die("NETLINK_AUDIT");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	set_status(fd, 1, getpid());
	task_never(&never);
	err = request(fd, AUDIT_DEL_RULE, &never, sizeof(never));
	if (err && err != ENOENT) {
		errno = err;
		die("AUDIT_DEL_RULE task never");
	}
	exit_rule(&rule, !strcmp(argv[1], "all"));
	errno = request(fd, AUDIT_ADD_RULE, &rule, sizeof(rule));
	if (errno)
		die("AUDIT_ADD_RULE");
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n > 0)
			records++;
		else if (n < 0 && errno == ENOBUFS)
			overruns++;	/* the kernel dropped some: go on, as auditd does */
		else if (n < 0 && errno != EINTR)
			die("recv");
	}
	errno = request(fd, AUDIT_DEL_RULE, &rule, sizeof(rule));
	if (errno)
		die("AUDIT_DEL_RULE");
	errno = request(fd, AUDIT_ADD_RULE, &never, sizeof(never));
	if (errno)
		die("AUDIT_ADD_RULE task never");
	set_status(fd, 0, 0);
	printf("records %lu overruns %lu\n", records, overruns);
	return 0;
}
