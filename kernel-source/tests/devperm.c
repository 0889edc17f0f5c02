// SPDX-License-Identifier: GPL-2.0
/*
 * devperm - the guest's test of who may do what with /dev/lxbsm (see
 * guest/init).  Run as root while lxbsmd holds the reader; each check runs
 * in a child that first gives up what the check is about, and prints one
 * "PASS ..." or "FAIL ..." line.  Exits 1 if one failed.
 *
 *   - uid 1000, no capabilities: the device (mode 0600) cannot be opened
 *     at all; nor with the mode opened up to 0666 (the module asks for
 *     CAP_AUDIT_READ at open);
 *   - root without CAP_AUDIT_CONTROL: the device opens write-only and
 *     answers the read-only ioctls, but every ioctl that changes masks,
 *     policy, queue limit, event classes or the block list fails with
 *     EPERM, and nothing changed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../lxbsm.h"

static int failures;

static void check(int cond, const char *what)
{
	printf("%s %s\n", cond ? "PASS" : "FAIL", what);
	fflush(stdout);
	if (!cond)
		failures++;
}

/* Runs fn in a child; its failures count here. */
static void in_child(void (*fn)(void))
{
	pid_t pid = fork();
	int st;

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		fn();
		exit(failures ? 1 : 0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		failures++;
}

static int open_errno(int flags)
{
	int fd = open(LXBSM_DEVICE, flags);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno;
}

static void become_uid_1000(void)
{
	if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000)) {
		perror("setresuid");
		exit(1);
	}
}

static void unprivileged_mode_0600(void)
{
	become_uid_1000();
	check(open_errno(O_RDONLY) == EACCES,
	      "uid 1000: open for reading (mode 0600) fails with EACCES");
	check(open_errno(O_WRONLY) == EACCES,
	      "uid 1000: open write-only (mode 0600) fails with EACCES");
}

static void unprivileged_mode_0666(void)
{
	become_uid_1000();
	check(open_errno(O_RDONLY) == EPERM,
	      "uid 1000, mode 0666: open for reading fails with EPERM (no CAP_AUDIT_READ)");
	check(open_errno(O_WRONLY) == EPERM,
	      "uid 1000, mode 0666: open write-only fails with EPERM");
}

static void drop_audit_control(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d)) {
		perror("capget");
		exit(1);
	}
	d[CAP_AUDIT_CONTROL / 32].effective &= ~(1u << (CAP_AUDIT_CONTROL % 32));
	d[CAP_AUDIT_CONTROL / 32].permitted &= ~(1u << (CAP_AUDIT_CONTROL % 32));
	if (syscall(SYS_capset, &h, d)) {
		perror("capset");
		exit(1);
	}
}

static int ctl(int dev, unsigned long cmd, void *arg)
{
	return ioctl(dev, cmd, arg) ? errno : 0;
}

static void without_audit_control(void)
{
	struct lxbsm_mask before, after, zero = { 0, 0 };
	struct lxbsm_auid_mask am = { .auid = 1000, .always_success = 1 };
	struct lxbsm_event_class ec = { .event = 72, .classes = 0 };
	struct lxbsm_block_rule rule = { .family = 2, .prefix = 8,
					 .addr = { 10 } };
	struct lxbsm_block_list list = { 0 };
	unsigned long long limit = 1 << 20;
	unsigned int policy = 0;
	int dev;

	drop_audit_control();
	dev = open(LXBSM_DEVICE, O_WRONLY);
	check(dev >= 0, "root without CAP_AUDIT_CONTROL: opens the device write-only");
	if (dev < 0)
		return;
	check(ctl(dev, LXBSM_IOC_GET_MASK, &before) == 0, "GET_MASK answers");
	check(ctl(dev, LXBSM_IOC_GET_BLOCK, &list) == 0, "GET_BLOCK answers");
	check(ctl(dev, LXBSM_IOC_SET_MASK, &zero) == EPERM, "SET_MASK: EPERM");
	check(ctl(dev, LXBSM_IOC_SET_AUID_MASK, &am) == EPERM, "SET_AUID_MASK: EPERM");
	check(ctl(dev, LXBSM_IOC_CLEAR_AUID_MASKS, NULL) == EPERM,
	      "CLEAR_AUID_MASKS: EPERM");
	check(ctl(dev, LXBSM_IOC_SET_POLICY, &policy) == EPERM, "SET_POLICY: EPERM");
	check(ctl(dev, LXBSM_IOC_SET_QLIMIT, &limit) == EPERM, "SET_QLIMIT: EPERM");
	check(ctl(dev, LXBSM_IOC_SET_EVENT_CLASS, &ec) == EPERM,
	      "SET_EVENT_CLASS: EPERM");
	check(ctl(dev, LXBSM_IOC_ADD_BLOCK, &rule) == EPERM, "ADD_BLOCK: EPERM");
	check(ctl(dev, LXBSM_IOC_DEL_BLOCK, &rule) == EPERM, "DEL_BLOCK: EPERM");
	check(ctl(dev, LXBSM_IOC_CLEAR_BLOCK, NULL) == EPERM, "CLEAR_BLOCK: EPERM");
	check(ctl(dev, LXBSM_IOC_GET_MASK, &after) == 0 &&
	      !memcmp(&before, &after, sizeof(before)),
	      "the masks did not change");
	check(ctl(dev, 0xb5ff, NULL) == ENOTTY, "an unknown ioctl: ENOTTY");
	close(dev);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	in_child(unprivileged_mode_0600);
	if (chmod(LXBSM_DEVICE, 0666)) {
		perror("chmod");
		return 1;
	}
	in_child(unprivileged_mode_0666);
	if (chmod(LXBSM_DEVICE, 0600)) {
		perror("chmod");
		return 1;
	}
	in_child(without_audit_control);
	return failures ? 1 : 0;
}
