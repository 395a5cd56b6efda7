// SPDX-License-Identifier: GPL-2.0
// The main() of every Catch2 suite of the selftests. Besides the usual
// console output, a suite writes Catch2's XML report to the file named by
// $BPFOOM_TEST_REPORT: scripts/test.sh counts passes and failures from that,
// not from the human summary, and a run that crashes leaves no complete
// report, which counts as a failure.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

namespace
{

// Unbuffered, so that a run killed half way leaves what it reported so far.
std::ofstream report;

// Catch2 v2 runs one reporter; its XML reporter, registered as a listener,
// runs beside the console one. Without $BPFOOM_TEST_REPORT the stream is
// not open and what it writes goes nowhere.
class XmlReportListener : public Catch::XmlReporter
{
public:
	explicit XmlReportListener(const Catch::ReporterConfig &config)
	    : XmlReporter(Catch::ReporterConfig(config.fullConfig(), report))
	{
	}
};

} // namespace

CATCH_REGISTER_LISTENER(XmlReportListener)

int main(int argc, char **argv)
{
	if (const char *path = std::getenv("BPFOOM_TEST_REPORT"); path && *path) {
		report.rdbuf()->pubsetbuf(nullptr, 0);
		report.open(path);
		if (!report) {
			std::cerr << argv[0] << ": cannot write the test report " << path << ": "
				  << std::strerror(errno) << '\n';
			return 2;
		}
	}
	return Catch::Session().run(argc, argv);
}
