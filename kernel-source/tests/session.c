// SPDX-License-Identifier: GPL-2.0
/*
 * session - login-like programs for the guest's test of login, logout and
 * su records (see guest/init).  What it does depends on the name it runs
 * under (copies of it are installed as sshd, login, in.telnetd and su, so
 * that the kernel's command name is that):
 *
 *   sshd            accepts a connection from 127.0.0.9, forks a session
 *                   process (comm sshd) that writes loginuid 1000 and
 *                   exits; prints "client port N"
 *   login AUID      writes loginuid AUID and exits
 *   in.telnetd      forks and execs "login 1002" (a login under telnetd)
 *   su ok           forks; the child calls setgid, then setuid(1000) (as
 *                   util-linux's su does after PAM said yes), and exits 0
 *   su fail         exits 1 without changing user (PAM said no)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "session: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void write_loginuid(const char *auid)
{
	int fd = open("/proc/self/loginuid", O_WRONLY);

	if (fd < 0 || write(fd, auid, strlen(auid)) != (ssize_t)strlen(auid))
		die("write loginuid");
	close(fd);
}

static int wait_ok(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

static int sshd(void)
{
	struct sockaddr_in srv = { .sin_family = AF_INET,
				   .sin_port = htons(6010) };
	struct sockaddr_in cli = { .sin_family = AF_INET };
	socklen_t len = sizeof(cli);
	int lst, c, a, one = 1;
	pid_t pid;

	inet_pton(AF_INET, "127.0.0.1", &srv.sin_addr);
	inet_pton(AF_INET, "127.0.0.9", &cli.sin_addr);
	lst = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lst, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lst < 0 || c < 0 || bind(lst, (void *)&srv, sizeof(srv)) ||
	    listen(lst, 1) || bind(c, (void *)&cli, sizeof(cli)) ||
	    connect(c, (void *)&srv, sizeof(srv)))
		die("connect");
	a = accept(lst, NULL, NULL);
	if (a < 0 || getsockname(c, (void *)&cli, &len))
		die("accept");
	printf("client port %u\n", ntohs(cli.sin_port));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		write_loginuid("1000");
		_exit(0);
	}
	return wait_ok(pid);
}

static int telnetd(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execl("/tmp/progs/login", "login", "1002", (char *)NULL);
		die("exec login");
	}
	return wait_ok(pid);
}

static int su(const char *how)
{
	pid_t pid;

	if (strcmp(how, "ok"))
		return 1;
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (setgid(1000) || setuid(1000))
			die("setuid");
		_exit(0);
	}
	return wait_ok(pid);
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');

	name = name ? name + 1 : argv[0];
	if (!strcmp(name, "sshd"))
		return sshd();
	if (!strcmp(name, "login") && argc == 2) {
		write_loginuid(argv[1]);
		return 0;
	}
	if (!strcmp(name, "in.telnetd"))
		return telnetd();
	if (!strcmp(name, "su") && argc == 2)
		return su(argv[1]);
	fprintf(stderr, "session: run as sshd, login AUID, in.telnetd or su ok|fail\n");
	return 2;
}
