#include "core/io/readoptions.h"

#include "core/util/errors.h"

namespace webthreat {

void ReadOptions::validate() const
{
    if (threads < 0)
        throw ParameterError("threads must be 0 (all cores) or more, got " + std::to_string(threads));
    if (blockBytes < 64 || blockBytes > (std::size_t(1) << 31))
        throw ParameterError("blockBytes must be between 64 bytes and 2 GiB, got " + std::to_string(blockBytes));
    if (maxRecordBytes < 64)
        throw ParameterError("maxRecordBytes must be 64 bytes or more, got " + std::to_string(maxRecordBytes));
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter == '\0')
        throw ParameterError("the delimiter cannot be a quote, a line end or NUL");
    if (quote == delimiter || quote == '\n' || quote == '\r')
        throw ParameterError("the quote character cannot be the delimiter or a line end");
    if (!hasHeader && columnMap.empty())
        throw ParameterError("a file without a header line needs a column map saying which column is which");
    if (columnMap.empty())
        return;
    std::vector<const ColumnMapping*> byField(kFieldCount, nullptr);
    for (std::size_t i = 0; i < columnMap.size(); ++i) {
        const ColumnMapping& mapping = columnMap[i];
        if (mapping.index == ColumnMapping::kByName && mapping.header.empty())
            throw ParameterError("column map entry " + std::to_string(i + 1) + " names no column");
        for (std::size_t j = 0; j < i; ++j) {
            const ColumnMapping& earlier = columnMap[j];
            if (earlier.index == mapping.index && earlier.header == mapping.header)
                throw ParameterError("the column map lists the column " + mapping.describe() + " twice");
        }
        if (mapping.action != ColumnMapping::Action::ToField)
            continue;
        const auto field = static_cast<std::size_t>(mapping.field);
        if (field >= kFieldCount)
            throw ParameterError("column map entry " + std::to_string(i + 1) + " names no schema field");
        if (byField[field])
            throw ParameterError("the field '" + std::string(fieldInfo(mapping.field).name) + "' is mapped twice: from "
                                 + byField[field]->describe() + " and from " + mapping.describe());
        byField[field] = &mapping;
    }
    for (Field field : allFields()) {
        if (fieldInfo(field).required && !byField[static_cast<std::size_t>(field)])
            throw ParameterError("the column map leaves the required field '" + std::string(fieldInfo(field).name)
                                 + "' unmapped: map a column to it");
    }
}

std::string recordTooLong(std::size_t limit, std::string_view hint)
{
    std::string size;
    if (limit % (std::size_t(1) << 20) == 0)
        size = std::to_string(limit >> 20) + " MiB";
    else if (limit % 1024 == 0)
        size = std::to_string(limit >> 10) + " KiB";
    else
        size = std::to_string(limit) + " bytes";
    return "a record longer than " + size + " (the limit for one record) starts on this line: " + std::string(hint);
}

std::string ColumnMapping::describe() const
{
    if (index == kByName)
        return "'" + header + "'";
    return "number " + std::to_string(index + 1);
}

} // namespace webthreat
