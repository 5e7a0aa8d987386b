#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace webthreat {

// Formats blocks [0, blocks) on `threads` threads and hands each block's text to `write` in block
// order, on the calling thread: the output is the same bytes whatever the number of threads. At
// most twice `threads` blocks are formatted ahead of the writer, each into a buffer that is reused,
// so memory stays bounded by the blocks in flight whatever the number of blocks. format(block,
// buffer) appends to an empty buffer and may run on any thread, several at once. The first
// exception thrown by format or write (a cancel from a progress check in write, a full disk) is
// rethrown here after every thread has stopped; no block after it is written. With one thread (or
// one block) everything runs on the calling thread.
void writeOrderedBlocks(std::size_t blocks, unsigned threads,
                        const std::function<void(std::size_t block, std::string& buffer)>& format,
                        const std::function<void(std::string_view text)>& write);

} // namespace webthreat
