// SPDX-License-Identifier: GPL-2.0
/*
 * workload - what the qemu end-to-end test does inside the guest, so that
 * the trail holds one known record per audited action.  Raw syscall() is
 * used where libc would pick another system call than the one to test.
 *
 *   workload functional DIR   every event family once (paths under DIR)
 *   workload stress N DIR     N open/close rounds (run several at once)
 *   workload bench KIND N     timed loop: open | fork | exec | recv (a
 *                             byte sent and received over a connected
 *                             loopback UDP pair); prints the median and
 *                             the least ns/op of 20 batches
 *   workload loginuid-open AUID PATH  set the loginuid, then create PATH
 *   workload try-open PATH    open PATH read-only (expected to fail)
 *   workload device-holders PATH  /dev/lxbsm has a reader: a second read
 *                             open gets EBUSY; a write-only open works,
 *                             and its holder's open of PATH is audited
 *   workload reader-reuse PATH  (no reader yet) a process opens the
 *                             reader, forks and exits; its child keeps the
 *                             fd and forks a process with the dead one's
 *                             pid, which opens PATH (and must be audited)
 *   workload fifo-race DIR    opens whose path buffer another thread
 *                             rewrites, or whose page is unmapped, while
 *                             the open blocks on a FIFO
 *   workload uring PATH       an io_uring OPENAT creating PATH, then CLOSE;
 *                             exits 0 if io_uring_setup was denied (EPERM),
 *                             3 if the operations ran
 *   workload trace-io DIR     after SIGUSR1, a known set of I/O calls, and
 *                             a child's (the trace phase)
 *   workload child-exec ...   exits 0 (an exec target)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/openat2.h>
#include <linux/io_uring.h>

static const char *self = "/lxbsm/workload";

/* A second thread that shares the fd table until fd_ready is written to. */
static void *wait_on_pipe(void *arg)
{
	char c;

	return (void *)(long)read(*(int *)arg, &c, 1);
}

static void say(const char *fmt, const char *a)
{
	printf("workload: ");
	printf(fmt, a);
	printf("\n");
	fflush(stdout);
}

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "workload: FAILED %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

static void wait_child(pid_t pid)
{
	int st;

	check(waitpid(pid, &st, 0) == pid, "waitpid");
}

static void do_exec(char *const argv[])
{
	pid_t pid = fork();

	check(pid >= 0, "fork");
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	wait_child(pid);
}

static void net(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(5555) };
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6,
				    .sin6_port = htons(5556),
				    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int one = 1, ls, cs, s;
	char buf[16];
	pid_t pid, sess;

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	check(ls >= 0, "socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	check(bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == 0, "bind");
	check(listen(ls, 4) == 0, "listen");
	pid = fork();
	check(pid >= 0, "fork");
	if (pid == 0) {
		cs = socket(AF_INET, SOCK_STREAM, 0);
		check(connect(cs, (struct sockaddr *)&sa, sizeof(sa)) == 0,
		      "connect");
		check(sendto(cs, "hello", 5, 0, NULL, 0) == 5, "sendto");
		close(cs);
		_exit(0);
	}
	s = accept(ls, NULL, NULL);
	check(s >= 0, "accept");
	check(recvfrom(s, buf, sizeof(buf), 0, NULL, NULL) >= 0, "recvfrom");
	wait_child(pid);
	say("connected over %s", "127.0.0.1:5555");

	/* the session of the accepted connection, as sshd would start it */
	sess = fork();
	check(sess >= 0, "fork");
	if (sess == 0) {
		int fd = open("/proc/self/loginuid", O_WRONLY);

		check(fd >= 0, "open loginuid");
		check(write(fd, "1000", 4) == 4, "write loginuid");
		close(fd);
		check(syscall(SYS_setresgid, 1000, 1000, 1000) == 0, "setresgid");
		check(syscall(SYS_setgid, 1000) == 0, "setgid");
		check(syscall(SYS_setuid, 1000) == 0, "setuid");
		execl(self, self, "child-exec", "session-of-1000", NULL);
		_exit(127);
	}
	wait_child(sess);
	close(s);
	close(ls);

	/* IPv6 over loopback, if the guest has it */
	ls = socket(AF_INET6, SOCK_STREAM, 0);
	if (ls >= 0 && bind(ls, (struct sockaddr *)&sa6, sizeof(sa6)) == 0 &&
	    listen(ls, 4) == 0) {
		pid = fork();
		if (pid == 0) {
			cs = socket(AF_INET6, SOCK_STREAM, 0);
			if (connect(cs, (struct sockaddr *)&sa6, sizeof(sa6)))
				_exit(1);
			close(cs);
			_exit(0);
		}
		s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		wait_child(pid);
		if (s >= 0)
			close(s);
		say("connected over %s", "[::1]:5556");
	}
	if (ls >= 0)
		close(ls);
}

/* A 32-bit system call from this 64-bit process: int $0x80. */
static long int80(long nr, long a, long b, long c)
{
	long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c)
		     : "r8", "r9", "r10", "r11", "memory");
	return ret;
}

/* a pointer for a 32-bit call: the static binary's data is below 4 GiB */
static long p32(const void *p)
{
	check((unsigned long)p < 0x100000000UL, "data below 4 GiB");
	return (long)p;
}

/*
 * The 32-bit ABI (i386 numbers): recorded as the 64-bit calls, 16-bit ids
 * widened, socketcall taken apart, argv of 32-bit pointers.
 */
static void ia32(void)
{
	static const char dir[] = "/tmp/lxdir32", f[] = "/tmp/lxdir32/f",
		g[] = "/tmp/lxdir32/g", prog[] = "/nonexistent/prog32",
		x[] = "x32";
	static unsigned int argv32[3], sockargs[3] = { AF_INET, SOCK_DGRAM,
						       IPPROTO_UDP };
	long fd;

	check(int80(39, p32(dir), 0755, 0) == 0, "ia32 mkdir");
	fd = int80(5, p32(f), O_RDWR | O_CREAT, 0600);
	check(fd >= 0, "ia32 open");
	check(int80(6, fd, 0, 0) == 0, "ia32 close");
	check(int80(212, p32(f), 1000, 1000) == 0, "ia32 chown32");
	check(int80(182, p32(f), 0xffff, 1001) == 0, "ia32 16-bit chown");
	check(int80(38, p32(f), p32(g), 0) == 0, "ia32 rename");
	check(int80(10, p32(g), 0, 0) == 0, "ia32 unlink");
	check(int80(40, p32(dir), 0, 0) == 0, "ia32 rmdir");
	argv32[0] = p32(prog);
	argv32[1] = p32(x);
	check(int80(11, p32(prog), p32(argv32), 0) == -ENOENT,
	      "ia32 execve fails");
	fd = int80(102, 1 /* SYS_SOCKET */, p32(sockargs), 0);
	check(fd >= 0, "ia32 socketcall socket");
	check(int80(6, fd, 0, 0) == 0, "ia32 close");
	say("ia32 %s", "done");
}

static void functional(const char *dir)
{
	char d[256], p[300], q[300], longname[400];
	char *exec_argv[] = { (char *)self, "child-exec", "alpha", "beta", NULL };
	char *bad_argv[] = { "/nonexistent/prog", "x", NULL };
	struct open_how how = { .flags = O_RDONLY };
	pid_t pid;
	int fd, fd2, pipefd[2];
	pthread_t thread;

	/* exec: a successful one and a failing one */
	do_exec(exec_argv);
	pid = fork();
	if (pid == 0) {
		execv(bad_argv[0], bad_argv);
		_exit(0);
	}
	wait_child(pid);
	pid = fork();
	if (pid == 0) {
		char *at_argv[] = { (char *)self, "child-exec", "via-execveat",
				    NULL };

		syscall(SYS_execveat, AT_FDCWD, self, at_argv, environ, 0);
		_exit(127);
	}
	wait_child(pid);
	say("exec %s", "done");

	/* files */
	snprintf(d, sizeof(d), "%s/lxdir", dir);
	check(syscall(SYS_mkdir, d, 0755) == 0, "mkdir");
	snprintf(p, sizeof(p), "%s/created.txt", d);
	fd = syscall(SYS_openat, AT_FDCWD, p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	check(fd >= 0, "openat rwtc");
	check(write(fd, "data\n", 5) == 5, "write");
	close(fd);
	fd = syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT, 0600);
	check(fd >= 0, "openat wc");
	close(fd);
	fd = syscall(SYS_open, p, O_RDONLY);
	check(fd >= 0, "open r");
	close(fd);
	fd = syscall(SYS_openat2, AT_FDCWD, p, &how, sizeof(how));
	check(fd >= 0, "openat2 r");
	close(fd);
	/*
	 * close() of an fd that dup2() put another file at: the record names
	 * the file closed (dup-a), not the one opened as that fd (dup-b)
	 */
	snprintf(q, sizeof(q), "%s/dup-a.txt", d);
	fd = open(q, O_RDWR | O_CREAT, 0600);
	snprintf(q, sizeof(q), "%s/dup-b.txt", d);
	fd2 = open(q, O_RDWR | O_CREAT, 0600);
	check(fd >= 0 && fd2 >= 0, "open dup-a, dup-b");
	check(dup2(fd, fd2) == fd2, "dup2");
	close(fd2);
	close(fd);
	check(unlink(q) == 0, "unlink dup-b");
	snprintf(q, sizeof(q), "%s/dup-a.txt", d);
	check(unlink(q) == 0, "unlink dup-a");
	/*
	 * close() whose outcome sys_enter cannot know: a bad fd, and a close
	 * while another thread shares the fd table; also an O_PATH file
	 */
	check(close(9999) == -1 && errno == EBADF, "close of a bad fd fails");
	snprintf(q, sizeof(q), "%s/threaded.txt", d);
	check(pipe(pipefd) == 0, "pipe");
	check(pthread_create(&thread, NULL, wait_on_pipe, &pipefd[0]) == 0,
	      "pthread_create");
	fd = open(q, O_RDWR | O_CREAT, 0600);
	check(fd >= 0 && close(fd) == 0, "open and close in two threads");
	check(write(pipefd[1], "x", 1) == 1, "end the thread");
	check(pthread_join(thread, NULL) == 0, "pthread_join");
	close(pipefd[0]);
	close(pipefd[1]);
	check(unlink(q) == 0, "unlink threaded");
	fd = open(d, O_PATH | O_DIRECTORY);
	check(fd >= 0 && close(fd) == 0, "open and close O_PATH");
	check(chdir(d) == 0, "chdir");
	fd = syscall(SYS_openat, AT_FDCWD, "relative.txt",
		     O_RDWR | O_CREAT, 0644);
	check(fd >= 0, "openat relative");
	close(fd);
	memset(longname, 'n', 300);
	longname[300] = '\0';
	fd = syscall(SYS_openat, AT_FDCWD, longname, O_RDONLY);
	check(fd < 0 && errno == ENAMETOOLONG, "open of a too long name fails");
	fd = syscall(SYS_open, "/nonexistent/file", O_RDONLY);
	check(fd < 0 && errno == ENOENT, "open of a missing file fails");
	check(syscall(SYS_chmod, p, 0640) == 0, "chmod");
	check(syscall(SYS_chown, p, 1000, 1000) == 0, "chown");
	snprintf(q, sizeof(q), "%s/hardlink.txt", d);
	check(syscall(SYS_link, p, q) == 0, "link");
	snprintf(q, sizeof(q), "%s/symlink.txt", d);
	check(syscall(SYS_symlink, p, q) == 0, "symlink");
	snprintf(q, sizeof(q), "%s/renamed.txt", d);
	check(syscall(SYS_rename, p, q) == 0, "rename");
	check(syscall(SYS_unlink, q) == 0, "unlink");
	snprintf(q, sizeof(q), "%s/hardlink.txt", d);
	check(syscall(SYS_unlink, q) == 0, "unlink");
	snprintf(q, sizeof(q), "%s/symlink.txt", d);
	check(syscall(SYS_unlink, q) == 0, "unlink");
	check(syscall(SYS_unlink, "relative.txt") == 0, "unlink relative");
	check(chdir("/") == 0, "chdir /");
	check(syscall(SYS_rmdir, d) == 0, "rmdir");
	say("files %s", "done");

	/* system */
	snprintf(d, sizeof(d), "%s/mnt", dir);
	check(mkdir(d, 0755) == 0, "mkdir mnt");
	check(mount("lxbsmtmp", d, "tmpfs", 0, "size=1m") == 0, "mount");
	check(umount2(d, 0) == 0, "umount2");
	rmdir(d);
	say("mount %s", "done");

	/* process: kill, ptrace */
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	usleep(10000);
	check(kill(pid, SIGTERM) == 0, "kill");
	wait_child(pid);
	pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		_exit(0);
	}
	wait_child(pid);
	say("process %s", "done");

	ia32();
	net();
	say("functional %s", "done");
}

static void stress(long n, const char *dir)
{
	char p[256];
	long i;
	int fd;

	snprintf(p, sizeof(p), "%s/stress.%d", dir, getpid());
	for (i = 0; i < n; i++) {
		fd = open(p, O_RDWR | O_CREAT, 0600);
		if (fd >= 0)
			close(fd);
	}
	unlink(p);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* the recv loop's sockets: 127.0.0.1 to itself, each connected to the other */
static int bench_rx = -1, bench_tx = -1;

static void bench_pair(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bench_rx = socket(AF_INET, SOCK_DGRAM, 0);
	bench_tx = socket(AF_INET, SOCK_DGRAM, 0);
	if (bench_rx < 0 || bench_tx < 0 ||
	    bind(bench_rx, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(bench_rx, (struct sockaddr *)&a, &len) ||
	    connect(bench_tx, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(bench_tx, (struct sockaddr *)&a, &len) ||
	    connect(bench_rx, (struct sockaddr *)&a, sizeof(a))) {
		perror("bench recv: socket pair");
		exit(1);
	}
}

static void bench_op(const char *kind)
{
	char *argv[] = { (char *)self, "child-exec", NULL };
	char byte = 'x';
	int fd;

	if (!strcmp(kind, "recv")) {
		if (send(bench_tx, &byte, 1, 0) != 1 ||
		    recv(bench_rx, &byte, 1, 0) != 1) {
			perror("bench recv");
			exit(1);
		}
	} else if (!strcmp(kind, "open")) {
		fd = open("/lxbsm/workload", O_RDONLY);
		close(fd);
	} else if (!strcmp(kind, "fork")) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		wait_child(pid);
	} else {
		do_exec(argv);
	}
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

#define BENCH_BATCHES 20

/*
 * n operations in BENCH_BATCHES batches.  Prints the median and the
 * fastest batch's ns per operation: under TCG on a shared host the speed
 * of the vCPU changes by half within a second, and the fastest batch is
 * the one the host disturbed least.
 */
static void bench(const char *kind, long n)
{
	long long ns[BENCH_BATCHES], t0;
	long per = n / BENCH_BATCHES > 0 ? n / BENCH_BATCHES : 1, i;
	int b;

	if (!strcmp(kind, "recv"))
		bench_pair();
	bench_op(kind);		/* warm the caches and the dentry */
	for (b = 0; b < BENCH_BATCHES; b++) {
		t0 = now_ns();
		for (i = 0; i < per; i++)
			bench_op(kind);
		ns[b] = (now_ns() - t0) / per;
	}
	qsort(ns, BENCH_BATCHES, sizeof(ns[0]), cmp_ll);
	printf("bench %s %lld %lld\n", kind,
	       (ns[BENCH_BATCHES / 2 - 1] + ns[BENCH_BATCHES / 2]) / 2, ns[0]);
}

static void device_holders(const char *path)
{
	int fd = open("/dev/lxbsm", O_RDONLY);

	check(fd < 0 && errno == EBUSY, "a second reader gets EBUSY");
	fd = open("/dev/lxbsm", O_WRONLY);
	check(fd >= 0, "a write-only open of the device");
	close(open(path, O_RDONLY));
	close(fd);
	say("device holders %s", "done");
}

static void reader_reuse(const char *path)
{
	int go[2], result[2], fd, tries;
	pid_t p, d;
	char c = 0;
	FILE *last;

	check(pipe(go) == 0 && pipe(result) == 0, "pipes");
	p = fork();
	check(p >= 0, "fork");
	if (p == 0) {
		fd = open("/dev/lxbsm", O_RDONLY);
		check(fd >= 0, "open the reader");
		p = getpid();
		if (fork() != 0)
			_exit(0);
		/* the child: keeps fd; waits until p is reaped */
		check(read(go[0], &c, 1) == 1, "wait for the reaping");
		for (tries = 0; tries < 20; tries++) {
			last = fopen("/proc/sys/kernel/ns_last_pid", "w");
			check(last != NULL, "ns_last_pid");
			fprintf(last, "%d", (int)p - 1);
			check(fclose(last) == 0, "write ns_last_pid");
			d = fork();
			if (d == 0) {
				if (getpid() == p)
					close(open(path, O_RDONLY));
				_exit(0);
			}
			check(d > 0, "fork");
			waitpid(d, NULL, 0);
			if (d == p)
				break;
			fprintf(stderr, "workload: forked %d, not %d\n", (int)d,
				(int)p);
		}
		c = d == p ? 'y' : 'n';
		/* released before the report: lxbsmd may open it next */
		close(fd);
		check(write(result[1], &c, 1) == 1, "report");
		_exit(0);
	}
	wait_child(p);
	check(write(go[1], "x", 1) == 1, "the first is reaped");
	check(read(result[0], &c, 1) == 1, "the child's report");
	if (c != 'y') {
		fprintf(stderr, "workload: pid %d was not reused\n", (int)p);
		exit(1);
	}
	say("reader reuse %s", "done");
}

static void on_usr1(int sig)
{
	(void)sig;
}

struct fifo_open {
	const char *path;
	int ret, err;
};

static void *open_fifo(void *arg)
{
	struct fifo_open *o = arg;

	o->ret = open(o->path, O_RDONLY);
	o->err = errno;
	return NULL;
}

static void fifo_race(const char *dir)
{
	char real[256], forged[256], eintr[256], page[256];
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct fifo_open o;
	pthread_t t;
	char *buf, *map;
	int w, pfd;

	/* the buffer rewritten while the open blocks */
	snprintf(real, sizeof(real), "%s/fifo-real", dir);
	snprintf(forged, sizeof(forged), "%s/forged-never-existed", dir);
	check(mkfifo(real, 0600) == 0, "mkfifo");
	buf = malloc(256);
	check(buf != NULL, "malloc");
	strcpy(buf, real);
	o.path = buf;
	check(pthread_create(&t, NULL, open_fifo, &o) == 0, "thread");
	usleep(300000);
	strcpy(buf, forged);
	w = open(real, O_WRONLY);
	check(w >= 0, "open the FIFO's other end");
	check(pthread_join(t, NULL) == 0, "join");
	check(o.ret >= 0, "the FIFO open");
	close(o.ret);
	close(w);
	free(buf);

	/* the name's page unmapped while the open blocks; it then fails */
	snprintf(eintr, sizeof(eintr), "%s/fifo-eintr", dir);
	snprintf(page, sizeof(page), "%s/path-page", dir);
	check(mkfifo(eintr, 0600) == 0, "mkfifo");
	pfd = open(page, O_RDWR | O_CREAT | O_TRUNC, 0600);
	check(pfd >= 0 && ftruncate(pfd, 4096) == 0 &&
	      pwrite(pfd, eintr, strlen(eintr) + 1, 0) > 0, "path page");
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, pfd, 0);
	check(map != MAP_FAILED, "mmap");
	check(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
	o.path = map;
	check(pthread_create(&t, NULL, open_fifo, &o) == 0, "thread");
	usleep(300000);
	check(madvise(map, 4096, MADV_DONTNEED) == 0, "madvise");
	check(pthread_kill(t, SIGUSR1) == 0, "signal");
	check(pthread_join(t, NULL) == 0, "join");
	errno = o.err;
	check(o.ret < 0 && o.err == EINTR, "the interrupted open fails");
	munmap(map, 4096);
	close(pfd);
	say("fifo race %s", "done");
}

/* One operation on the ring: returns its result. */
static int uring_op(int ring, struct io_uring_params *p, char *sq, char *cq,
		    struct io_uring_sqe *sqes, const struct io_uring_sqe *op)
{
	unsigned *tail = (unsigned *)(sq + p->sq_off.tail);
	unsigned *mask = (unsigned *)(sq + p->sq_off.ring_mask);
	unsigned *array = (unsigned *)(sq + p->sq_off.array);
	unsigned *head = (unsigned *)(cq + p->cq_off.head);
	unsigned *cmask = (unsigned *)(cq + p->cq_off.ring_mask);
	struct io_uring_cqe *cqes = (void *)(cq + p->cq_off.cqes);
	unsigned t = *tail, h;
	int res;

	sqes[t & *mask] = *op;
	array[t & *mask] = t & *mask;
	__atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
	check(syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS,
		      NULL, 0) == 1, "io_uring_enter");
	h = __atomic_load_n(head, __ATOMIC_ACQUIRE);
	res = cqes[h & *cmask].res;
	__atomic_store_n(head, h + 1, __ATOMIC_RELEASE);
	return res;
}

static int uring(const char *path)
{
	struct io_uring_params p;
	struct io_uring_sqe op;
	size_t sqsz, cqsz;
	char *sq, *cq;
	struct io_uring_sqe *sqes;
	int ring, fd;

	memset(&p, 0, sizeof(p));
	ring = syscall(__NR_io_uring_setup, 4, &p);
	if (ring < 0 && errno == EPERM) {
		say("io_uring_setup: %s", "denied");
		return 0;
	}
	check(ring >= 0, "io_uring_setup");
	sqsz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (sqsz < cqsz)
		sqsz = cqsz;
	sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  ring, IORING_OFF_SQ_RING);
	check(sq != MAP_FAILED, "mmap sq");
	check(p.features & IORING_FEAT_SINGLE_MMAP, "one mmap for both rings");
	cq = sq;
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	check(sqes != MAP_FAILED, "mmap sqes");
	memset(&op, 0, sizeof(op));
	op.opcode = IORING_OP_OPENAT;
	op.fd = AT_FDCWD;
	op.addr = (unsigned long)path;
	op.open_flags = O_RDWR | O_CREAT;
	op.len = 0600;
	fd = uring_op(ring, &p, sq, cq, sqes, &op);
	errno = -fd;
	check(fd >= 0, "io_uring OPENAT");
	memset(&op, 0, sizeof(op));
	op.opcode = IORING_OP_CLOSE;
	op.fd = fd;
	check(uring_op(ring, &p, sq, cq, sqes, &op) == 0, "io_uring CLOSE");
	say("io_uring: %s created, unaudited", path);
	return 3;
}

static volatile sig_atomic_t trace_go;

static void on_trace_go(int sig)
{
	trace_go = 1;
}

/*
 * The traced process of the trace phase: waits for SIGUSR1 (sent once
 * lxbsmd traces it) making no I/O call, then makes a known set, which the
 * host checks bsmreport --io against:
 *   DIR/traced.dat  opened twice, 3 writes of 100 bytes, 1 lseek, reads of
 *                   64, 236 and 0 bytes, 2 closes;
 *   a child (traced as a descendant): opens it, reads 300 then 0 bytes,
 *   closes it.
 */
static int trace_io(const char *dir)
{
	struct sigaction sa = { .sa_handler = on_trace_go };
	sigset_t usr1, old;
	char path[256], buf[4096];
	int fd, i;
	pid_t pid;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	sigaction(SIGUSR1, &sa, NULL);
	while (!trace_go)
		sigsuspend(&old);
	snprintf(path, sizeof(path), "%s/traced.dat", dir);
	memset(buf, 'x', sizeof(buf));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	check(fd >= 0, "trace open for writing");
	for (i = 0; i < 3; i++)
		check(write(fd, buf, 100) == 100, "trace write");
	check(lseek(fd, 0, SEEK_SET) == 0, "trace lseek");
	close(fd);
	fd = open(path, O_RDONLY);
	check(fd >= 0, "trace open for reading");
	check(read(fd, buf, 64) == 64, "trace read 64");
	check(read(fd, buf, sizeof(buf)) == 236, "trace read the rest");
	check(read(fd, buf, sizeof(buf)) == 0, "trace read at the end");
	close(fd);
	pid = fork();
	if (pid == 0) {
		fd = open(path, O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) != 300 ||
		    read(fd, buf, sizeof(buf)) != 0)
			_exit(1);
		close(fd);
		_exit(0);
	}
	check(pid > 0, "trace fork");
	check(waitpid(pid, &i, 0) == pid && WIFEXITED(i) && !WEXITSTATUS(i),
	      "trace child");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "child-exec"))
		return 0;
	if (argc == 3 && !strcmp(argv[1], "functional")) {
		functional(argv[2]);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "stress")) {
		stress(atol(argv[2]), argv[3]);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "loginuid-open")) {
		int fd = open("/proc/self/loginuid", O_WRONLY);

		check(fd >= 0 && write(fd, argv[2], strlen(argv[2])) > 0,
		      "write loginuid");
		close(fd);
		fd = open(argv[3], O_WRONLY | O_CREAT, 0600);
		check(fd >= 0, "open");
		close(fd);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "try-open")) {
		int fd = open(argv[2], O_RDONLY);

		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "device-holders")) {
		device_holders(argv[2]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "reader-reuse")) {
		reader_reuse(argv[2]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "fifo-race")) {
		fifo_race(argv[2]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "uring"))
		return uring(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "bench")) {
		bench(argv[2], atol(argv[3]));
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "trace-io"))
		return trace_io(argv[2]);
	fprintf(stderr, "usage: workload functional DIR | stress N DIR | "
		"bench open|fork|exec|recv N | device-holders PATH | "
		"reader-reuse PATH | fifo-race DIR | uring PATH | trace-io DIR | "
		"child-exec\n");
	return 2;
}
