#include "core/triage/triagefields_internal.h"

#include "core/triage/suppression.h"

#include "core/io/textcheck.h"
#include "core/util/errors.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace webthreat::triage {

namespace {
bool hasControl(std::string_view text, bool allowLineBreaks) noexcept
{
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (allowLineBreaks && (c == '\n' || c == '\r' || c == '\t'))
            continue;
        if (byte < 0x20 || byte == 0x7F)
            return true;
    }
    return false;
}
} // namespace

bool isSha256(std::string_view text) noexcept
{
    if (text.size() != 64)
        return false;
    for (const char c : text) {
        const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex)
            return false;
    }
    return true;
}

std::string lowerCase(std::string_view text)
{
    std::string lower(text);
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return lower;
}

std::string_view fieldText(RuleField field) noexcept
{
    return ruleFieldName(field); // one spelling of the field names, suppression's
}

std::optional<RuleField> parseFieldText(std::string_view text) noexcept
{
    for (const RuleField field : {RuleField::SrcIp, RuleField::DstIp, RuleField::DstPort, RuleField::Protocol,
                                  RuleField::Country, RuleField::RuleNames, RuleField::Pair})
        if (text == fieldText(field))
            return field;
    if (text == "country")
        return RuleField::Country;
    return std::nullopt;
}

const char* checkNote(std::string_view note) noexcept
{
    if (note.size() > kMaxNoteBytes)
        return "is longer than 65536 bytes";
    if (!isUtf8(note))
        return "is not UTF-8 text";
    if (hasControl(note, true))
        return "holds a control character";
    return nullptr;
}

const char* checkIp(std::string_view ip) noexcept
{
    if (ip.empty())
        return "is empty";
    if (ip.size() > kMaxIpBytes)
        return "is longer than 255 bytes";
    if (!isUtf8(ip) || hasControl(ip, false))
        return "is not one line of UTF-8 text";
    return nullptr;
}

const char* checkFileName(std::string_view name) noexcept
{
    if (name.size() > kMaxFileNameBytes)
        return "is longer than 4096 bytes";
    if (!isUtf8(name) || hasControl(name, false))
        return "is not one line of UTF-8 text";
    return nullptr;
}

const char* checkRuleValue(std::string_view value) noexcept
{
    if (value.empty())
        return "is empty";
    if (value.size() > kMaxRuleTextBytes)
        return "is longer than 1024 bytes";
    if (!isUtf8(value) || hasControl(value, false))
        return "is not one line of UTF-8 text";
    if (value.find('#') != std::string_view::npos)
        return "holds '#', which starts a reason in a rules file";
    return nullptr;
}

const char* checkRuleReason(std::string_view reason) noexcept
{
    if (reason.size() > kMaxRuleTextBytes)
        return "is longer than 1024 bytes";
    if (!isUtf8(reason) || hasControl(reason, false))
        return "is not one line of UTF-8 text";
    return nullptr;
}

const char* checkTime(std::int64_t seconds) noexcept
{
    return seconds < 0 || seconds > kMaxTime ? "is not a time from 1970 to 9999" : nullptr;
}

std::string normaliseRuleValue(RuleField field, std::string_view value, std::string& problem)
{
    try {
        const SuppressionRule rule = parseRule(std::string(fieldText(field)) + " " + std::string(value));
        if (rule.field == field)
            return rule.value;
        problem = "is not one " + std::string(fieldText(field)) + " value";
    } catch (const ParameterError& error) {
        problem = error.what();
    }
    return {};
}

std::string formatUtc(std::int64_t seconds)
{
    const auto time = static_cast<std::time_t>(seconds);
    std::tm parts{};
    gmtime_r(&time, &parts);
    char text[80]; // room for any int the compiler cannot rule out
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900, parts.tm_mon + 1,
                  parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
    return text;
}

std::optional<std::int64_t> parseUtc(std::string_view text) noexcept
{
    // Exactly YYYY-MM-DDTHH:MM:SSZ: what formatUtc writes.
    static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
    if (text.size() != kShape.size())
        return std::nullopt;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool digit = text[i] >= '0' && text[i] <= '9';
        if (kShape[i] == 'd' ? !digit : text[i] != kShape[i])
            return std::nullopt;
    }
    const auto number = [&](std::size_t at, std::size_t length) {
        int value = 0;
        for (std::size_t i = at; i < at + length; ++i)
            value = value * 10 + (text[i] - '0');
        return value;
    };
    std::tm parts{};
    parts.tm_year = number(0, 4) - 1900;
    parts.tm_mon = number(5, 2) - 1;
    parts.tm_mday = number(8, 2);
    parts.tm_hour = number(11, 2);
    parts.tm_min = number(14, 2);
    parts.tm_sec = number(17, 2);
    const std::tm asked = parts;
    const std::time_t seconds = timegm(&parts);
    // timegm normalises 31 February to 3 March: a real time comes back unchanged.
    if (parts.tm_year != asked.tm_year || parts.tm_mon != asked.tm_mon || parts.tm_mday != asked.tm_mday
        || parts.tm_hour != asked.tm_hour || parts.tm_min != asked.tm_min || parts.tm_sec != asked.tm_sec
        || checkTime(seconds) != nullptr)
        return std::nullopt;
    return static_cast<std::int64_t>(seconds);
}

std::int64_t nowSeconds() noexcept
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace webthreat::triage
