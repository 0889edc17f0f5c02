// SPDX-License-Identifier: GPL-2.0
/*
 * apprec - the guest's test of records from applications (see
 * guest/init): write(2) of whole BSM records to /dev/lxbsm, beside lxbsmd.
 * Prints one "PASS ..." or "FAIL ..." line per check; exits 1 if one
 * failed.  The records are made here byte by byte from the format
 * (header32, text, return32, trailer; big-endian); the host checks that
 * the trail holds the accepted one and none of the refused ones, whose
 * texts all start "apprec refused".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void be16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void be32(uint8_t *p, unsigned int v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/*
 * header32 (event 6152, AUE_login), text, return32 (success, 0), trailer
 * into buf; returns the record's size.
 */
static size_t record(uint8_t *buf, const char *text)
{
	size_t tl = strlen(text) + 1, n = 18 + 3 + tl + 6 + 7;
	uint8_t *p = buf;

	p[0] = 0x14;
	be32(p + 1, n);
	p[5] = 11;
	be16(p + 6, 6152);
	be16(p + 8, 0);
	be32(p + 10, 1700000000);
	be32(p + 14, 0);
	p += 18;
	p[0] = 0x28;
	be16(p + 1, tl);
	memcpy(p + 3, text, tl);
	p += 3 + tl;
	p[0] = 0x27;
	p[1] = 0;
	be32(p + 2, 0);
	p += 6;
	p[0] = 0x13;
	be16(p + 1, 0xb105);
	be32(p + 3, n);
	return n;
}

static unsigned long param(const char *name)
{
	char path[128];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/lxbsm/parameters/%s", name);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%lu", &v) != 1)
		v = (unsigned long)-1;
	if (f)
		fclose(f);
	return v;
}

static int write_errno(int dev, const void *buf, size_t n)
{
	ssize_t w = write(dev, buf, n);

	if (w == (ssize_t)n)
		return 0;
	return w < 0 ? errno : -1;
}

static void refused(int dev, const void *buf, size_t n, const char *what)
{
	char line[160];

	snprintf(line, sizeof(line), "%s: EINVAL", what);
	check(write_errno(dev, buf, n) == EINVAL, line);
}

static void malformed(int dev)
{
	static uint8_t big[1 << 20];
	uint8_t buf[256];
	size_t n;

	refused(dev, buf, 0, "0 bytes");
	n = record(buf, "apprec refused: size");
	be32(buf + 1, n + 1);
	refused(dev, buf, n, "header size one more than the write");
	n = record(buf, "apprec refused: magic");
	be16(buf + n - 6, 0xb106);
	refused(dev, buf, n, "trailer magic 0xb106");
	n = record(buf, "apprec refused: trailer size");
	be32(buf + n - 4, n - 1);
	refused(dev, buf, n, "trailer size one less");
	n = record(buf, "apprec refused: truncated");
	be32(buf + 1, n - 3);
	refused(dev, buf, n - 3, "the record cut 3 bytes short (header size = write)");
	n = record(buf, "apprec refused: unknown token");
	buf[18] = 0x99;
	refused(dev, buf, n, "an unknown token id (0x99)");
	n = record(buf, "apprec refused: text too long");
	be16(buf + 19, 200);
	refused(dev, buf, n, "a text token longer than the record");
	n = record(buf, "apprec refused: two headers");
	buf[18] = 0x14;
	refused(dev, buf, n, "a header token inside the record");
	n = record(buf, "apprec refused: two records");
	memcpy(buf + n, buf, n);
	refused(dev, buf, 2 * n, "two records in one write");
	n = record(big, "apprec refused: 1 MiB");
	be32(big + 1, sizeof(big));
	be32(big + n - 4, sizeof(big));
	refused(dev, big, sizeof(big), "1 MiB");
}

static void drop_audit_write(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		exit(1);
	d[CAP_AUDIT_WRITE / 32].effective &= ~(1u << (CAP_AUDIT_WRITE % 32));
	d[CAP_AUDIT_WRITE / 32].permitted &= ~(1u << (CAP_AUDIT_WRITE % 32));
	if (syscall(SYS_capset, &h, d))
		exit(1);
}

/* A child without CAP_AUDIT_WRITE: its write is refused with EPERM. */
static void unprivileged_writer(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		uint8_t buf[128];
		size_t n = record(buf, "apprec refused: no CAP_AUDIT_WRITE");
		int dev;

		drop_audit_write();
		dev = open(LXBSM_DEVICE, O_WRONLY);
		check(dev >= 0, "without CAP_AUDIT_WRITE: the device opens write-only");
		check(write_errno(dev, buf, n) == EPERM,
		      "without CAP_AUDIT_WRITE: a valid record: EPERM");
		exit(failures ? 1 : 0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		failures++;
}

int main(void)
{
	unsigned long accepted, refusals;
	uint8_t buf[128];
	size_t n;
	int dev;

	setvbuf(stdout, NULL, _IOLBF, 0);
	dev = open(LXBSM_DEVICE, O_WRONLY);
	if (dev < 0) {
		printf("FAIL open %s: %s\n", LXBSM_DEVICE, strerror(errno));
		return 1;
	}
	accepted = param("app_records");
	refusals = param("app_refused");
	n = record(buf, "apprec: a record from an application");
	check(write(dev, buf, n) == (ssize_t)n, "a valid record is accepted whole");
	check(param("app_records") == accepted + 1, "app_records counted it");
	malformed(dev);
	check(param("app_records") == accepted + 1,
	      "after the refusals app_records is unchanged");
	check(param("app_refused") == refusals + 10, "app_refused counted 10");
	close(dev);
	unprivileged_writer();
	check(param("app_records") == accepted + 1,
	      "after the unprivileged writer app_records is unchanged");
	return failures ? 1 : 0;
}
