#include "core/stream/cleanedspill.h"

#include "core/util/errors.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string_view>
#include <unistd.h>

namespace webthreat {

namespace {

// How a column's cells are stored.
enum class CellsMode : std::uint8_t {
    Uniform = 0, // the row count, then the one value
    Raw = 1, // the count, then every cell as it is in memory
    Offset = 2, // integers: the count, the least value, a width; per cell 0 = missing, else value - least + 1
    Narrow = 3, // text ids: the count, a width, then each id in that many bytes
};

class Writer {
public:
    explicit Writer(std::vector<unsigned char>& bytes)
        : m_bytes(bytes)
    {
    }
    void put(const void* data, std::size_t size)
    {
        const auto* from = static_cast<const unsigned char*>(data);
        m_bytes.insert(m_bytes.end(), from, from + size);
    }
    template <typename T>
    void value(const T& v)
    {
        put(&v, sizeof v);
    }
    // Room for size more bytes, to be written through the pointer returned.
    unsigned char* extend(std::size_t size)
    {
        const std::size_t at = m_bytes.size();
        m_bytes.resize(at + size);
        return m_bytes.data() + at;
    }

private:
    std::vector<unsigned char>& m_bytes;
};

class Reader {
public:
    Reader(const unsigned char* bytes, std::size_t size)
        : m_at(bytes)
        , m_end(bytes + size)
    {
    }
    const unsigned char* take(std::size_t size)
    {
        if (static_cast<std::size_t>(m_end - m_at) < size)
            throw Error("the streaming spill of cleaned rows is damaged: a chunk ends early");
        const unsigned char* at = m_at;
        m_at += size;
        return at;
    }
    template <typename T>
    T value()
    {
        T v;
        std::memcpy(&v, take(sizeof v), sizeof v);
        return v;
    }

private:
    const unsigned char* m_at;
    const unsigned char* m_end;
};

unsigned widthFor(std::uint64_t largest)
{
    return largest <= 0xFFu ? 1 : largest <= 0xFFFFu ? 2 : largest <= 0xFFFFFFFFu ? 4 : 8;
}

template <typename Code, typename Map>
void putCodes(Writer& out, std::size_t count, Map&& code)
{
    unsigned char* at = out.extend(count * sizeof(Code));
    for (std::size_t i = 0; i < count; ++i) {
        const Code c = static_cast<Code>(code(i));
        std::memcpy(at + i * sizeof(Code), &c, sizeof(Code));
    }
}

template <typename Code, typename T, typename Map>
void takeCodes(Reader& in, std::size_t count, std::vector<T>& into, Map&& value)
{
    const unsigned char* at = in.take(count * sizeof(Code));
    into.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        Code c;
        std::memcpy(&c, at + i * sizeof(Code), sizeof(Code));
        into[i] = value(c);
    }
}

[[noreturn]] void damaged()
{
    throw Error("the streaming spill of cleaned rows is damaged: a column's encoding is unknown");
}

// putCodes and takeCodes in a width of 1, 2 or 4 bytes chosen at run time (widthFor).
template <typename Map>
void putCodesOfWidth(Writer& out, unsigned width, std::size_t count, Map&& code)
{
    if (width == 1)
        putCodes<std::uint8_t>(out, count, code);
    else if (width == 2)
        putCodes<std::uint16_t>(out, count, code);
    else
        putCodes<std::uint32_t>(out, count, code);
}

template <typename T, typename Map>
void takeCodesOfWidth(Reader& in, unsigned width, std::size_t count, std::vector<T>& into, Map&& value)
{
    if (width == 1)
        takeCodes<std::uint8_t>(in, count, into, value);
    else if (width == 2)
        takeCodes<std::uint16_t>(in, count, into, value);
    else if (width == 4)
        takeCodes<std::uint32_t>(in, count, into, value);
    else
        damaged();
}

template <typename T>
void putRaw(Writer& out, const Cells<T>& cells)
{
    out.value(static_cast<std::uint8_t>(CellsMode::Raw));
    out.value(static_cast<std::uint64_t>(cells.size()));
    if (!cells.empty())
        out.put(&cells[0], cells.size() * sizeof(T));
}

template <typename T>
bool putUniform(Writer& out, const Cells<T>& cells)
{
    if (!cells.isUniform())
        return false;
    out.value(static_cast<std::uint8_t>(CellsMode::Uniform));
    out.value(static_cast<std::uint64_t>(cells.size()));
    out.value(cells.front());
    return true;
}

void putCells(Writer& out, const Cells<std::int64_t>& cells)
{
    if (putUniform(out, cells))
        return;
    const std::size_t count = cells.size();
    const std::int64_t* values = count ? &cells[0] : nullptr;
    std::int64_t least = std::numeric_limits<std::int64_t>::max();
    std::int64_t most = std::numeric_limits<std::int64_t>::min();
    for (std::size_t i = 0; i < count; ++i) {
        if (values[i] == kMissingInteger)
            continue;
        least = std::min(least, values[i]);
        most = std::max(most, values[i]);
    }
    if (least > most)
        least = most = 0; // every cell missing
    const std::uint64_t range = static_cast<std::uint64_t>(most) - static_cast<std::uint64_t>(least);
    if (range >= 0xFFFFFFFFu) {
        putRaw(out, cells);
        return;
    }
    const unsigned width = widthFor(range + 1);
    out.value(static_cast<std::uint8_t>(CellsMode::Offset));
    out.value(static_cast<std::uint64_t>(count));
    out.value(least);
    out.value(static_cast<std::uint8_t>(width));
    const auto code = [&](std::size_t i) -> std::uint64_t {
        return values[i] == kMissingInteger ? 0 : static_cast<std::uint64_t>(values[i]) - static_cast<std::uint64_t>(least) + 1;
    };
    putCodesOfWidth(out, width, count, code);
}

void putCells(Writer& out, const Cells<std::uint32_t>& cells)
{
    if (putUniform(out, cells))
        return;
    const std::size_t count = cells.size();
    const std::uint32_t* values = count ? &cells[0] : nullptr;
    std::uint32_t most = 0;
    for (std::size_t i = 0; i < count; ++i)
        most = std::max(most, values[i]);
    const unsigned width = widthFor(most);
    out.value(static_cast<std::uint8_t>(CellsMode::Narrow));
    out.value(static_cast<std::uint64_t>(count));
    out.value(static_cast<std::uint8_t>(width));
    const auto code = [&](std::size_t i) { return values[i]; };
    putCodesOfWidth(out, width, count, code);
}

void putCells(Writer& out, const Cells<double>& cells)
{
    if (!putUniform(out, cells))
        putRaw(out, cells);
}

template <typename T>
Cells<T> takeUniformOrRaw(Reader& in, CellsMode mode)
{
    const auto count = static_cast<std::size_t>(in.value<std::uint64_t>());
    if (mode == CellsMode::Uniform)
        return Cells<T>::uniform(count, in.value<T>());
    std::vector<T> values(count);
    if (count)
        std::memcpy(values.data(), in.take(count * sizeof(T)), count * sizeof(T));
    return Cells<T>(std::move(values));
}

Cells<std::int64_t> takeIntegers(Reader& in)
{
    const auto mode = static_cast<CellsMode>(in.value<std::uint8_t>());
    if (mode == CellsMode::Uniform || mode == CellsMode::Raw)
        return takeUniformOrRaw<std::int64_t>(in, mode);
    if (mode != CellsMode::Offset)
        damaged();
    const auto count = static_cast<std::size_t>(in.value<std::uint64_t>());
    const auto least = static_cast<std::uint64_t>(in.value<std::int64_t>());
    const unsigned width = in.value<std::uint8_t>();
    std::vector<std::int64_t> values;
    const auto value = [least](std::uint64_t c) {
        return c == 0 ? kMissingInteger : static_cast<std::int64_t>(least + (c - 1));
    };
    takeCodesOfWidth(in, width, count, values, value);
    return Cells<std::int64_t>(std::move(values));
}

Cells<std::uint32_t> takeText(Reader& in)
{
    const auto mode = static_cast<CellsMode>(in.value<std::uint8_t>());
    if (mode == CellsMode::Uniform || mode == CellsMode::Raw)
        return takeUniformOrRaw<std::uint32_t>(in, mode);
    if (mode != CellsMode::Narrow)
        damaged();
    const auto count = static_cast<std::size_t>(in.value<std::uint64_t>());
    const unsigned width = in.value<std::uint8_t>();
    std::vector<std::uint32_t> values;
    const auto value = [](std::uint32_t c) { return c; };
    takeCodesOfWidth(in, width, count, values, value);
    return Cells<std::uint32_t>(std::move(values));
}

Cells<double> takeReals(Reader& in)
{
    const auto mode = static_cast<CellsMode>(in.value<std::uint8_t>());
    if (mode != CellsMode::Uniform && mode != CellsMode::Raw)
        damaged();
    return takeUniformOrRaw<double>(in, mode);
}

std::string scratchBase(const std::string& dir)
{
    if (!dir.empty())
        return dir;
    const char* tmp = std::getenv("TMPDIR");
    return tmp && *tmp ? tmp : "/tmp";
}

} // namespace

void CleanedSpill::encode(const TrafficTable& table, std::vector<unsigned char>& bytes)
{
    bytes.clear();
    Writer out(bytes);
    const std::size_t rows = table.rowCount();
    out.value(static_cast<std::uint64_t>(rows));
    out.value(static_cast<std::uint32_t>(table.columns.size()));
    // The pool in id order (id 0, the missing value, implied): its lengths, then its texts.
    const std::size_t pooled = table.strings ? table.strings->size() : 0;
    out.value(static_cast<std::uint32_t>(pooled));
    std::uint64_t textBytes = 0;
    if (pooled > 1) {
        unsigned char* lengths = out.extend((pooled - 1) * sizeof(std::uint32_t));
        for (std::size_t id = 1; id < pooled; ++id) {
            const auto length = static_cast<std::uint32_t>(table.strings->view(static_cast<std::uint32_t>(id)).size());
            std::memcpy(lengths + (id - 1) * sizeof length, &length, sizeof length);
            textBytes += length;
        }
        unsigned char* text = out.extend(static_cast<std::size_t>(textBytes));
        for (std::size_t id = 1; id < pooled; ++id) {
            const std::string_view view = table.strings->view(static_cast<std::uint32_t>(id));
            std::memcpy(text, view.data(), view.size());
            text += view.size();
        }
    }
    if (rows)
        out.put(table.sourceLines.data(), rows * sizeof(std::uint32_t));
    for (const Column& column : table.columns) {
        out.value(static_cast<std::uint32_t>(column.name.size()));
        out.put(column.name.data(), column.name.size());
        out.value(static_cast<std::uint8_t>(column.kind));
        out.value(static_cast<std::uint8_t>(column.released ? 1 : 0));
        putCells(out, column.integers);
        putCells(out, column.reals);
        putCells(out, column.text);
    }
}

void CleanedSpill::decode(const unsigned char* bytes, std::size_t size, TrafficTable& table)
{
    Reader in(bytes, size);
    const auto rows = static_cast<std::size_t>(in.value<std::uint64_t>());
    const std::uint32_t columns = in.value<std::uint32_t>();
    const std::uint32_t pooled = in.value<std::uint32_t>();
    if (pooled == 0) {
        table.strings.reset();
    } else {
        auto strings = std::make_shared<StringPool>();
        const std::size_t count = pooled - 1;
        std::vector<std::uint32_t> lengths(count);
        if (count)
            std::memcpy(lengths.data(), in.take(count * sizeof(std::uint32_t)), count * sizeof(std::uint32_t));
        std::uint64_t textBytes = 0;
        for (std::uint32_t length : lengths)
            textBytes += length;
        const char* text = reinterpret_cast<const char*>(in.take(static_cast<std::size_t>(textBytes)));
        std::vector<std::string_view> texts(count);
        for (std::size_t i = 0; i < count; ++i) {
            texts[i] = std::string_view(text, lengths[i]);
            text += lengths[i];
        }
        // Distinct texts interned in id order get their ids back: 1, 2, ...
        std::vector<std::uint32_t> ids(count);
        strings->reserve(pooled);
        strings->internAll(texts.data(), count, ids.data());
        if (strings->size() != pooled)
            throw Error("the streaming spill of cleaned rows is damaged: its texts are not the chunk's");
        table.strings = std::move(strings);
    }
    table.sourceLines.resize(rows);
    if (rows)
        std::memcpy(table.sourceLines.data(), in.take(rows * sizeof(std::uint32_t)), rows * sizeof(std::uint32_t));
    table.columns.clear();
    table.columns.resize(columns);
    for (Column& column : table.columns) {
        const std::uint32_t nameLength = in.value<std::uint32_t>();
        column.name.assign(reinterpret_cast<const char*>(in.take(nameLength)), nameLength);
        column.kind = static_cast<ColumnKind>(in.value<std::uint8_t>());
        column.released = in.value<std::uint8_t>() != 0;
        column.integers = takeIntegers(in);
        column.reals = takeReals(in);
        column.text = takeText(in);
    }
}

CleanedSpill::CleanedSpill(const std::string& scratchDir)
{
    const std::string base = scratchBase(scratchDir);
    std::string pattern = base + "/webthreat-cleaned-rows-XXXXXX";
    m_fd = ::mkstemp(pattern.data());
    if (m_fd < 0)
        throw OutputError("cannot make a scratch file for the cleaned rows in " + base + ": " + std::strerror(errno)
                          + " (choose a writable folder with room: --scratch, or TMPDIR; or --reparse)");
    // Unlinked at once: it goes when it is closed, whatever ends the run.
    ::unlink(pattern.c_str());
    m_path = pattern;
}

CleanedSpill::~CleanedSpill()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void CleanedSpill::append(const TrafficTable& table)
{
    encode(table, m_buffer);
    std::size_t done = 0;
    while (done < m_buffer.size()) {
        const ssize_t n = ::pwrite(m_fd, m_buffer.data() + done, m_buffer.size() - done,
                                   static_cast<off_t>(m_offsets.back() + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int error = n < 0 ? errno : ENOSPC;
            throw OutputError("cannot write the scratch file of cleaned rows " + m_path + ": " + std::strerror(error)
                              + " (it needs about a third of the file's size: choose a folder with room, --scratch or "
                                "TMPDIR; or --reparse, which reads the file again instead)");
        }
        done += static_cast<std::size_t>(n);
    }
    m_offsets.push_back(m_offsets.back() + m_buffer.size());
    m_rows += table.rowCount();
    if (m_buffer.capacity() > (std::size_t(1) << 20) && m_buffer.size() < m_buffer.capacity() / 4)
        std::vector<unsigned char>().swap(m_buffer); // a large chunk's room, not kept for small ones
}

void CleanedSpill::clear()
{
    if (::ftruncate(m_fd, 0) != 0)
        throw OutputError("cannot empty the scratch file of cleaned rows " + m_path + ": " + std::strerror(errno));
    m_offsets.assign(1, 0);
    m_rows = 0;
}

void CleanedSpill::read(std::size_t chunk, TrafficTable& table, std::vector<unsigned char>& buffer) const
{
    const std::uint64_t from = m_offsets.at(chunk);
    const auto size = static_cast<std::size_t>(m_offsets.at(chunk + 1) - from);
    buffer.resize(size);
    std::size_t got = 0;
    while (got < size) {
        const ssize_t n = ::pread(m_fd, buffer.data() + got, size - got, static_cast<off_t>(from + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw OutputError("cannot read the scratch file of cleaned rows " + m_path + ": " + std::strerror(errno));
        if (n == 0)
            throw Error("the streaming spill of cleaned rows " + m_path + " ends early");
        got += static_cast<std::size_t>(n);
    }
    decode(buffer.data(), size, table);
}

bool CleanedSpillSource::next(ReadResult& chunk, const Progress& progress)
{
    progress.check();
    chunk = ReadResult();
    if (m_next >= m_spill.chunks())
        return false;
    m_spill.read(m_next, chunk.table, m_buffer);
    ++m_next;
    return true;
}

} // namespace webthreat
