// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the kernel series' own BPF selftests (tools/testing/selftests/bpf
 * prog_tests/X.c with progs/X.c) without building the whole of test_progs,
 * which needs the complete selftests tree, a matching clang and its own
 * libbpf and bpftool. The tests include the real test_progs.h and
 * cgroup_helpers.h; this file supplies the part of test_progs.c that their
 * ASSERT_* macros and subtests call, and nothing else. scripts/kselftest.sh
 * builds it with the series' tests and runs it in the VM.
 *
 * A test or subtest fails on any failed ASSERT. A skip counts as a failure
 * here: a test that cannot run must not look like one that passed.
 */
#include <test_progs.h>
#include "cgroup_helpers.h"

struct test_env env;
int env_verbosity;

/* The tests of the series, named as test_progs names them. */
#define RUNNER_TEST(name) void test_##name(void);
#include "tests.h"
#undef RUNNER_TEST

static const struct runner_test {
	const char *name;
	void (*run)(void);
} runner_tests[] = {
#define RUNNER_TEST(name) {#name, test_##name},
#include "tests.h"
#undef RUNNER_TEST
};

static const char *current_test;
static char *current_subtest;
static int test_failures;    /* in the current test, its subtests' included */
static int subtest_failures; /* in the current subtest */
static int failed;	     /* tests and subtests that failed */
static int passed;	     /* tests and subtests that passed */

static void report(const char *subtest, int failures)
{
	if (subtest)
		printf("%s/%s:%s\n", current_test, subtest, failures ? "FAIL" : "OK");
	else
		printf("%s:%s\n", current_test, failures ? "FAIL" : "OK");
	fflush(stdout);
	if (failures)
		failed++;
	else
		passed++;
}

void test__end_subtest(void)
{
	if (!current_subtest)
		return;
	report(current_subtest, subtest_failures);
	test_failures += subtest_failures;
	free(current_subtest);
	current_subtest = NULL;
}

bool test__start_subtest(const char *name)
{
	test__end_subtest();
	current_subtest = strdup(name);
	if (!current_subtest) {
		test__fail();
		return false;
	}
	subtest_failures = 0;
	printf("%s/%s: start\n", current_test, name);
	fflush(stdout);
	return true;
}

void test__fail(void)
{
	if (current_subtest)
		subtest_failures++;
	else
		test_failures++;
}

void test__skip(void)
{
	printf("%s%s%s: skipped, which counts as a failure\n", current_test,
	       current_subtest ? "/" : "", current_subtest ? current_subtest : "");
	test__fail();
}

void test__force_log(void) {}

int test__join_cgroup(const char *path)
{
	return join_cgroup(path);
}

int main(int argc, char **argv)
{
	size_t i;
	int j;

	for (i = 0; i < sizeof(runner_tests) / sizeof(runner_tests[0]); i++) {
		bool wanted = argc < 2;

		for (j = 1; j < argc; j++)
			wanted |= strcmp(argv[j], runner_tests[i].name) == 0;
		if (!wanted)
			continue;
		current_test = runner_tests[i].name;
		test_failures = 0;
		runner_tests[i].run();
		test__end_subtest();
		report(NULL, test_failures);
	}
	printf("Summary: %d PASSED, %d FAILED\n", passed, failed);
	if (passed + failed == 0) {
		fprintf(stderr, "no test ran\n");
		return 1;
	}
	return failed ? 1 : 0;
}
