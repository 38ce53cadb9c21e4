// SPDX-License-Identifier: GPL-2.0
/*
 * xlab-notify SOCKET: what systemd's NOTIFY_SOCKET would receive. Binds a
 * Unix datagram socket at SOCKET and prints every message it gets, one
 * "<uptime centiseconds> <message, newlines as |>" line each, until killed.
 * The lab's dom0 has no systemd; this is how daemon-ops sees sd_notify.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: xlab-notify SOCKET\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("xlab-notify");
		return 1;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		struct timespec ts;

		if (n < 0)
			continue;
		buf[n] = '\0';
		for (char *p = buf; *p; p++)
			if (*p == '\n')
				*p = '|';
		clock_gettime(CLOCK_BOOTTIME, &ts);
		printf("%lld %s\n", (long long)ts.tv_sec * 100 + ts.tv_nsec / 10000000, buf);
		fflush(stdout);
	}
}
