#include "app/allocator.h"
#include "app/cli.h"

#ifdef WEBTHREAT_WITH_REPORT
#include "app/reportmodule.h"
#endif

#include <iostream>

int main(int argc, char** argv)
{
    webthreat::configureAllocator();
    std::ios::sync_with_stdio(false);
#ifdef WEBTHREAT_WITH_REPORT
    webthreat::setReportWriter(&webthreat::writeReportThroughModule);
#endif
    std::vector<std::string> args(argv + 1, argv + argc);
    const int status = webthreat::runCli(args, std::cout, std::cerr);
    std::cout.flush();
    return status;
}
