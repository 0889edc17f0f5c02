// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsmcat - a minimal reader and control tool for /dev/lxbsm, until lxbsmd
 * (issue #5) takes its place.  It shows how user space uses lxbsm.h.
 *
 *   lxbsmcat -o FILE [-f]   copy records to FILE; without -f stop when the
 *                           queue is empty, with -f follow until SIGTERM or
 *                           SIGINT, then quiesce (masks to zero) and drain
 *   lxbsmcat -s             print the device's counters as key=value lines
 *   lxbsmcat -m SUCC,FAIL   set the preselection masks (hex)
 *   lxbsmcat -a AUID,AS,AF,NS,NF  set a per-auid override (hex masks)
 *   lxbsmcat -e EVENT,CLASS set an event's class mask (decimal, hex)
 *   lxbsmcat -p POLICY      set the policy bits (1 block, 2 exec env)
 *   lxbsmcat -q BYTES       set the queue limit
 *   lxbsmcat -z             quiesce: masks and per-auid overrides to zero
 *
 * Options run in the order given.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "../lxbsm.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "lxbsmcat: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int reader_fd = -1, control_fd = -1;

static int open_dev(int flags)
{
	int fd = open(LXBSM_DEVICE, flags | O_NONBLOCK);

	if (fd < 0)
		die(LXBSM_DEVICE);
	return fd;
}

/* The reader: the one open with read access (a second one gets EBUSY). */
static int reader(void)
{
	if (reader_fd < 0)
		reader_fd = open_dev(O_RDONLY);
	return reader_fd;
}

/* For the ioctls: the reader if open, else a write-only open. */
static int dev_fd(void)
{
	if (reader_fd >= 0)
		return reader_fd;
	if (control_fd < 0)
		control_fd = open_dev(O_WRONLY);
	return control_fd;
}

static void quiesce(void)
{
	struct lxbsm_mask m = { 0, 0 };

	if (ioctl(dev_fd(), LXBSM_IOC_SET_MASK, &m) ||
	    ioctl(dev_fd(), LXBSM_IOC_CLEAR_AUID_MASKS))
		die("quiesce");
}

/* Copy whole records until the queue is empty (or, following, until stop). */
static void copy_records(const char *path, int follow)
{
	static char buf[4 * LXBSM_MAX_RECORD];
	unsigned long long n = 0, bytes = 0;
	int out, fd = reader();
	ssize_t got;

	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0)
		die(path);
	for (;;) {
		got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (!follow)
				break;
			if (stop) {
				/* no new records from here on: drain and end */
				quiesce();
				follow = 0;
				continue;
			}
			/*
			 * Let records gather for a moment: one wake-up per
			 * batch rather than per record.
			 */
			usleep(20000);
			poll(&p, 1, 200);
			continue;
		}
		if (got < 0)
			die("read");
		if (write(out, buf, got) != got)
			die("write");
		bytes += got;
		for (ssize_t off = 0; off < got; n++)
			off += ((unsigned char)buf[off + 1] << 24 |
				(unsigned char)buf[off + 2] << 16 |
				(unsigned char)buf[off + 3] << 8 |
				(unsigned char)buf[off + 4]);
	}
	if (close(out))
		die(path);
	fprintf(stderr, "lxbsmcat: %llu records, %llu bytes to %s\n", n, bytes,
		path);
}

static void print_stats(void)
{
	struct lxbsm_stats s;
	struct lxbsm_mask m;
	__u32 policy;

	if (ioctl(dev_fd(), LXBSM_IOC_GET_STATS, &s) ||
	    ioctl(dev_fd(), LXBSM_IOC_GET_MASK, &m) ||
	    ioctl(dev_fd(), LXBSM_IOC_GET_POLICY, &policy))
		die("stats");
	printf("records=%llu\nbytes=%llu\ndrops=%llu\nloss_notices=%llu\n"
	       "pending_lost=%llu\nqueue_records=%llu\nqueue_bytes=%llu\n"
	       "queue_limit=%llu\nread_records=%llu\nread_bytes=%llu\n"
	       "blocked=%llu\nbuffer_size=%llu\nmask_success=0x%x\n"
	       "mask_failure=0x%x\npolicy=0x%x\n",
	       (unsigned long long)s.records, (unsigned long long)s.bytes,
	       (unsigned long long)s.drops,
	       (unsigned long long)s.loss_notices,
	       (unsigned long long)s.pending_lost,
	       (unsigned long long)s.queue_records,
	       (unsigned long long)s.queue_bytes,
	       (unsigned long long)s.queue_limit,
	       (unsigned long long)s.read_records,
	       (unsigned long long)s.read_bytes,
	       (unsigned long long)s.blocked,
	       (unsigned long long)s.buffer_size, m.success, m.failure, policy);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	int follow = 0, opt;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while ((opt = getopt(argc, argv, "o:fsm:a:e:p:q:z")) != -1) {
		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			follow = 1;
			break;
		case 's':
			print_stats();
			break;
		case 'm': {
			struct lxbsm_mask m;

			if (sscanf(optarg, "%x,%x", &m.success, &m.failure) != 2)
				goto usage;
			if (ioctl(dev_fd(), LXBSM_IOC_SET_MASK, &m))
				die("set mask");
			break;
		}
		case 'a': {
			struct lxbsm_auid_mask a;

			if (sscanf(optarg, "%u,%x,%x,%x,%x", &a.auid,
				   &a.always_success, &a.always_failure,
				   &a.never_success, &a.never_failure) != 5)
				goto usage;
			if (ioctl(dev_fd(), LXBSM_IOC_SET_AUID_MASK, &a))
				die("set auid mask");
			break;
		}
		case 'e': {
			struct lxbsm_event_class e;

			if (sscanf(optarg, "%u,%x", &e.event, &e.classes) != 2)
				goto usage;
			if (ioctl(dev_fd(), LXBSM_IOC_SET_EVENT_CLASS, &e))
				die("set event class");
			break;
		}
		case 'p': {
			__u32 p = strtoul(optarg, NULL, 0);

			if (ioctl(dev_fd(), LXBSM_IOC_SET_POLICY, &p))
				die("set policy");
			break;
		}
		case 'q': {
			__u64 q = strtoull(optarg, NULL, 0);

			if (ioctl(dev_fd(), LXBSM_IOC_SET_QLIMIT, &q))
				die("set queue limit");
			break;
		}
		case 'z':
			quiesce();
			break;
		default:
			goto usage;
		}
	}
	if (out)
		copy_records(out, follow);
	return 0;
usage:
	fprintf(stderr, "usage: see the comment at the top of lxbsmcat.c\n");
	return 2;
}
