// SPDX-License-Identifier: GPL-2.0
/*
 * bpfoom-bench-sleepers CGROUP_DIR COUNT
 *
 * Puts COUNT processes, itself included, into the cgroup directory
 * CGROUP_DIR, all sleeping in pause(): the OOM candidates of the victim
 * selection benchmark. Linked statically and doing nothing after fork, each
 * child costs a few pages, so thousands fit in a small guest. Prints "ready"
 * once all are there, then sleeps until killed (cgroup.kill).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	char procs[4096];
	long count;

	if (argc != 3 || (count = strtol(argv[2], NULL, 10)) < 1) {
		fprintf(stderr, "usage: %s CGROUP_DIR COUNT\n", argv[0]);
		return 2;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", argv[1]);
	/* The starter's oom_score_adj is inherited; candidates need the default. */
	if (write_file("/proc/self/oom_score_adj", "0") || write_file(procs, "0")) {
		perror(procs);
		return 1;
	}
	for (long i = 1; i < count; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			for (;;)
				pause();
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
