/*
 * Test harness for the seccomp compiler. For each case on the command line it forks a child that
 * (with -f) installs the BPF program from the file with seccomp(2), then makes one raw syscall and
 * reports the outcome on stdout, one line per case:
 *   <i> OK            the syscall returned >= 0
 *   <i> ERRNO <n>     it failed with errno n
 *   <i> TRAP          SIGSYS was delivered to the handler (SCMP_ACT_TRAP)
 *   <i> SIG <n>       the child died from signal n (the KILL actions: 31 = SIGSYS)
 *   <i> LOADERR <n>   seccomp(2) refused the program with errno n
 * A case is NR[:A0[:A1...:A5]] with numbers in C notation. Without -f no filter is installed (used
 * under crun, which installs its own). The harness process itself never filters anything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int case_index;

static void say(const char *text)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "%d %s\n", case_index, text);
	if (write(1, line, (size_t)n) < 0)
		_exit(98);
}

static void on_sigsys(int sig, siginfo_t *info, void *context)
{
	(void)sig; (void)info; (void)context;
	say("TRAP");
	_exit(0);
}

int main(int argc, char **argv)
{
	struct sock_filter *filter = NULL;
	unsigned short length = 0;
	unsigned long flags = 0;
	int first = 1;

	while (first < argc && argv[first][0] == '-') {
		if (strcmp(argv[first], "-f") == 0 && first + 1 < argc) {
			int fd = open(argv[first + 1], O_RDONLY);
			struct stat st;
			if (fd < 0 || fstat(fd, &st) < 0 || st.st_size % 8 != 0 || st.st_size == 0) {
				perror("filter");
				return 2;
			}
			filter = malloc((size_t)st.st_size);
			if (read(fd, filter, (size_t)st.st_size) != st.st_size) {
				perror("read");
				return 2;
			}
			close(fd);
			length = (unsigned short)(st.st_size / 8);
			first += 2;
		} else if (strcmp(argv[first], "-F") == 0 && first + 1 < argc) {
			flags = strtoul(argv[first + 1], NULL, 0);
			first += 2;
		} else {
			fprintf(stderr, "usage: %s [-f filter.bpf] [-F flags] NR[:A0..:A5]...\n", argv[0]);
			return 2;
		}
	}

	for (int i = first; i < argc; i++) {
		unsigned long long a[7] = { 0 };
		char *p = argv[i];
		for (int k = 0; k < 7 && *p; k++) {
			a[k] = strtoull(p, &p, 0);
			if (*p == ':')
				p++;
		}
		case_index = i - first;
		fflush(stdout);
		pid_t child = fork();
		if (child < 0) {
			perror("fork");
			return 2;
		}
		if (child == 0) {
			struct sigaction sa;
			memset(&sa, 0, sizeof(sa));
			sa.sa_sigaction = on_sigsys;
			sa.sa_flags = SA_SIGINFO;
			sigaction(SIGSYS, &sa, NULL);
			if (filter != NULL) {
				struct sock_fprog prog = { .len = length, .filter = filter };
				if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
				    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0) {
					char text[32];
					snprintf(text, sizeof(text), "LOADERR %d", errno);
					say(text);
					_exit(0);
				}
			}
			long r = syscall((long)a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
			if (r >= 0) {
				say("OK");
			} else {
				char text[32];
				snprintf(text, sizeof(text), "ERRNO %d", errno);
				say(text);
			}
			_exit(0);
		}
		int status = 0;
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(status)) {
			char text[32];
			snprintf(text, sizeof(text), "SIG %d", WTERMSIG(status));
			say(text);
		} else if (WEXITSTATUS(status) != 0) {
			char text[32];
			snprintf(text, sizeof(text), "EXIT %d", WEXITSTATUS(status));
			say(text);
		}
	}
	return 0;
}
