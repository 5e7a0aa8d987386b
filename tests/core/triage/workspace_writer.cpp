// A helper for tests/core/triage/tst_workspace (not a test): writes row marks to a workspace, one
// transaction each, and prints "committed N" after each commit, so that the test can kill it
// mid-write and check that every reported mark survived.
//   workspace_writer PATH SHA256 [COUNT]   COUNT 0 (the default): until killed
#include "core/triage/workspace.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: workspace_writer PATH SHA256 [COUNT]\n");
        return 2;
    }
    const long count = argc > 3 ? std::strtol(argv[3], nullptr, 10) : 0;
    try {
        webthreat::Workspace workspace(argv[1]);
        for (long line = 1; count == 0 || line <= count; ++line) {
            webthreat::RowMark mark;
            mark.fileSha256 = argv[2];
            mark.line = static_cast<std::uint32_t>(line);
            mark.mark = line % 2 == 0 ? webthreat::Mark::Benign : webthreat::Mark::Malicious;
            mark.note = "written by workspace_writer, mark " + std::to_string(line);
            workspace.setRowMarks({mark});
            std::printf("committed %ld\n", line);
            std::fflush(stdout);
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "workspace_writer: %s\n", error.what());
        return 1;
    }
    return 0;
}
